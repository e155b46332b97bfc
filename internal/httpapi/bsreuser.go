package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/segel-id/segel/internal/store"
)

// POST /api/v2/user/register ("Registrasi user BSrE baru"; some clients
// call /api/v2/user/registration). Segel issues no certificates: BSrE
// does, after checking the official's identity, and the operator then
// configures a personal profile with the official's key. So a
// registration is recorded for the operator (an audit entry "user-register"
// with outcome "pending" and a log line, holding the NIK, name and e-mail
// address, nothing else of the body) and answered 202 with a text that
// says where the certificate comes from (see docs/decisions.md,
// "Institutional seal and user registration (issue 14)").

// bsreRegistration is what is kept of a registration body; any other
// member (a password, a photo of the KTP) is neither read nor kept.
type bsreRegistration struct {
	Nama  string `json:"nama"`
	NIK   string `json:"nik"`
	Email string `json:"email"`
}

var bsreNIKRE = regexp.MustCompile(`^[0-9]{16}$`)

// Bounds of a registration's fields.
const maxRegistrationField = 128

func (s *Server) bsreUserRegister(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgCheck+": format JSON tidak sah")
		return
	}
	var b bsreRegistration
	if err := json.Unmarshal(raw, &b); err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreJSONError(err))
		return
	}
	clear(raw)
	b.Nama, b.NIK, b.Email = strings.TrimSpace(b.Nama), strings.TrimSpace(b.NIK), strings.TrimSpace(b.Email)
	bad := func(what string) { writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgCheck+": "+what) }
	switch {
	case b.Nama == "":
		bad("nama harus diisi")
		return
	case b.NIK == "" && b.Email == "":
		bad("nik atau email harus diisi")
		return
	case b.NIK != "" && !bsreNIKRE.MatchString(b.NIK):
		bad("nik terdiri dari 16 angka")
		return
	case b.Email != "" && !validEmail(b.Email):
		bad("email tidak sah")
		return
	case len(b.Nama) > maxRegistrationField || len(b.Email) > maxRegistrationField || !utf8.ValidString(b.Nama) || strings.ContainsFunc(b.Nama, isControl):
		bad("nama dan email paling panjang 128 byte, tanpa karakter kontrol")
		return
	}
	if p := s.svc.ProfileByNIK(b.NIK); p != nil || s.svc.ProfileByEmail(b.Email) != nil {
		writeBSrE(w, http.StatusConflict, http.StatusConflict, "Pengguna sudah terdaftar")
		return
	}
	id := requestID(r.Context())
	detail := "nik=" + b.NIK + " email=" + b.Email + " nama=" + b.Nama
	if err := s.opts.Store.AppendAudit(r.Context(), &store.AuditEntry{
		Time: s.opts.Now().UTC(), RequestID: id, Client: clientOf(r).name,
		Operation: "user-register", Outcome: "pending", Detail: detail,
	}); err != nil {
		s.opts.Logger.Error("audit", "request_id", id, "error", err)
		writeBSrE(w, http.StatusServiceUnavailable, bsreInternal, bsreMsgBusy)
		return
	}
	s.opts.Logger.Info("BSrE user registration recorded for the operator", "request_id", id, "client", clientOf(r).name,
		"nik", b.NIK, "email", b.Email, "nama", b.Nama)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{
		"status_code": http.StatusAccepted,
		"status":      "PENDING",
		"id":          id,
		"message": "Permohonan registrasi dicatat untuk operator Segel. Sertifikat elektronik diterbitkan oleh BSrE, bukan oleh Segel: " +
			"ajukan penerbitan sertifikat ke BSrE; setelah terbit, operator memasang profil penandatangan anda.",
	})
}

// validEmail reports whether a is a bare e-mail address.
func validEmail(a string) bool {
	m, err := mail.ParseAddress(a)
	return err == nil && m.Address == a && m.Name == ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
