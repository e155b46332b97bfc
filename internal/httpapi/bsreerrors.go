package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/segel-id/segel/signer"
)

// BSrE's answers to errors: {"error": text, "status_code": code}, the
// text in Indonesian and never a Go error's wording (see docs/decisions.md,
// "BSrE compatibility (issue 14)").

// Texts of the BSrE errors.
const (
	bsreMsgCheck         = "Periksa kembali data anda"
	bsreMsgAnchor        = "Tag koordinat tidak ditemukan pada dokumen"
	bsreMsgNotPDF        = "Dokumen bukan PDF yang sah"
	bsreMsgEncrypted     = "Dokumen PDF terenkripsi tidak dapat ditandatangani"
	bsreMsgCertificate   = "Sertifikat tidak aktif atau tidak dapat digunakan"
	bsreMsgBusy          = "Layanan sedang sibuk; coba lagi nanti"
	bsreMsgInternal      = "Terjadi kesalahan pada server; coba lagi nanti"
	bsreMsgPlacement     = "Posisi tanda tangan tidak dapat ditempatkan pada dokumen"
	bsreMsgSignedAlready = "Dokumen tidak dapat ditandatangani lagi"
	// bsreMsgUnauthorized answers wrong or missing Basic credentials, in
	// Indonesian like every BSrE error text.
	bsreMsgUnauthorized = "Otentikasi gagal: nama pengguna atau kata sandi salah"
)

// bsreTooLarge answers a body over the limit: 413, with the limit in
// the text.
func bsreTooLarge(w http.ResponseWriter, limit int64) {
	writeBSrE(w, http.StatusRequestEntityTooLarge, http.StatusRequestEntityTooLarge,
		"Ukuran dokumen melebihi batas maksimal "+humanBytes(limit))
}

// bsreJSONError words an error of decoding a v2 body's members: the
// member and the type it must have, never Go's types.
func bsreJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			return bsreMsgCheck + ": format JSON tidak sesuai"
		}
		return bsreMsgCheck + ": " + bsreFieldName(field) + " harus berupa " + bsreTypeName(field)
	}
	return bsreMsgCheck + ": format JSON tidak sah"
}

// bsreFieldName strips Go's indexes from a JSON path
// ("signatureProperties.0.page" → "signatureProperties.page").
func bsreFieldName(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// bsreTypeName is the JSON type a v2 member must have, in Indonesian.
func bsreTypeName(field string) string {
	switch field[strings.LastIndexByte(field, '.')+1:] {
	case "page", "originX", "originY", "width", "height", "data":
		return "angka"
	case "signatureProperties":
		return "daftar objek"
	case "file":
		return "teks base64 atau daftar teks base64"
	}
	return "teks"
}

// bsreKindAnswers are BSrE's answers to the kinds of problem that have
// their own (bsreProblem): HTTP status, status_code and text.
var bsreKindAnswers = map[string]struct {
	status, code int
	msg          string
}{
	"passphrase-rejected":   {http.StatusBadRequest, bsreWrongPassphrase, "Passphrase anda salah"},
	"passphrase-locked-out": {http.StatusTooManyRequests, bsreWrongPassphrase, bsreMsgLockedOut},
	"totp-rejected":         {http.StatusBadRequest, bsreWrongPassphrase, bsreMsgTOTPWrong},
	"totp-not-enrolled":     {http.StatusBadRequest, bsreWrongPassphrase, bsreMsgTOTPNotEnrolled},
	"totp-stale":            {http.StatusBadRequest, bsreWrongPassphrase, bsreMsgTOTPStale},
	"stamp-placement":       {http.StatusBadRequest, bsreBadRequest, bsreMsgPlacement},
	"invalid-pdf":           {http.StatusBadRequest, bsreBadRequest, bsreMsgNotPDF},
	"encrypted-pdf":         {http.StatusBadRequest, bsreBadRequest, bsreMsgEncrypted},
	"certificate-invalid":   {http.StatusBadRequest, bsreBadRequest, bsreMsgCertificate},
}

// bsreProblem answers a problem of the signing service or of spooling in
// BSrE's shape, with its Retry-After. limit is the body limit, for the
// text of a body too large.
func bsreProblem(w http.ResponseWriter, p *Problem, limit int64) {
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	switch k := p.kind(); {
	case k == "too-large":
		bsreTooLarge(w, limit)
		return
	case k == "stamp-placement" && errors.Is(p.cause, signer.ErrAnchorNotFound):
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgAnchor)
		return
	default:
		if a, ok := bsreKindAnswers[k]; ok {
			writeBSrE(w, a.status, a.code, a.msg)
			return
		}
	}
	switch {
	case p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable:
		writeBSrE(w, p.Status, bsreInternal, bsreMsgBusy)
	case p.Status >= 500:
		writeBSrE(w, p.Status, bsreInternal, bsreMsgInternal)
	case p.Status == http.StatusConflict:
		writeBSrE(w, p.Status, bsreBadRequest, bsreMsgSignedAlready)
	default:
		writeBSrE(w, p.Status, bsreBadRequest, bsreMsgCheck)
	}
}

// setBSrEDocumentID sets the id_dokumen header in that exact case (as
// BSrE sends it and some clients read it, case-sensitively), beside
// Segel's own header.
func setBSrEDocumentID(w http.ResponseWriter, id string) {
	w.Header()["id_dokumen"] = []string{id}
	w.Header().Set(DocumentIDHeader, id)
}
