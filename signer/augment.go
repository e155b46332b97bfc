package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/revocation"
)

// ErrNoSignature reports a document without a signature to augment.
var ErrNoSignature = errors.New("the document has no signature")

// AugmentOptions configure Augment.
type AugmentOptions struct {
	// Level is LevelLT or LevelLTA.
	Level Level
	// Timestamper makes the document timestamps: the one that gives a
	// B-B signature its proof of existence, and the one of LevelLTA.
	Timestamper Timestamper
	// Revocation fetches OCSP responses and CRLs; a new Checker by default.
	Revocation *revocation.Checker
	// Certificates are further CA certificates from which chains are
	// completed up to their roots (typically the trust anchors).
	Certificates []*x509.Certificate
	// Hash is the digest of document timestamps; SHA-256 by default.
	Hash crypto.Hash
}

// AugmentResult describes what Augment added.
type AugmentResult struct {
	// Size is the number of bytes written to dst.
	Size int64
	// Added names the updates appended, in order, such as "document
	// timestamp Timestamp1" or "validation data (DSS)".
	Added []string
}

// Augment extends the signatures of src to PAdES B-LT or B-LTA without
// touching them: it appends, as incremental updates, the validation data
// of every signature and timestamp in the document security store; when a
// signature has no signature timestamp, a document timestamp as its proof
// of existence followed by that timestamp's validation data; and for
// B-LTA a document timestamp over all of it. Run again on a B-LTA
// document, it renews the archive: validation data for the last
// timestamp, then a new document timestamp.
//
// Like Sign, Augment streams: dst may hold a partial document on error.
func Augment(ctx context.Context, src io.ReaderAt, size int64, dst io.Writer, opts *AugmentOptions) (*AugmentResult, error) {
	if opts == nil || (opts.Level != LevelLT && opts.Level != LevelLTA) {
		return nil, fmt.Errorf("%w: augment to B-LT or B-LTA", ErrOptions)
	}
	h := opts.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	checker := opts.Revocation
	if checker == nil {
		checker = revocation.New(revocation.Options{})
	}
	r, err := pdf.Open(src, size, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if r.Encrypted() {
		return nil, ErrEncrypted
	}
	sigs, err := existingSignatures(r)
	if err != nil {
		return nil, err
	}
	if len(sigs) == 0 {
		return nil, ErrNoSignature
	}
	needPOE := false
	for _, s := range sigs {
		if !s.docTS && !s.timestamped && !s.coveredByDocTS(sigs) {
			needPOE = true
		}
	}
	if (needPOE || opts.Level == LevelLTA) && opts.Timestamper == nil {
		return nil, fmt.Errorf("%w: a timestamp authority is needed", ErrOptions)
	}

	// Gather the validation data before anything is written: if it cannot
	// be had, nothing is.
	var data []*validationData
	for _, s := range sigs {
		vd, err := s.validationData(ctx, checker, opts.Certificates)
		if err != nil {
			return nil, err
		}
		data = append(data, vd)
	}

	app := &appender{dst: dst, src: src, size: size, hash: h, h: h.New()}
	w := io.MultiWriter(dst, app.h)
	if _, err := copySource(w, src, size); err != nil {
		return nil, fmt.Errorf("signer: copying the source: %w", err)
	}
	res := &AugmentResult{}
	now := time.Now()
	// The validation data of what the document holds comes first, so that
	// the document timestamp that follows (the proof of existence of a
	// B-B signature, or the archive timestamp of B-LTA) covers it:
	// sig, DSS, DTS, as pyHanko and EU DSS order them
	// (docs/decisions.md, "The signer's own incremental updates").
	added, err := app.addDSS(data...)
	if err != nil {
		return nil, err
	}
	if added {
		res.Added = append(res.Added, "validation data (DSS)")
	}
	// The archive timestamp of B-LTA is needed unless the proof of
	// existence below ends up as the last update.
	archive := opts.Level == LevelLTA
	if needPOE {
		// A B-B signature's proof of existence, then that timestamp's own
		// validation data (B-LT needs it, and an offline check of B-LTA
		// could not validate the timestamp without it). That data is then
		// covered by the archive timestamp of B-LTA; when it was all in
		// the document already, the proof of existence is the archive
		// timestamp too.
		up, err := app.docTimestamp(ctx, opts.Timestamper, now)
		if err != nil {
			return nil, err
		}
		res.Added = append(res.Added, "document timestamp "+up.field)
		token, err := app.lastToken(up)
		if err != nil {
			return nil, err
		}
		vd, err := tokenValidationData(ctx, checker, token, opts.Certificates)
		if err != nil {
			return nil, err
		}
		added, err := app.addDSS(vd)
		if err != nil {
			return nil, err
		}
		if added {
			res.Added = append(res.Added, "validation data (DSS)")
		} else {
			archive = false
		}
	}
	if archive {
		up, err := app.docTimestamp(ctx, opts.Timestamper, now)
		if err != nil {
			return nil, err
		}
		res.Added = append(res.Added, "document timestamp "+up.field)
	}
	res.Size = size + app.total
	return res, nil
}

// lastToken returns the CMS (DER) held by the signature dictionary that
// an update just written added.
func (a *appender) lastToken(up *sigUpdate) ([]byte, error) {
	r, err := a.reader()
	if err != nil {
		return nil, err
	}
	_, field, err := r.FieldByName(up.field)
	if err != nil {
		return nil, fmt.Errorf("signer: internal error: %w", err)
	}
	sig, err := r.GetDict(field.Get("V"))
	if err != nil {
		return nil, fmt.Errorf("signer: internal error: %w", err)
	}
	s, _ := sig.Get("Contents").(pdf.String)
	sd, err := cms.Parse(s.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signer: internal error: %w", err)
	}
	return sd.Raw, nil
}

// existing is a signature or document timestamp found in a document.
type existing struct {
	field       string
	sd          *cms.SignedData
	docTS       bool
	timestamped bool
	end         int64 // end of its byte ranges
}

// coveredByDocTS reports whether a later document timestamp covers s.
func (s *existing) coveredByDocTS(all []*existing) bool {
	for _, o := range all {
		if o.docTS && o.end > s.end {
			return true
		}
	}
	return false
}

// validationData gathers the data of the signer's chain and of every
// timestamp in the signature (or of the TSA of a document timestamp).
func (s *existing) validationData(ctx context.Context, checker *revocation.Checker, extra []*x509.Certificate) (*validationData, error) {
	certs := s.sd.ParsedCertificates()
	si := s.sd.SignerInfos[0]
	leaf, err := si.FindCertificate(certs)
	if err != nil {
		return nil, fmt.Errorf("%w: the certificate of %q is not in its signature", ErrValidationData, s.field)
	}
	chain := append([]*x509.Certificate{leaf}, certpath.Issuers(leaf, slices.Concat(certs, extra))...)
	vd, err := gather(ctx, checker, chain, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.field, err)
	}
	for _, tok := range si.TimeStampTokens() {
		td, err := tokenValidationData(ctx, checker, tok, extra)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.field, err)
		}
		vd.add(td)
	}
	return vd, nil
}

