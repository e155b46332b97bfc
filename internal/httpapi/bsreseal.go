package httpapi

import (
	"context"
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
	"github.com/segel-id/segel/internal/store"
)

// The institutional seal of the BSrE API (/api/v2/seal/…), as BSrE's
// open-source clients call it: activation ("Aktivasi / Refresh TOTP
// Seal"), a seal code for a number of documents, the sealing itself and
// the revocation. A seal is a profile with seal: true, named by its
// idSubscriber; its key is the institution's, and what guards it is the
// activation code of its custodian's authenticator app (see
// internal/service/seal.go and docs/decisions.md, "Institutional seal and
// user registration (issue 14)").
//
// The shared BSrE login does not open a seal: the caller authenticates
// as a Segel API client (HTTP Basic with the client's name and API key,
// or Authorization: Bearer with the key) allowed the seal's profile and
// the sign operation.

// Texts of the seal's answers.
const (
	bsreMsgSealUnknown   = "ID subscriber segel tidak terdaftar"
	bsreMsgSealForbidden = "Klien tidak diizinkan menggunakan segel ini"
	bsreMsgSealShared    = "Segel memerlukan klien API Segel (nama klien dan kunci API), bukan akun bersama BSrE"
	bsreMsgSealCode      = "Kode TOTP harus diisi"
	bsreMsgSealRejected  = "Kode TOTP salah, kedaluwarsa atau sudah digunakan"
	bsreMsgSealLocked    = "Terlalu banyak kode TOTP salah; coba lagi nanti"
	bsreMsgSealInactive  = "Segel belum diaktivasi; lakukan aktivasi terlebih dahulu"
	bsreMsgSealStale     = "Aktivasi segel tidak berlaku lagi karena terlalu banyak kode TOTP salah; segel harus diaktivasi ulang oleh operator Segel"
	bsreMsgSealOperator  = "Aktivasi segel diberikan kepada pemegang segel oleh operator Segel, tidak melalui API; hubungi operator"
	bsreMsgSealTaken     = "Segel sudah diaktivasi oleh permintaan lain"
)

func (s *Server) bsreSealRoutes(r chi.Router) {
	r.Post("/api/v2/seal/get/activation", s.bsreClientAuth(s.bsreSealActivation))
	r.Post("/api/v2/seal/get/totp", s.bsreClientAuth(s.bsreSealCode))
	r.Post("/api/v2/seal/pdf", s.bsreClientAuth(s.bsreSealPDF))
	r.Post("/api/v2/seal/revoke/activation", s.bsreClientAuth(s.bsreSealRevoke))
}

// bsreClientAuth authenticates a Segel API client on a BSrE route: HTTP
// Basic with its name and API key (what BSrE clients send), or a Bearer
// key. The shared BSrE login is refused (403): it names no client, so no
// profile can be allowed it.
func (s *Server) bsreClientAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, key, basic := r.BasicAuth()
		if !basic {
			scheme, k, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
			if ok && strings.EqualFold(scheme, "Bearer") {
				key = strings.TrimSpace(k)
			}
		}
		if basic && s.opts.BSrEUser != "" &&
			subtle.ConstantTimeCompare([]byte(name), []byte(s.opts.BSrEUser)) == 1 &&
			subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.BSrEPassword)) == 1 {
			writeBSrE(w, http.StatusForbidden, http.StatusForbidden, bsreMsgSealShared)
			return
		}
		unauthorized := func() {
			w.Header().Set("WWW-Authenticate", `Basic realm="segel"`)
			writeBSrE(w, http.StatusUnauthorized, 401, bsreMsgUnauthorized)
		}
		if key == "" {
			unauthorized()
			return
		}
		c, err := s.client(r.Context(), keyHash(key))
		if err != nil || (basic && c.Name != name) {
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				s.opts.Logger.Error("store", "request_id", requestID(r.Context()), "error", err)
				writeBSrE(w, http.StatusServiceUnavailable, bsreInternal, bsreMsgBusy)
				return
			}
			unauthorized()
			return
		}
		ci := clientOf(r)
		if ci == nil {
			ci = &clientInfo{}
			r = r.WithContext(context.WithValue(r.Context(), keyClient, ci))
		}
		ci.name, ci.profiles, ci.operations = c.Name, c.Profiles, c.Operations
		next(w, r)
	}
}

// bsreSealBody is the body of the seal's calls beyond their files.
type bsreSealBody struct {
	IDSubscriber string `json:"idSubscriber"`
	TOTP         string `json:"totp"`
	// Data is the number of documents of a seal code (get/totp).
	Data  *bsreNum      `json:"data"`
	Props []bsreV2Props `json:"signatureProperties"`
}

