package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/internal/totp"
	"github.com/segel-id/segel/verify"
)

// The NIKs of the TOTP tests' officials: camat (the SoftHSM token of
// newEnv) and lurah, a second official on the same key, to whom a row of
// camat's is moved.
const (
	totpNIK  = "3604012345670001"
	totpNIK2 = "3604012345670002"
)

// totpAnswer is the answer of POST /api/v2/sign/get/totp.
type totpAnswer struct {
	Message    string `json:"message"`
	Error      string `json:"error"`
	StatusCode int    `json:"status_code"`
	Secret     string `json:"secret"`
	URI        string `json:"otpauth"`
}

// totpEnv is newEnv with the SoftHSM personal profile camat opted in to
// TOTP under a fresh key-encryption key (none when kek is false), lurah
// beside it, and the BSrE API on.
func totpEnv(t *testing.T, kek bool, tweak func(*httpapi.Options)) *env {
	tok := softhsmtest.New(t, "segel", "1234")
	return newEnv(t, tok, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		if kek {
			o.TOTPKey = make([]byte, totp.KeySize)
			rand.Read(o.TOTPKey)
		}
		for _, p := range o.Profiles {
			if p.Name == "camat" {
				p.NIK, p.TOTP = totpNIK, true
				o.Profiles = append(o.Profiles, &httpapi.Profile{Name: "lurah", Key: p.Key, Personal: true, NIK: totpNIK2, TOTP: true})
				break
			}
		}
		if tweak != nil {
			tweak(o)
		}
	})
}

func (e *env) getTOTP(body map[string]any) (int, totpAnswer, string) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	resp, out := bsreClient{t: e.t.(*testing.T), url: e.url}.post("/api/v2/sign/get/totp", "application/json", b)
	var a totpAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		e.t.Fatalf("get/totp: not JSON: %v: %s", err, out)
	}
	return resp.StatusCode, a, resp.Header.Get("Cache-Control")
}

func (e *env) signTOTP(nik, code string, files int) (int, bsreV2Answer) {
	e.t.Helper()
	fs := make([]string, files)
	for i := range fs {
		fs[i] = base64.StdEncoding.EncodeToString(e.letter)
	}
	b, _ := json.Marshal(map[string]any{"nik": nik, "totp": code, "file": fs})
	resp, out := bsreClient{t: e.t.(*testing.T), url: e.url}.post("/api/v2/sign/pdf", "application/json", b)
	var a bsreV2Answer
	if err := json.Unmarshal(out, &a); err != nil {
		e.t.Fatalf("sign: not JSON: %v: %.300s", err, out)
	}
	return resp.StatusCode, a
}

// secretOf decodes an enrolment's secret, checking the otpauth URI
// carries the same.
func secretOf(t *testing.T, a totpAnswer) []byte {
	t.Helper()
	s, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(a.Secret)
	if err != nil || len(s) != 20 {
		t.Fatalf("secret %q: %v, want 20 bytes of base32", a.Secret, err)
	}
	u, err := url.Parse(a.URI)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Segel:"+totpNIK ||
		u.Query().Get("secret") != a.Secret || u.Query().Get("issuer") != "Segel" {
		t.Fatalf("otpauth URI %q (%v)", a.URI, err)
	}
	return s
}

// wrongCode returns a code no step of the window around now gives.
func wrongCode(secret []byte) string {
	now := time.Now()
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if c != totp.Code(secret, now) && c != totp.Code(secret, now.Add(-totp.Step)) && c != totp.Code(secret, now.Add(totp.Step)) &&
			c != totp.Code(secret, now.Add(2*totp.Step)) {
			return c
		}
	}
}

// pdfsigValid checks that poppler's pdfsig finds the signature valid.
func pdfsigValid(t *testing.T, pdf []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testenv.Tool(t, "pdfsig"), f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig: %v\n%s", err, out)
	}
}

