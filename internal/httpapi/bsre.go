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
	"time"

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

// writeBSrEProblem answers a problem met while spooling in BSrE's shape,
// with its Retry-After.
func writeBSrEProblem(w http.ResponseWriter, p *Problem) {
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	code := bsreBadRequest
	if p.Status >= 500 {
		code = bsreInternal
	}
	writeBSrE(w, p.Status, code, p.Title)
}

func (s *Server) bsreRoutes(r chi.Router) {
	r.Post("/api/sign/pdf", s.bsreAuth(s.bsreSignV1))
	r.Get("/api/sign/download/{id}", s.bsreAuth(s.bsreDownload))
	r.Post("/api/sign/verify", s.bsreAuth(s.bsreVerifyV1))
	r.Get("/api/user/status/{nik}", s.bsreAuth(s.bsreStatusV1))
	r.Post("/api/v2/sign/pdf", s.bsreAuth(s.bsreSignV2))
	r.Post("/api/v2/verify/pdf", s.bsreAuth(s.bsreVerifyV2))
	r.Post("/api/v2/user/check/status", s.bsreAuth(s.bsreStatusV2))
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
			writeBSrE(w, http.StatusUnauthorized, 401, "Unauthorized")
			return
		}
		if c := clientOf(r); c != nil {
			c.name = "bsre:" + u
		}
		next(w, r)
	}
}

// bsreSign signs the spooled file for nik with passphrase through the
// signing service, answering in BSrE's error shapes; it returns nil after
// answering an error.
func (s *Server) bsreSign(w http.ResponseWriter, r *http.Request, nik, passphrase, reason, location string, in *spooled, look *bsreLook) *service.Result {
	prof := s.svc.ProfileByNIK(nik)
	if prof == nil {
		writeBSrE(w, http.StatusBadRequest, bsreUserNotFound, "Pengguna tidak terdaftar")
		return nil
	}
	if passphrase == "" {
		writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, "Passphrase harus diisi")
		return nil
	}
	req := s.newRequest(r, prof)
	if e := s.svc.LockedOut(r.Context(), prof, req.ClientAddr); e != nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		writeBSrE(w, http.StatusTooManyRequests, bsreWrongPassphrase, "Terlalu banyak passphrase salah; coba lagi nanti")
		return nil
	}
	req.Level, req.Reason, req.Location, req.Passphrase = prof.DefaultLevel, prof.Reason, prof.Location, []byte(passphrase)
	defer clear(req.Passphrase)
	if reason != "" {
		req.Reason = reason
	}
	if location != "" {
		req.Location = location
	}
	if look != nil {
		pl, err := look.placement()
		if err != nil {
			writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Periksa kembali data anda: "+err.Error())
			return nil
		}
		req.Visible = &service.Visible{Placement: *pl, QR: look.linkQR, NoQR: look.noQR, Image: look.image}
		if look.text != "" {
			req.Visible.Lines = []string{look.text}
		}
	}
	res, p := s.signSpooled(r, req, in)
	switch {
	case p == nil:
		return res
	case p.kind() == "passphrase-rejected":
		writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, "Passphrase anda salah")
	case p.Status < 500:
		writeBSrE(w, p.Status, bsreBadRequest, p.Title+": "+p.Detail)
	default:
		writeBSrEProblem(w, p)
	}
	return nil
}

// bsreSignV1 is POST /api/sign/pdf (multipart). It answers with the
// signed PDF as the body and its id in the id_dokumen header, or with
// {"base64_signed_file": …} when jenis_response is BASE64.
func (s *Server) bsreSignV1(w http.ResponseWriter, r *http.Request) {
	in, done := s.bsreUpload(w, r, "file")
	if in == nil {
		return
	}
	defer done()
	var look *bsreLook
	if strings.EqualFold(r.FormValue("tampilan"), "visible") {
		look = &bsreLook{tag: r.FormValue("tag_koordinat"), page: r.FormValue("page"), x: r.FormValue("xAxis"),
			y: r.FormValue("yAxis"), w: r.FormValue("width"), h: r.FormValue("height"),
			linkQR: r.FormValue("linkQR"), text: r.FormValue("text")}
		withImage, err := parseBool(r.FormValue("image"))
		if err != nil {
			writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Periksa kembali data anda: image: "+errNotBoolean.Error())
			return
		}
		if withImage {
			if img, _, err := r.FormFile("imageTTD"); err == nil {
				look.image, _ = io.ReadAll(io.LimitReader(img, 4<<20))
				img.Close()
				// A specimen image replaces the QR code, as BSrE draws it.
				look.linkQR, look.noQR = "", true
			}
		}
	}
	res := s.bsreSign(w, r, r.FormValue("nik"), r.FormValue("passphrase"), r.FormValue("reason"), r.FormValue("location"), in, look)
	if res == nil {
		return
	}
	w.Header().Set("id_dokumen", res.Document.ID)
	w.Header().Set(DocumentIDHeader, res.Document.ID)
	if strings.EqualFold(r.FormValue("jenis_response"), "BASE64") {
		data, _ := io.ReadAll(res.Signed)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"base64_signed_file": base64.StdEncoding.EncodeToString(data), "id_dokumen": res.Document.ID})
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(res.Size, 10))
	io.Copy(w, res.Signed)
}