// bsreSealCall reads a seal call's small JSON body and finds its seal,
// which the client must be allowed; it answers a failure itself and
// returns nil.
func (s *Server) bsreSealCall(w http.ResponseWriter, r *http.Request, body *bsreSealBody) *service.SealCall {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgCheck+": format JSON tidak sah")
		return nil
	}
	if err := json.Unmarshal(raw, body); err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreJSONError(err))
		return nil
	}
	return s.bsreSeal(w, r, body)
}

// bsreSeal finds the seal of body for r's client.
func (s *Server) bsreSeal(w http.ResponseWriter, r *http.Request, body *bsreSealBody) *service.SealCall {
	prof := s.svc.ProfileBySubscriber(strings.TrimSpace(body.IDSubscriber))
	if prof == nil {
		writeBSrE(w, http.StatusBadRequest, bsreUserNotFound, bsreMsgSealUnknown)
		return nil
	}
	c := clientOf(r)
	if !c.mayUse(prof.Name) || !c.may("sign") {
		writeBSrE(w, http.StatusForbidden, http.StatusForbidden, bsreMsgSealForbidden)
		return nil
	}
	return &service.SealCall{Profile: prof, Code: strings.TrimSpace(body.TOTP), Client: c.name,
		ClientAddr: s.clientAddress(r), RequestID: requestID(r.Context())}
}

// bsreSealFailure answers a failure of the seal in BSrE's shape.
func bsreSealFailure(w http.ResponseWriter, e *service.Error, limit int64) {
	switch e.Kind {
	case "seal-code-required":
		writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, bsreMsgSealCode)
	case "seal-code-rejected":
		writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, bsreMsgSealRejected)
	case "seal-locked-out":
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		writeBSrE(w, http.StatusTooManyRequests, bsreWrongPassphrase, bsreMsgSealLocked)
	case "seal-not-activated":
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgSealInactive)
	case "seal-activation-stale":
		writeBSrE(w, http.StatusBadRequest, bsreWrongPassphrase, bsreMsgSealStale)
	case "bad-request":
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest,
			fmt.Sprintf("%s: data adalah jumlah dokumen, 1 sampai %d", bsreMsgCheck, service.MaxSealDocuments))
	default:
		bsreProblem(w, problemOf(e), limit)
	}
}

// bsreSealActivation is POST /api/v2/seal/get/activation
// {idSubscriber[, totp]}: with a valid code of the current activation the
// secret is replaced (refresh). A seal not activated, or revoked, is
// activated by the operator (`segel seal activate`), as BSrE sends the
// activation to the seal's owner rather than to the calling app: 200 with
// a message saying so and no secret. Only a seal profile with
// api_activation answers its first activation's secret, once, to the
// first caller.
func (s *Server) bsreSealActivation(w http.ResponseWriter, r *http.Request) {
	var body bsreSealBody
	c := s.bsreSealCall(w, r, &body)
	if c == nil {
		return
	}
	act, e := s.svc.ActivateSeal(r.Context(), c)
	switch {
	case e != nil && e.Kind == "seal-activation-by-operator":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"status_code": http.StatusOK, "message": bsreMsgSealOperator,
			"idSubscriber": c.Profile.IDSubscriber})
		return
	case e != nil && e.Kind == "seal-already-activated":
		writeBSrE(w, http.StatusConflict, http.StatusConflict, bsreMsgSealTaken)
		return
	case e != nil:
		bsreSealFailure(w, e, s.opts.MaxBodySize)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"status_code":  http.StatusOK,
		"message":      "Aktivasi segel berhasil; pindai otpauth dengan aplikasi autentikator pemegang segel. Rahasia ini hanya ditampilkan sekali.",
		"idSubscriber": c.Profile.IDSubscriber,
		"otpauth":      act.URI,
		"secret":       act.Secret,
	})
}

// bsreSealCode is POST /api/v2/seal/get/totp {idSubscriber, totp, data}:
// for a valid activation code, a seal code good for data documents
// (default 1) within service.SealCodeTTL.
func (s *Server) bsreSealCode(w http.ResponseWriter, r *http.Request) {
	var body bsreSealBody
	c := s.bsreSealCall(w, r, &body)
	if c == nil {
		return
	}
	n := 1
	if body.Data != nil {
		f := float64(*body.Data)
		if f != float64(int(f)) || f < 1 || f > service.MaxSealDocuments {
			bsreSealFailure(w, service.Fail("bad-request", ""), s.opts.MaxBodySize)
			return
		}
		n = int(f)
	}
	code, e := s.svc.IssueSealCode(r.Context(), c, n)
	if e != nil {
		bsreSealFailure(w, e, s.opts.MaxBodySize)
		return
	}
	loc := s.svc.Location()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"status_code": http.StatusOK,
		"message":     fmt.Sprintf("Kode segel berlaku untuk %d dokumen sampai pukul %s", code.Documents, code.Expires.In(loc).Format("15.04.05 MST")),
		"totp":        code.Code,
		"data":        code.Documents,
		"expires":     code.Expires.UTC().Format(time.RFC3339),
		"expires_in":  int(service.SealCodeTTL / time.Second),
	})
}