// TestBSrETOTP: an official enrols with the passphrase (proven on the
// SoftHSM token) and gets the secret once; a code of it signs, as good
// for Segel's verify and pdfsig, several files with one code; the same
// code again is refused (replay), and so is a code moved to another
// official's row; without the passphrase get/totp says where codes come
// from. Neither the secret, a code nor the passphrase reaches the log or
// the audit log.
func TestBSrETOTP(t *testing.T) {
	e := totpEnv(t, true, nil)
	ctx := context.Background()

	// Not enrolled: without the passphrase, a BSrE 400 in Indonesian;
	// a code is refused the same way.
	code, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "data": 1})
	if code != 400 || !strings.Contains(a.Error, "belum terdaftar TOTP") || a.Secret != "" {
		t.Fatalf("get/totp not enrolled, no passphrase: %d %+v", code, a)
	}
	if code, s := e.signTOTP(totpNIK, "123456", 1); code != 400 || !strings.Contains(s.Error, "belum terdaftar TOTP") {
		t.Fatalf("sign with a code, not enrolled: %d %+v", code, s)
	}
	// A wrong passphrase does not enrol (and counts).
	if code, a, _ = e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "salah"}); code != 400 || a.StatusCode != 2031 || a.Secret != "" {
		t.Fatalf("enrol with a wrong passphrase: %d %+v", code, a)
	}
	if _, err := e.st.GetOTP(ctx, "camat", totpNIK); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a wrong passphrase enrolled: %v", err)
	}
	if n, err := e.st.CountFailures(ctx, "profile:camat", time.Now().Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("a wrong passphrase at enrolment counted %d (%v), want 1", n, err)
	}

	// Enrolment: the secret once, not cached.
	code, a, cache := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat", "data": 1})
	if code != 200 || a.StatusCode != 200 || cache != "no-store" {
		t.Fatalf("enrol: %d %+v (Cache-Control %q)", code, a, cache)
	}
	secret := secretOf(t, a)
	// Enrolled, without the passphrase (as BSrE's clients ask before
	// signing): 200, where the code comes from, no secret.
	code, again, _ := e.getTOTP(map[string]any{"nik": totpNIK, "data": 2})
	if code != 200 || again.Secret != "" || again.URI != "" || !strings.Contains(again.Message, "aplikasi autentikator") {
		t.Fatalf("get/totp enrolled, no passphrase: %d %+v", code, again)
	}

	// A code signs two files; both verify.
	now := totp.Code(secret, time.Now())
	code, s := e.signTOTP(totpNIK, now, 2)
	if code != 200 || len(s.File) != 2 {
		t.Fatalf("sign with a code: %d %+v", code, s)
	}
	for i, f := range s.File {
		pdf, _ := base64.StdEncoding.DecodeString(f)
		if rep := e.verifyReport(pdf); rep.Indication != verify.TotalPassed || rep.Signatures[0].Signer.CommonName != "Camat Cikande" {
			t.Errorf("file %d signed with a code: %s", i, rep.Indication)
		}
		if i == 0 {
			pdfsigValid(t, pdf)
		}
	}
	// The same code again: refused, a replay.
	if code, s = e.signTOTP(totpNIK, now, 1); code != 400 || s.Code != 2031 || !strings.Contains(s.Error, "sudah digunakan") {
		t.Errorf("the same code again: %d %+v", code, s)
	}
	// The next step's code (within the window) signs once.
	next := totp.Code(secret, time.Now().Add(totp.Step))
	if next != now {
		if code, s = e.signTOTP(totpNIK, next, 1); code != 200 {
			t.Errorf("the next step's code: %d %+v", code, s)
		}
	}

	// camat's row moved to lurah: lurah's AAD does not open it.
	row, err := e.st.GetOTP(ctx, "camat", totpNIK)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutOTP(ctx, &store.OTPEnrolment{Profile: "lurah", Subject: totpNIK2, Sealed: row.Sealed}); err != nil {
		t.Fatal(err)
	}
	later := totp.Code(secret, time.Now().Add(-totp.Step))
	if code, s = e.signTOTP(totpNIK2, later, 1); code != 400 || !strings.Contains(s.Error, "daftar ulang") || len(s.File) != 0 {
		t.Errorf("camat's row under lurah: %d %+v", code, s)
	}

	// No secret, code or passphrase in the log or the audit log.
	entries, err := e.st.AuditEntries(ctx, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var audit strings.Builder
	ops := map[string]int{}
	for _, en := range entries {
		b, _ := json.Marshal(en)
		audit.Write(b)
		ops[en.Operation+" "+en.Outcome]++
	}
	for where, text := range map[string]string{"log": e.logs.String(), "audit": audit.String()} {
		for _, secretText := range []string{a.Secret, string(secret), now, next, "rahasia-camat", base64.StdEncoding.EncodeToString(row.Sealed)} {
			if secretText != "" && strings.Contains(text, secretText) {
				t.Errorf("the %s holds a secret (%d bytes)", where, len(secretText))
			}
		}
	}
	// Enrolment, the failed enrolment, the replay and the moved row are
	// audited.
	for _, want := range []string{"totp-enrol ok", "totp-enrol passphrase-rejected", "sign totp-rejected", "sign totp-stale", "sign ok"} {
		if ops[want] == 0 {
			t.Errorf("no audit entry %q (%v)", want, ops)
		}
	}
	e.tempEmpty()
}

