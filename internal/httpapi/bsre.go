package httpapi

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/spool"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/verify"
)

// The BSrE-compatible API: the routes and shapes of BSrE's Esign Client
// Service (v1 multipart, v2 JSON), so that regency apps written for it can
// point at Segel unchanged. HTTP Basic authentication; "nik" names a
// personal profile, whose key the passphrase unlocks.

// BSrE error codes, as that service documents them.
const (
	bsreUserNotFound     = 2011
	bsreWrongPassphrase  = 2031
	bsreBadRequest       = 2021
	bsreInternal         = 5000
	bsreCertificateValid = 1111
)

type bsreError struct {
	Error      string `json:"error"`
	StatusCode int    `json:"status_code"`
}

func writeBSrE(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(bsreError{Error: msg, StatusCode: code})
}

func (s *Server) bsreRoutes(r chi.Router) {
	r.Post("/api/sign/pdf", s.bsreAuth(s.bsreSignV1))
	r.Get("/api/sign/download/{id}", s.bsreAuth(s.bsreDownload))
	r.Post("/api/sign/verify", s.bsreAuth(s.bsreVerifyV1))
	r.Get("/api/user/status/{nik}", s.bsreAuth(s.bsreStatusV1))
	r.Post("/api/v2/sign/pdf", s.bsreAuth(s.bsreSignV2))
	r.Post("/api/v2/sign/get/totp", s.bsreAuth(s.bsreGetTOTP))
	r.Post("/api/v2/verify/pdf", s.bsreAuth(s.bsreVerifyV2))
	r.Post("/api/v2/user/check/status", s.bsreAuth(s.bsreStatusV2))
	// A variant some clients call.
	r.Post("/api/v2/user/check-status", s.bsreAuth(s.bsreStatusV2))
	r.Post("/api/v2/user/register", s.bsreAuth(s.bsreUserRegister))
	// The name some clients call.
	r.Post("/api/v2/user/registration", s.bsreAuth(s.bsreUserRegister))
	s.bsreSealRoutes(r)
}

// bsreAuth checks HTTP Basic credentials against Options.BSrEUser and
// BSrEPassword, in constant time.
func (s *Server) bsreAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		okU := subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.BSrEUser)) == 1
		okP := subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.BSrEPassword)) == 1
		if !ok || !okU || !okP {
			w.Header().Set("WWW-Authenticate", `Basic realm="segel"`)
			writeBSrE(w, http.StatusUnauthorized, 401, bsreMsgUnauthorized)
			return
		}
		if c := clientOf(r); c != nil {
			c.name = "bsre:" + u
		}
		next(w, r)
	}
}

// bsreSign signs the spooled file for the official of prof (nil: not
// registered) with passphrase through the
// signing service, answering in BSrE's error shapes; it returns nil after
// answering an error.
func (s *Server) bsreSign(w http.ResponseWriter, r *http.Request, prof *service.Profile, passphrase string, tu *service.TOTPUnlock, reason, location string, in *spooled, look *bsreLook) *service.Result {
	if prof == nil {
		writeBSrE(w, http.StatusBadRequest, bsreUserNotFound, "Pengguna tidak terdaftar")
		return nil
	}
	if passphrase == "" && tu == nil {
		writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, "Passphrase harus diisi")
		return nil
	}
	req := s.newRequest(r, prof)
	if e := s.svc.LockedOut(r.Context(), prof, req.ClientAddr); e != nil {
		bsreLockedOut(w, e)
		return nil
	}
	req.Level, req.Reason, req.Location, req.Passphrase = prof.DefaultLevel, prof.Reason, prof.Location, []byte(passphrase)
	defer clear(req.Passphrase)
	if passphrase == "" {
		// What a code of the official's authenticator app opened
		// (bsretotp.go).
		req.TOTP = tu
	}
	if reason != "" {
		req.Reason = reason
	}
	if location != "" {
		req.Location = location
	}
	if !bsreLookInto(w, req, look) {
		return nil
	}
	res, p := s.signSpooled(r, req, in)
	if p != nil {
		bsreProblem(w, p, s.opts.MaxBodySize)
		return nil
	}
	return res
}