// bsreLook is the visible stamp a BSrE request asks for: at an anchor
// (tag_koordinat) or at x/y/width/height on a page, with a QR code of
// linkQR, an image, or a text.
type bsreLook struct {
	tag, page, x, y, w, h string
	linkQR, text          string
	image                 []byte
	noQR                  bool
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
		return nil, fmt.Errorf("width/height: %v", err)
	}
	page := 1
	if l.page != "" {
		p, err := strconv.Atoi(l.page)
		if err != nil {
			return nil, fmt.Errorf("page %q", l.page)
		}
		page = p
	}
	if l.tag != "" {
		return &signer.Placement{Anchor: l.tag, Size: [2]float64{w, h}}, nil
	}
	x, err1 := num(l.x, -1)
	y, err2 := num(l.y, -1)
	if errors.Join(err1, err2) != nil || x < 0 || y < 0 {
		return nil, errors.New("a visible signature needs tag_koordinat, or xAxis and yAxis")
	}
	return &signer.Placement{Page: page, Rect: signer.RectFromXYWH(x, y, w, h)}, nil
}

// bsreSignV2 is POST /api/v2/sign/pdf (JSON, files in base64).
func (s *Server) bsreSignV2(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NIK        string `json:"nik"`
		Email      string `json:"email"`
		Passphrase string `json:"passphrase"`
		TOTP       string `json:"totp"`
		Props      []struct {
			Tampilan    string   `json:"tampilan"`
			ImageBase64 string   `json:"imageBase64"`
			Page        *int     `json:"page"`
			OriginX     *float64 `json:"originX"`
			OriginY     *float64 `json:"originY"`
			Width       *float64 `json:"width"`
			Height      *float64 `json:"height"`
			Location    string   `json:"location"`
			Reason      string   `json:"reason"`
			ContactInfo string   `json:"contactInfo"`
		} `json:"signatureProperties"`
	}
	// The files go straight to spool files (see readV2): the body is
	// never held whole.
	v2, pr := s.readV2(http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize*2))
	if pr != nil {
		bsreV2Problem(w, pr)
		return
	}
	defer v2.Close()
	if err := v2.decode(&body); err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Periksa kembali data anda: "+err.Error())
		return
	}
	defer func() { body.Passphrase = "" }()
	if body.TOTP != "" && body.Passphrase == "" {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Metode otentikasi TOTP tidak didukung")
		return
	}
	if body.NIK == "" && body.Email != "" {
		writeBSrE(w, http.StatusBadRequest, bsreUserNotFound, "Pengguna tidak terdaftar")
		return
	}
	if len(v2.files) == 0 {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen (file) harus diisi")
		return
	}
	var reason, location string
	if len(body.Props) > 0 {
		reason, location = body.Props[0].Reason, body.Props[0].Location
	}
	var look *bsreLook
	if len(body.Props) > 0 && strings.EqualFold(body.Props[0].Tampilan, "visible") {
		pr := body.Props[0]
		str := func(f *float64) string {
			if f == nil {
				return ""
			}
			return strconv.FormatFloat(*f, 'f', -1, 64)
		}
		look = &bsreLook{x: str(pr.OriginX), y: str(pr.OriginY), w: str(pr.Width), h: str(pr.Height)}
		if pr.Page != nil {
			look.page = strconv.Itoa(*pr.Page)
		}
		if pr.ImageBase64 != "" {
			if img, err := base64.StdEncoding.DecodeString(pr.ImageBase64); err == nil {
				look.image, look.noQR = img, true
			}
		}
	}
	start := time.Now()
	var signedFiles []*service.Result
	for _, in := range v2.files {
		res := s.bsreSign(w, r, body.NIK, body.Passphrase, reason, location, in, look)
		if res == nil {
			return
		}
		signedFiles = append(signedFiles, res)
	}
	// The answer is streamed too: each signed file, base64-encoded from
	// its spool file.
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"time":%d,"file":[`, time.Since(start).Milliseconds())
	for i, res := range signedFiles {
		if i > 0 {
			io.WriteString(w, ",")
		}
		io.WriteString(w, `"`)
		enc := base64.NewEncoder(base64.StdEncoding, w)
		io.Copy(enc, res.Signed)
		enc.Close()
		io.WriteString(w, `"`)
	}
	io.WriteString(w, "]}\n")
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

// bsreReport is the verification answer of the v1 and v2 verify calls,
// with BSrE's field names (and its spelling of timestampInfomation).
type bsreReport struct {
	SignatureCount        int             `json:"signatureCount"`
	Conclusion            string          `json:"conclusion"`
	Description           string          `json:"description"`
	SignatureInformations []bsreSignature `json:"signatureInformations"`
}