// TestBSrETOTPLockout: wrong codes count in the passphrase lock-out of
// the official and address: after the limit even the right code, and
// the right passphrase, are refused as for too many wrong passphrases.
func TestBSrETOTPLockout(t *testing.T) {
	e := totpEnv(t, true, func(o *httpapi.Options) { o.PassphraseAttempts, o.ProfileAttempts = 3, 3 })
	_, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"})
	secret := secretOf(t, a)
	bad := wrongCode(secret)
	for i := range 3 {
		if code, s := e.signTOTP(totpNIK, bad, 1); code != 400 || s.Code != 2031 {
			t.Fatalf("wrong code %d: %d %+v", i+1, code, s)
		}
	}
	n, err := e.st.CountFailures(context.Background(), "profile:camat", time.Now().Add(-time.Hour))
	if err != nil || n != 3 {
		t.Fatalf("failures counted for camat: %d, %v; want 3", n, err)
	}
	if code, s := e.signTOTP(totpNIK, totp.Code(secret, time.Now()), 1); code != 429 || !strings.Contains(s.Error, "Terlalu banyak") {
		t.Errorf("the right code after 3 wrong: %d %+v, want 429", code, s)
	}
	b, _ := json.Marshal(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat", "file": base64.StdEncoding.EncodeToString(e.letter)})
	resp, out := bsreClient{t: t, url: e.url}.post("/api/v2/sign/pdf", "application/json", b)
	if resp.StatusCode != 429 {
		t.Errorf("the right passphrase after 3 wrong codes: %d %s, want 429", resp.StatusCode, out)
	}
	if code, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"}); code != 429 || a.Secret != "" {
		t.Errorf("enrolment while locked out: %d %+v, want 429", code, a)
	}
}

// TestBSrETOTPUnsupported: without a key-encryption key (or on a profile
// that did not opt in) TOTP answers as before it existed, and nothing is
// enrolled.
func TestBSrETOTPUnsupported(t *testing.T) {
	e := totpEnv(t, false, nil)
	if code, s := e.signTOTP(totpNIK, "123456", 1); code != 400 || s.Error != "Metode otentikasi TOTP tidak didukung" {
		t.Errorf("sign with a code, no KEK: %d %+v", code, s)
	}
	if code, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"}); code != 400 || a.Error != "Metode otentikasi TOTP tidak didukung" || a.Secret != "" {
		t.Errorf("enrol, no KEK: %d %+v", code, a)
	}
	if _, err := e.st.GetOTP(context.Background(), "camat", totpNIK); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("enrolled without a KEK: %v", err)
	}
}

// TestBSrETOTPPassphraseChanged: after the official changes the token's
// PIN the sealed passphrase no longer opens the key: the code is answered
// with "enrol again" (not counted as a guess, audited), and enrolling
// again with the new passphrase makes codes sign again.
func TestBSrETOTPPassphraseChanged(t *testing.T) {
	e := totpEnv(t, true, nil)
	_, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"})
	secret := secretOf(t, a)
	setPIN(t, "camat", "rahasia-camat", "pin-baru-camat")

	code, s := e.signTOTP(totpNIK, totp.Code(secret, time.Now()), 1)
	if code != 400 || !strings.Contains(s.Error, "daftar ulang") {
		t.Fatalf("a code after the PIN changed: %d %+v", code, s)
	}
	if n, _ := e.st.CountFailures(context.Background(), "profile:camat", time.Now().Add(-time.Hour)); n != 0 {
		t.Errorf("the stale enrolment counted %d failed attempts, want 0", n)
	}
	code, a, _ = e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "pin-baru-camat"})
	if code != 200 {
		t.Fatalf("enrol again with the new passphrase: %d %+v", code, a)
	}
	fresh := secretOf(t, a)
	if string(fresh) == string(secret) {
		t.Error("re-enrolment kept the old secret")
	}
	if code, s := e.signTOTP(totpNIK, totp.Code(fresh, time.Now()), 1); code != 200 || len(s.File) != 1 {
		t.Errorf("a code of the new enrolment: %d %+v", code, s)
	}
}