// bsreSealRevoke is POST /api/v2/seal/revoke/activation {idSubscriber,
// totp}: with a valid activation code, the activation ends.
func (s *Server) bsreSealRevoke(w http.ResponseWriter, r *http.Request) {
	var body bsreSealBody
	c := s.bsreSealCall(w, r, &body)
	if c == nil {
		return
	}
	if e := s.svc.RevokeSeal(r.Context(), c); e != nil {
		bsreSealFailure(w, e, s.opts.MaxBodySize)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"status_code": http.StatusOK,
		"message": "Aktivasi segel dicabut; segel tidak dapat digunakan sampai diaktivasi kembali"})
}

// bsreSealPDF is POST /api/v2/seal/pdf: the v2 sign/pdf body with
// idSubscriber and totp (a seal code) instead of nik and passphrase. Each
// file spends one document of the seal code.
func (s *Server) bsreSealPDF(w http.ResponseWriter, r *http.Request) {
	v2, pr := s.readV2(http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize*2))
	if pr != nil {
		bsreV2Problem(w, pr, s.opts.MaxBodySize)
		return
	}
	defer v2.Close()
	var body bsreSealBody
	if err := v2.decode(&body); err != nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreJSONError(err))
		return
	}
	c := s.bsreSeal(w, r, &body)
	if c == nil {
		return
	}
	if c.Code == "" {
		bsreSealFailure(w, service.Fail("seal-code-required", ""), s.opts.MaxBodySize)
		return
	}
	if !bsreFilesFit(w, len(v2.files), body.Props) {
		return
	}
	props := bsreV2Request{Props: body.Props}
	start := time.Now()
	// Every request is checked before the seal code is touched: a bad
	// stamp spends nothing.
	reqs := make([]*service.Request, len(v2.files))
	for i := range v2.files {
		p := props.propsFor(i)
		req := s.newRequest(r, c.Profile)
		req.Level, req.Reason, req.Location = c.Profile.DefaultLevel, c.Profile.Reason, c.Profile.Location
		if p != nil {
			if p.Reason != "" {
				req.Reason = p.Reason
			}
			if p.Location != "" {
				req.Location = p.Location
			}
		}
		if !bsreLookInto(w, req, p.look()) {
			return
		}
		reqs[i] = req
	}
	// The documents of every file are spent at once: all are sealed or
	// none is.
	grant, e := s.svc.SpendSealCode(r.Context(), c, len(v2.files))
	if e != nil {
		bsreSealFailure(w, e, s.opts.MaxBodySize)
		return
	}
	var signed []*service.Result
	for i, in := range v2.files {
		reqs[i].Seal = grant
		res, pr := s.signSpooled(r, reqs[i], in)
		if pr != nil {
			bsreProblem(w, pr, s.opts.MaxBodySize)
			return
		}
		signed = append(signed, res)
	}
	writeBSrESigned(w, start, signed)
}

// writeBSrESigned answers signed files as v2 sign/pdf does: {"time",
// "file": [base64…], "id_dokumen": [id…]}, with the ids also in the
// id_dokumen header (comma-separated), so that an app can build the QR
// link of each. The files are streamed, base64-encoded from their spool
// files.
func writeBSrESigned(w http.ResponseWriter, start time.Time, signed []*service.Result) {
	ids := make([]string, len(signed))
	for i, res := range signed {
		ids[i] = res.Document.ID
	}
	setBSrEDocumentID(w, strings.Join(ids, ","))
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"time":%d,"file":[`, time.Since(start).Milliseconds())
	for i, res := range signed {
		if i > 0 {
			io.WriteString(w, ",")
		}
		io.WriteString(w, `"`)
		enc := base64.NewEncoder(base64.StdEncoding, w)
		io.Copy(enc, res.Signed)
		enc.Close()
		io.WriteString(w, `"`)
	}
	idsJSON, _ := json.Marshal(ids)
	fmt.Fprintf(w, `],"id_dokumen":%s}`+"\n", idsJSON)
}
