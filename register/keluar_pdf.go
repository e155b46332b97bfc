package register

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
)

// The anchors of an outgoing letter's draft: where the signature stamp
// goes (required) and where the number is written at signing (optional).
const (
	AnchorTTD   = "${ttd}"
	AnchorNomor = "${nomor}"
)

// Why a draft is refused; each is a *DraftError.
var (
	// ErrDraftNotPDF: the file is not a readable PDF.
	ErrDraftNotPDF = errors.New("not a readable PDF")
	// ErrDraftEncrypted: the PDF is encrypted (cannot be filled or signed).
	ErrDraftEncrypted = errors.New("encrypted PDF")
	// ErrDraftSigned: the PDF already carries a signature, which filling
	// the number would break.
	ErrDraftSigned = errors.New("already signed PDF")
	// ErrDraftNoTTD: no page shows the ${ttd} anchor.
	ErrDraftNoTTD = errors.New("no " + AnchorTTD + " anchor")
)

// draftInfo is what the register learns from a draft PDF at upload.
type draftInfo struct {
	Pages int
	// HasNomor: some page shows ${nomor}, which signing fills with the
	// number (signer.FillText).
	HasNomor bool
}

// inspectDraft checks a draft as it is uploaded: a PDF, not encrypted,
// not yet signed, showing ${ttd} on some page (with the same text search
// as the stamp's anchor placement, internal/pdftext, so what passes here
// is what the gateway finds). It never panics on bad input.
func inspectDraft(src io.ReaderAt, size int64) (info draftInfo, err error) {
	defer func() {
		// The PDF reader is written not to panic; this keeps a bad
		// upload from taking the server down if it ever did.
		if p := recover(); p != nil {
			info, err = draftInfo{}, fmt.Errorf("%w: %v", ErrDraftNotPDF, p)
		}
	}()
	r, err := pdf.Open(src, size, nil)
	if err != nil {
		return draftInfo{}, fmt.Errorf("%w: %w", ErrDraftNotPDF, err)
	}
	if r.Encrypted() {
		return draftInfo{}, ErrDraftEncrypted
	}
	pages, err := r.Pages()
	if err != nil || len(pages) == 0 {
		return draftInfo{}, fmt.Errorf("%w: no pages", ErrDraftNotPDF)
	}
	info.Pages = len(pages)
	if signed, err := hasSignature(r); err != nil || signed {
		if err != nil {
			return draftInfo{}, fmt.Errorf("%w: %w", ErrDraftNotPDF, err)
		}
		return draftInfo{}, ErrDraftSigned
	}
	ttd := false
	for _, p := range pages {
		glyphs, err := pdftext.Page(r, p)
		if err != nil {
			return draftInfo{}, fmt.Errorf("%w: %w", ErrDraftNotPDF, err)
		}
		ttd = ttd || len(pdftext.Find(glyphs, AnchorTTD)) > 0
		info.HasNomor = info.HasNomor || len(pdftext.Find(glyphs, AnchorNomor)) > 0
	}
	if !ttd {
		return info, ErrDraftNoTTD
	}
	return info, nil
}

// hasSignature reports whether a form field of r holds a signature.
func hasSignature(r *pdf.Reader) (bool, error) {
	fields, err := r.Fields()
	if err != nil {
		return false, err
	}
	for _, f := range fields {
		if ft, _ := f.Dict.Get("FT").(pdf.Name); ft == "Sig" && f.Dict.Get("V") != nil {
			return true, nil
		}
	}
	return false, nil
}

// isPDFHeader reports whether b starts (within its first 1024 bytes, as
// readers allow) like a PDF file.
func isPDFHeader(b []byte) bool {
	return bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-"))
}