type bsreSignature struct {
	ID                  int            `json:"id"`
	SignatureFormat     string         `json:"signatureFormat"`
	SignerName          string         `json:"signerName"`
	SignatureDate       string         `json:"signatureDate"`
	FieldName           string         `json:"fieldName"`
	Reason              string         `json:"reason"`
	Location            string         `json:"location"`
	IntegrityValid      bool           `json:"integrityValid"`
	CertificateTrusted  bool           `json:"certificateTrusted"`
	LTV                 bool           `json:"ltv"`
	TimestampInfomation map[string]any `json:"timestampInfomation"`
	Indication          string         `json:"indication"`
	SubIndication       string         `json:"subIndication,omitempty"`
}

func toBSrE(rep *verify.Report) bsreReport {
	out := bsreReport{SignatureCount: len(rep.Signatures), SignatureInformations: []bsreSignature{}}
	switch rep.Indication {
	case verify.TotalPassed:
		out.Conclusion, out.Description = "VALID", "Dokumen asli dan tidak berubah sejak ditandatangani"
	case verify.NoSignature:
		out.Conclusion, out.Description = "NO_SIGNATURE", "Dokumen tidak memiliki tanda tangan elektronik"
	case verify.Indeterminate:
		out.Conclusion, out.Description = "WARNING", "Belum dapat dipastikan keabsahannya"
	default:
		out.Conclusion, out.Description = "INVALID", "Tanda tangan tidak sah"
	}
	for i, s := range rep.Signatures {
		b := bsreSignature{ID: i + 1, SignatureFormat: s.Level, FieldName: s.Field, Reason: s.Reason,
			Location: s.Location, SignatureDate: s.ClaimedSigningTime, Indication: string(s.Indication),
			SubIndication: string(s.SubIndication)}
		if s.Signer != nil {
			b.SignerName = s.Signer.CommonName
		}
		switch s.SubIndication {
		case verify.HashFailure, verify.SigCryptoFailure, verify.FormatFailure, verify.ModifiedAfterSigning:
		default:
			b.IntegrityValid = s.Indication != verify.TotalFailed || s.SubIndication == verify.Revoked || s.SubIndication == verify.Expired
		}
		b.CertificateTrusted = len(s.Chain) > 0
		b.LTV = s.Level == "PAdES-BASELINE-LT" || s.Level == "PAdES-BASELINE-LTA"
		if s.Timestamp != nil {
			b.TimestampInfomation = map[string]any{"id": i + 1, "signerName": s.Timestamp.TSA, "timestampDate": s.Timestamp.Time}
		}
		out.SignatureInformations = append(out.SignatureInformations, b)
	}
	return out
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
	in, done := s.bsreUpload(w, r, "signed_file")
	if in == nil {
		return
	}
	defer done()
	s.bsreVerify(w, r, in)
}

// bsreUpload spools the PDF of a v1 multipart form's field; it answers
// the error itself and returns nil on failure. done releases the form
// and the spooled file.
func (s *Server) bsreUpload(w http.ResponseWriter, r *http.Request, field string) (*spooled, func()) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Periksa kembali data anda")
		return nil, nil
	}
	f, _, err := r.FormFile(field)
	if err != nil {
		r.MultipartForm.RemoveAll()
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen ("+field+") harus diisi")
		return nil, nil
	}
	in, p := s.spoolReader(f)
	f.Close()
	if p != nil {
		r.MultipartForm.RemoveAll()
		writeBSrEProblem(w, p)
		return nil, nil
	}
	return in, func() { in.Close(); r.MultipartForm.RemoveAll() }
}

// bsreVerifyV2 is POST /api/v2/verify/pdf ({"file": base64}).
func (s *Server) bsreVerifyV2(w http.ResponseWriter, r *http.Request) {
	v2, pr := s.readV2(http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize*2))
	if pr != nil {
		bsreV2Problem(w, pr)
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
func bsreV2Problem(w http.ResponseWriter, p *Problem) {
	switch p.kind() {
	case "invalid-pdf":
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen bukan base64 yang sah")
	case "bad-request":
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Periksa kembali data anda: "+p.Detail)
	default:
		writeBSrEProblem(w, p)
	}
}

func (s *Server) bsreStatus(w http.ResponseWriter, nik string) {
	p := s.svc.ProfileByNIK(nik)
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
	s.bsreStatus(w, chi.URLParam(r, "nik"))
}

func (s *Server) bsreStatusV2(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NIK   string `json:"nik"`
		Email string `json:"email"`
	}
	json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body)
	s.bsreStatus(w, body.NIK)
}

// spoolReader spools a PDF from r (a multipart file or decoded base64).
func (s *Server) spoolReader(r io.Reader) (*spooled, *Problem) {
	f, err := s.createTemp()
	if err != nil {
		s.opts.Logger.Error("temp file", "error", err)
		return nil, createProblem(err)
	}
	c, err := spool.Copy(f, r, s.opts.MaxBodySize)
	if err != nil || c.Size == 0 {
		f.Close()
		var we *spool.WriteError
		if errors.As(err, &we) {
			s.opts.Logger.Error("temp file", "error", we.Err)
			return nil, noRoom()
		}
		if errors.Is(err, spool.ErrTooLarge) {
			return nil, newProblem("too-large", "")
		}
		return nil, newProblem("invalid-pdf", "empty or unreadable")
	}
	return &spooled{f: f, size: c.Size, sha256: c.SHA256}, nil
}