// bsreLookInto puts the visible stamp look asks for (none when nil) into
// req; it answers a bad one itself and returns false.
func bsreLookInto(w http.ResponseWriter, req *service.Request, look *bsreLook) bool {
	if look == nil {
		return true
	}
	pl, err := look.placement()
	if err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgCheck+": "+err.Error())
		return false
	}
	req.Visible = &service.Visible{Placement: *pl, QR: look.linkQR, NoQR: look.noQR, Image: look.image}
	if look.text != "" {
		lines, err := stampLines(bsreTextLines(look.text))
		if err != nil {
			writeBSrE(w, http.StatusBadRequest, bsreBadRequest, fmt.Sprintf("%s: text paling banyak %d baris, tiap baris paling panjang %d byte, tanpa karakter kontrol", bsreMsgCheck, maxStampLines, maxStampLineBytes))
			return false
		}
		req.Visible.Lines = lines
	}
	if look.footer != nil {
		f, err := stampFooter(*look.footer)
		if err != nil {
			writeBSrE(w, http.StatusBadRequest, bsreBadRequest, fmt.Sprintf("%s: footer paling panjang %d byte, tanpa karakter kontrol", bsreMsgCheck, maxStampFooterByte))
			return false
		}
		req.Visible.Footer = &f
	}
	return true
}

// bsreSignV1 is POST /api/sign/pdf (multipart). It answers with the
// signed PDF as the body and its id in the id_dokumen header, or with
// {"base64_signed_file": …} when jenis_response is BASE64.
func (s *Server) bsreSignV1(w http.ResponseWriter, r *http.Request) {
	in, image, done := s.bsreUpload(w, r, "file")
	if in == nil {
		return
	}
	defer done()
	var look *bsreLook
	if strings.EqualFold(r.FormValue("tampilan"), "visible") {
		look = &bsreLook{tag: r.FormValue("tag_koordinat"), page: r.FormValue("page"), x: r.FormValue("xAxis"),
			y: r.FormValue("yAxis"), w: r.FormValue("width"), h: r.FormValue("height"),
			linkQR: r.FormValue("linkQR"), text: r.FormValue("text")}
		if _, ok := r.Form["footer"]; ok {
			f := r.FormValue("footer")
			look.footer = &f
		}
		withImage, err := parseBool(r.FormValue("image"))
		if err != nil {
			writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgCheck+": image harus true atau false")
			return
		}
		if withImage {
			if image != nil {
				look.image = image
				// A specimen image replaces the QR code, as BSrE draws it.
				look.linkQR, look.noQR = "", true
			}
		}
	}
	res := s.bsreSign(w, r, s.svc.ProfileByNIK(r.FormValue("nik")), r.FormValue("passphrase"), nil, r.FormValue("reason"), r.FormValue("location"), in, look)
	if res == nil {
		return
	}
	setBSrEDocumentID(w, res.Document.ID)
	if strings.EqualFold(r.FormValue("jenis_response"), "BASE64") {
		data, _ := io.ReadAll(res.Signed)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"base64_signed_file": base64.StdEncoding.EncodeToString(data), "id_dokumen": res.Document.ID})
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(res.Size, 10))
	spool.Send(w, res.Signed)
}

// bsreLook is the visible stamp a BSrE request asks for: at an anchor
// (tag_koordinat) or at x/y/width/height on a page, with a QR code of
// linkQR, an image, or a text.
type bsreLook struct {
	tag, page, x, y, w, h string
	linkQR, text          string
	// footer, when sent (a Segel extension), replaces the profile's.
	footer *string
	image  []byte
	noQR   bool
}

func (l *bsreLook) placement() (*signer.Placement, error) {
	num := func(v string, def float64) (float64, error) {
		if v == "" {
			return def, nil
		}
		return strconv.ParseFloat(v, 64)
	}
	w, err1 := num(l.w, signer.DefaultStampWidth)
	h, err2 := num(l.h, signer.DefaultStampHeight)
	if err := errors.Join(err1, err2); err != nil {
		return nil, errors.New("width dan height harus berupa angka")
	}
	page := 1
	if l.page != "" {
		p, err := strconv.Atoi(l.page)
		if err != nil {
			return nil, errors.New("page harus berupa angka")
		}
		page = p
	}
	if l.tag != "" {
		return &signer.Placement{Anchor: l.tag, Size: [2]float64{w, h}}, nil
	}
	x, err1 := num(l.x, -1)
	y, err2 := num(l.y, -1)
	if errors.Join(err1, err2) != nil || x < 0 || y < 0 {
		return nil, errors.New("tampilan visible memerlukan tag_koordinat, atau xAxis dan yAxis")
	}
	return &signer.Placement{Page: page, Rect: signer.RectFromXYWH(x, y, w, h)}, nil
}