// setPIN changes the user PIN of the SoftHSM token label, in this
// process (the module newEnv loaded), as an official changing it would.
func setPIN(t *testing.T, label, old, pin string) {
	t.Helper()
	m := p11.New(softhsmtest.ModulePath)
	if m == nil {
		t.Fatal("cannot load the SoftHSM module")
	}
	if err := m.Initialize(); err != nil && !errors.Is(err, p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		t.Fatal(err)
	}
	slots, err := m.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range slots {
		ti, err := m.GetTokenInfo(sl)
		if err != nil || strings.TrimSpace(ti.Label) != label {
			continue
		}
		sh, err := m.OpenSession(sl, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		defer m.CloseSession(sh)
		if err := m.SetPIN(sh, old, pin); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no token %q", label)
}

// TestBSrETOTPConcurrentReplay: the same code in four requests at once
// signs exactly once.
func TestBSrETOTPConcurrentReplay(t *testing.T) {
	e := totpEnv(t, true, nil)
	_, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"})
	code := totp.Code(secretOf(t, a), time.Now())
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 4 {
		wg.Go(func() {
			st, _ := e.signTOTP(totpNIK, code, 1)
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[400] != 3 {
		t.Errorf("one code in 4 requests at once: %v, want one 200 and three 400", statuses)
	}
}

// TestBSrETOTPWrongCodesDisable: the passphrase lock-out alone (5 in 15
// minutes) lets 480 codes a day be tried; after TOTPWrongCodes (10)
// wrong codes for one enrolment, spread out so that the lock-out never
// trips, even the right code is refused with "enrol again" (not counted
// as a guess), until the wrong codes are a week old or the official
// enrols again with the passphrase.
func TestBSrETOTPWrongCodesDisable(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	e := totpEnv(t, true, func(o *httpapi.Options) { o.Now = now })
	_, a, _ := e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"})
	secret := secretOf(t, a)
	for i := range 10 {
		advance(16 * time.Minute)
		if code, s := e.signTOTP(totpNIK, wrongCodeAt(secret, now()), 1); code != 400 || s.Error != "Kode TOTP salah atau sudah digunakan" {
			t.Fatalf("wrong code %d: %d %+v", i+1, code, s)
		}
	}
	advance(16 * time.Minute)
	code, s := e.signTOTP(totpNIK, totp.Code(secret, now()), 1)
	if code != 400 || !strings.Contains(s.Error, "daftar ulang") || len(s.File) != 0 {
		t.Fatalf("the right code after 10 wrong ones: %d %q (%d files), want 400 asking to enrol again", code, s.Error, len(s.File))
	}
	if n, _ := e.st.CountFailures(context.Background(), "profile:camat", now().Add(-24*time.Hour)); n != 10 {
		t.Errorf("failed attempts counted: %d, want 10 (the refused right code is not a guess)", n)
	}
	// A week after the wrong codes they count no more: at most 10 a
	// week reach an enrolment.
	advance(7 * 24 * time.Hour)
	if code, s := e.signTOTP(totpNIK, totp.Code(secret, now()), 1); code != 200 || len(s.File) != 1 {
		t.Errorf("the right code a week after the wrong ones: %d %q", code, s.Error)
	}
	for i := range 10 {
		advance(16 * time.Minute)
		if code, s := e.signTOTP(totpNIK, wrongCodeAt(secret, now()), 1); code != 400 || s.Error != "Kode TOTP salah atau sudah digunakan" {
			t.Fatalf("wrong code %d of the second week: %d %+v", i+1, code, s)
		}
	}
	advance(16 * time.Minute)
	if code, s := e.signTOTP(totpNIK, totp.Code(secret, now()), 1); code != 400 || !strings.Contains(s.Error, "daftar ulang") {
		t.Fatalf("the right code after 10 more wrong ones: %d %q", code, s.Error)
	}
	// Enrolling again (the passphrase) starts the count afresh.
	if code, a, _ = e.getTOTP(map[string]any{"nik": totpNIK, "passphrase": "rahasia-camat"}); code != 200 {
		t.Fatalf("enrol again: %d %+v", code, a)
	}
	fresh := secretOf(t, a)
	if code, s := e.signTOTP(totpNIK, totp.Code(fresh, now()), 1); code != 200 || len(s.File) != 1 {
		t.Errorf("a code of the new enrolment: %d %q", code, s.Error)
	}
}

// wrongCodeAt is wrongCode for the window around now.
func wrongCodeAt(secret []byte, now time.Time) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		ok := true
		for s := -2; s <= 2; s++ {
			if c == totp.Code(secret, now.Add(time.Duration(s)*totp.Step)) {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
}