// existingSignatures reads the signatures and document timestamps of r.
func existingSignatures(r *pdf.Reader) ([]*existing, error) {
	state, err := readState(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if !state.hasForm {
		return nil, nil
	}
	fields, err := r.Fields()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	var out []*existing
	for _, f := range fields {
		if r.FieldType(f.Dict) != "Sig" || f.Dict.Get("V") == nil {
			continue
		}
		sig, err := r.GetDict(f.Dict.Get("V"))
		if err != nil {
			continue
		}
		s, _ := sig.Get("Contents").(pdf.String)
		sd, err := cms.Parse(s.Bytes)
		if err != nil || len(sd.SignerInfos) != 1 {
			return nil, fmt.Errorf("%w: the signature of %q cannot be read", ErrInvalidPDF, f.Name)
		}
		e := &existing{field: f.Name, sd: sd}
		t, _ := sig.Name("Type")
		sub, _ := sig.Name("SubFilter")
		e.docTS = t == "DocTimeStamp" || sub == "ETSI.RFC3161"
		e.timestamped = len(sd.SignerInfos[0].TimeStampTokens()) > 0
		if br, ok := sig.Get("ByteRange").(pdf.Array); ok && len(br) == 4 {
			b, _ := br[2].(int64)
			c, _ := br[3].(int64)
			e.end = b + c
		}
		out = append(out, e)
	}
	return out, nil
}