// bsreDownload is GET /api/sign/download/{id}. It applies the rules of
// the citizens' /v/{id}/download (the file is stored, the profile offers
// it, the letter is not confidential) and, as the BSrE login is shared,
// hands out only what was signed through this API under the same login:
// a document signed by another API client is "not found", so that its id
// alone does not fetch it. Every refusal is the same 404, so the answer
// does not tell which documents exist.
func (s *Server) bsreDownload(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	notFound := func() { writeBSrE(w, http.StatusNotFound, 404, "Dokumen tidak ditemukan") }
	d, err := s.opts.Store.GetDocument(r.Context(), id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.opts.Logger.Error("store document", "request_id", requestID(r.Context()), "error", err)
		}
		notFound()
		return
	}
	if c := clientOf(r); c == nil || d.Client != c.name || !d.Stored || !d.Downloadable || d.Confidential {
		notFound()
		return
	}
	rc, size, err := s.opts.Store.OpenBlob(r.Context(), id)
	if err != nil {
		notFound()
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Cache-Control", "no-store")
	io.Copy(w, rc)
}

func (s *Server) bsreVerify(w http.ResponseWriter, r *http.Request, in *spooled) {
	rep, err := s.Verifier()(r.Context(), in.f, in.size)
	if errors.Is(err, verify.ErrNotPDF) {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen bukan PDF")
		return
	}
	if errors.Is(err, errVerifyBusy) {
		w.Header().Set("Retry-After", "2")
		writeBSrE(w, http.StatusTooManyRequests, bsreInternal, "Terlalu banyak permintaan verifikasi; coba lagi sebentar lagi")
		return
	}
	if err != nil {
		writeBSrE(w, http.StatusInternalServerError, bsreInternal, "Verifikasi gagal")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(toBSrE(rep))
}

// bsreVerifyV1 is POST /api/sign/verify (multipart field signed_file).
func (s *Server) bsreVerifyV1(w http.ResponseWriter, r *http.Request) {
	in, _, done := s.bsreUpload(w, r, "signed_file")
	if in == nil {
		return
	}
	defer done()
	s.bsreVerify(w, r, in)
}

// bsreVerifyV2 is POST /api/v2/verify/pdf ({"file": base64}).
func (s *Server) bsreVerifyV2(w http.ResponseWriter, r *http.Request) {
	v2, pr := s.readV2(http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize*2))
	if pr != nil {
		bsreV2Problem(w, pr, s.opts.MaxBodySize)
		return
	}
	defer v2.Close()
	if len(v2.files) != 1 {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen (file) harus diisi")
		return
	}
	s.bsreVerify(w, r, v2.files[0])
}

// bsreV2Problem answers a problem of readV2 in BSrE's shape.
func bsreV2Problem(w http.ResponseWriter, p *Problem, limit int64) {
	switch p.kind() {
	case "invalid-pdf":
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen bukan base64 yang sah")
	case "bad-request":
		msg := bsreMsgCheck + ": format JSON tidak sah"
		if errors.Is(p.cause, errV2TooManyFiles) {
			msg = bsreMsgCheck + ": paling banyak " + strconv.Itoa(maxV2Files) + " dokumen per permintaan"
		}
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, msg)
	default:
		bsreProblem(w, p, limit)
	}
}

func (s *Server) bsreStatus(w http.ResponseWriter, p *service.Profile) {
	w.Header().Set("Content-Type", "application/json")
	if p == nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status_code": bsreUserNotFound, "status": "NOT_REGISTERED", "message": "Pengguna tidak terdaftar"})
		return
	}
	status, msg := "ISSUE", "Sertifikat aktif"
	if now := s.opts.Now(); now.After(p.Key.Certificate.NotAfter) {
		status, msg = "EXPIRED", "Sertifikat kedaluwarsa"
	}
	json.NewEncoder(w).Encode(map[string]any{"status_code": bsreCertificateValid, "status": status, "message": msg})
}

func (s *Server) bsreStatusV1(w http.ResponseWriter, r *http.Request) {
	s.bsreStatus(w, s.svc.ProfileByNIK(chi.URLParam(r, "nik")))
}

func (s *Server) bsreStatusV2(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NIK   string `json:"nik"`
		Email string `json:"email"`
	}
	json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body)
	p := s.svc.ProfileByNIK(body.NIK)
	if body.NIK == "" {
		p = s.svc.ProfileByEmail(body.Email)
	}
	s.bsreStatus(w, p)
}

// spoolReader spools a PDF from r (a multipart file or decoded base64).
func (s *Server) spoolReader(r io.Reader) (*spooled, *Problem) {
	f := s.newSpool()
	c, err := spool.Copy(f, r, s.opts.MaxBodySize)
	if err != nil || c.Size == 0 {
		f.Close()
		var we *spool.WriteError
		if errors.As(err, &we) {
			s.opts.Logger.Error("temp file", "error", we.Err)
			return nil, spoolProblem(we)
		}
		if errors.Is(err, spool.ErrTooLarge) {
			return nil, newProblem("too-large", "")
		}
		return nil, newProblem("invalid-pdf", "empty or unreadable")
	}
	return &spooled{f: f, size: c.Size, sha256: c.SHA256}, nil
}
