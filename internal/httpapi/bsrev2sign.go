package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/service"
)

// bsreV2Props is one entry of a v2 request's signatureProperties: how one
// file is signed.
type bsreV2Props struct {
	Tampilan    string `json:"tampilan"`
	Tag         string `json:"tag_koordinat"`
	ImageBase64 string `json:"imageBase64"`
	LinkQR      string `json:"linkQR"`
	Text        string `json:"text"`
	// Footer (a Segel extension) replaces the profile's footer.
	Footer      *string  `json:"footer"`
	Page        *bsreNum `json:"page"`
	OriginX     *bsreNum `json:"originX"`
	OriginY     *bsreNum `json:"originY"`
	Width       *bsreNum `json:"width"`
	Height      *bsreNum `json:"height"`
	Location    string   `json:"location"`
	Reason      string   `json:"reason"`
	ContactInfo string   `json:"contactInfo"`
}

// look is the visible stamp the entry asks for, or nil for an invisible
// signature.
func (pr *bsreV2Props) look() *bsreLook {
	if pr == nil || !strings.EqualFold(pr.Tampilan, "visible") {
		return nil
	}
	str := func(f *bsreNum) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(float64(*f), 'f', -1, 64)
	}
	l := &bsreLook{tag: pr.Tag, x: str(pr.OriginX), y: str(pr.OriginY), w: str(pr.Width), h: str(pr.Height),
		linkQR: pr.LinkQR, text: pr.Text, footer: pr.Footer}
	if pr.Page != nil {
		l.page = str(pr.Page)
	}
	if pr.ImageBase64 != "" {
		if img, err := base64.StdEncoding.DecodeString(pr.ImageBase64); err == nil {
			l.image, l.linkQR, l.noQR = img, "", true
		}
	}
	return l
}

// bsreNum is a number of a v2 body, which clients send as a JSON number
// or as a string of one ("width": "55", as Java and PHP clients do).
type bsreNum float64

// UnmarshalJSON reads a number or a string holding one.
func (n *bsreNum) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeOf(n)}
	}
	*n = bsreNum(f)
	return nil
}

// bsreV2Request is the body of POST /api/v2/sign/pdf beyond its files.
type bsreV2Request struct {
	NIK        string        `json:"nik"`
	Email      string        `json:"email"`
	Passphrase string        `json:"passphrase"`
	TOTP       string        `json:"totp"`
	Props      []bsreV2Props `json:"signatureProperties"`
}

// bsreFilesFit answers 400 (and false) unless a v2 request has files and
// its signatureProperties has one entry, or one per file (see propsFor).
func bsreFilesFit(w http.ResponseWriter, files int, props []bsreV2Props) bool {
	if files == 0 {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen (file) harus diisi")
		return false
	}
	if n := len(props); n > 1 && n != files {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest,
			fmt.Sprintf("%s: signatureProperties harus berisi satu entri atau satu entri per dokumen (%d dokumen, %d entri)", bsreMsgCheck, files, n))
		return false
	}
	return true
}

// propsFor returns the signatureProperties entry of file i of n: one
// entry serves every file, otherwise entry i serves file i (see
// docs/decisions.md, "BSrE compatibility (issue 14)").
func (b *bsreV2Request) propsFor(i int) *bsreV2Props {
	switch len(b.Props) {
	case 0:
		return nil
	case 1:
		return &b.Props[0]
	}
	return &b.Props[i]
}

// bsreSignV2 is POST /api/v2/sign/pdf (JSON, files in base64). It signs
// every file for the official named by nik or email, and answers
// {"time", "file": [base64…], "id_dokumen": [id…]} with the ids also in
// the id_dokumen header (comma-separated), so that an app can build the
// QR link of each.
func (s *Server) bsreSignV2(w http.ResponseWriter, r *http.Request) {
	var body bsreV2Request
	// The files go straight to spool files (see readV2): the body is
	// never held whole.
	v2, pr := s.readV2(http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize*2))
	if pr != nil {
		bsreV2Problem(w, pr, s.opts.MaxBodySize)
		return
	}
	defer v2.Close()
	if err := v2.decode(&body); err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreJSONError(err))
		return
	}
	defer func() { body.Passphrase = "" }()
	prof := s.bsreOfficial(body.NIK, body.Email)
	if prof == nil {
		writeBSrE(w, http.StatusBadRequest, bsreUserNotFound, "Pengguna tidak terdaftar")
		return
	}
	if body.TOTP != "" && body.Passphrase == "" && !s.svc.TOTPEnabled(prof) {
		// No key-encryption key, or the profile did not opt in: as
		// before TOTP existed (fail closed).
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgTOTPUnsupported)
		return
	}
	if !bsreFilesFit(w, len(v2.files), body.Props) {
		return
	}
	var tu *service.TOTPUnlock
	if body.Passphrase == "" && body.TOTP != "" {
		// One code serves every file of the request: it is checked, and
		// used up, once.
		if tu = s.bsreUnlockTOTP(w, r, prof, body.TOTP); tu == nil {
			return
		}
		defer tu.Clear()
	}
	start := time.Now()
	var signed []*service.Result
	for i, in := range v2.files {
		props := body.propsFor(i)
		var reason, location string
		if props != nil {
			reason, location = props.Reason, props.Location
		}
		res := s.bsreSign(w, r, prof, body.Passphrase, tu, reason, location, in, props.look())
		if res == nil {
			return
		}
		signed = append(signed, res)
	}
	writeBSrESigned(w, start, signed)
}
