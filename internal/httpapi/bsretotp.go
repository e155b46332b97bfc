package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/segel-id/segel/internal/service"
)

// TOTP for officials over the BSrE-compatible API (docs/decisions.md,
// "TOTP for officials (issue 14)"): POST /api/v2/sign/get/totp enrols an
// official (with the passphrase) or, for one enrolled, says where the
// code comes from; POST /api/v2/sign/pdf then takes "totp" instead of
// "passphrase".

// Texts of the TOTP answers.
const (
	bsreMsgTOTPUnsupported = "Metode otentikasi TOTP tidak didukung"
	bsreMsgTOTPFromApp     = "Kode TOTP dibuat oleh aplikasi autentikator pada perangkat anda; masukkan kode yang sedang tampil"
	bsreMsgTOTPEnrolled    = "Pendaftaran TOTP berhasil: tambahkan secret ini ke aplikasi autentikator (secret hanya ditampilkan sekali)"
	bsreMsgTOTPNotEnrolled = "Pengguna belum terdaftar TOTP: daftar dahulu melalui /api/v2/sign/get/totp dengan passphrase"
	bsreMsgTOTPWrong       = "Kode TOTP salah atau sudah digunakan"
	bsreMsgTOTPStale       = "Pendaftaran TOTP tidak berlaku lagi (passphrase telah berubah atau terlalu banyak kode TOTP salah); daftar ulang melalui /api/v2/sign/get/totp dengan passphrase"
	bsreMsgLockedOut       = "Terlalu banyak passphrase salah; coba lagi nanti"
)

// maxTOTPBody bounds the body of get/totp: a NIK or e-mail address, a
// passphrase and BSrE's "data".
const maxTOTPBody = 64 << 10

// bsreTOTPRequest is the body of POST /api/v2/sign/get/totp. BSrE's
// clients send {nik, data: <number of files>}; Segel needs the
// passphrase to enrol. Data is accepted and ignored.
type bsreTOTPRequest struct {
	NIK        string          `json:"nik"`
	Email      string          `json:"email"`
	Passphrase string          `json:"passphrase"`
	Data       json.RawMessage `json:"data"`
}

// bsreTOTPAnswer is the answer of an enrolment, or of a call by an
// enrolled official without the passphrase (no secret then).
type bsreTOTPAnswer struct {
	Message    string `json:"message"`
	StatusCode int    `json:"status_code"`
	// Secret (base32) and URI (otpauth://) are given once, at enrolment.
	Secret string `json:"secret,omitempty"`
	URI    string `json:"otpauth,omitempty"`
}

// bsreGetTOTP is POST /api/v2/sign/get/totp.
func (s *Server) bsreGetTOTP(w http.ResponseWriter, r *http.Request) {
	var body bsreTOTPRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxTOTPBody))
	if err := dec.Decode(&body); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			bsreTooLarge(w, maxTOTPBody)
			return
		}
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreJSONError(err))
		return
	}
	io.Copy(io.Discard, io.LimitReader(r.Body, maxTOTPBody))
	pass := []byte(body.Passphrase)
	body.Passphrase = ""
	defer clear(pass)
	prof := s.bsreOfficial(body.NIK, body.Email)
	if prof == nil {
		writeBSrE(w, http.StatusBadRequest, bsreUserNotFound, "Pengguna tidak terdaftar")
		return
	}
	if !s.svc.TOTPEnabled(prof) {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgTOTPUnsupported)
		return
	}
	if len(pass) == 0 {
		enrolled, e := s.svc.TOTPEnrolled(r.Context(), prof)
		if e != nil {
			bsreProblem(w, problemOf(e), s.opts.MaxBodySize)
			return
		}
		if !enrolled {
			writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, bsreMsgTOTPNotEnrolled)
			return
		}
		writeTOTPAnswer(w, bsreTOTPAnswer{Message: bsreMsgTOTPFromApp, StatusCode: http.StatusOK})
		return
	}
	req := s.newRequest(r, prof)
	if e := s.svc.LockedOut(r.Context(), prof, req.ClientAddr); e != nil {
		bsreLockedOut(w, e)
		return
	}
	enr, err := s.svc.EnrolTOTP(r.Context(), &service.EnrolRequest{Profile: prof, Passphrase: pass,
		Client: req.Client, ClientAddr: req.ClientAddr, RequestID: req.RequestID})
	if err != nil {
		bsreProblem(w, problemFor(err), s.opts.MaxBodySize)
		return
	}
	writeTOTPAnswer(w, bsreTOTPAnswer{Message: bsreMsgTOTPEnrolled, StatusCode: http.StatusOK,
		Secret: enr.Secret, URI: enr.URI})
}

// bsreOfficial is the personal profile named by nik, or else by email.
func (s *Server) bsreOfficial(nik, email string) *Profile {
	if nik != "" {
		return s.svc.ProfileByNIK(nik)
	}
	return s.svc.ProfileByEmail(email)
}

// bsreLockedOut answers a locked-out official as BSrE answers too many
// wrong passphrases, with Retry-After.
func bsreLockedOut(w http.ResponseWriter, e *service.Error) {
	w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	writeBSrE(w, http.StatusTooManyRequests, bsreWrongPassphrase, bsreMsgLockedOut)
}

// writeTOTPAnswer answers 200 with a; never cached (it may hold the
// secret).
func writeTOTPAnswer(w http.ResponseWriter, a bsreTOTPAnswer) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(a)
}

// bsreUnlockTOTP checks the official's code, under the lock-out, and
// opens the sealed passphrase; nil once it has answered a failure.
func (s *Server) bsreUnlockTOTP(w http.ResponseWriter, r *http.Request, prof *Profile, code string) *service.TOTPUnlock {
	req := s.newRequest(r, prof)
	req.Level = prof.DefaultLevel
	if e := s.svc.LockedOut(r.Context(), prof, req.ClientAddr); e != nil {
		bsreLockedOut(w, e)
		return nil
	}
	tu, err := s.svc.UnlockTOTP(r.Context(), req, code)
	if err != nil {
		bsreProblem(w, problemFor(err), s.opts.MaxBodySize)
		return nil
	}
	return tu
}
