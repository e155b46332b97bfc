package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/totp"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

const (
	sealSubscriber = "SEAL-PEMDA-SERANG"
	sealOrg        = "Pemerintah Kabupaten Serang"
)

// sealClock is the gateway's clock in the seal tests: the real time
// moved forward by the test, so that each step gives a new TOTP code.
type sealClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *sealClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// step moves the clock to the next TOTP step.
func (c *sealClock) step() {
	c.mu.Lock()
	c.off += totp.Step
	c.mu.Unlock()
}

func (c *sealClock) add(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// sealEnv is a gateway with a seal profile "pemda-seal" whose key is on
// SoftHSM, certified to an organisation, and the API clients "pemda-app"
// (allowed the seal) and "other-app" (not). With apiActivation the
// profile has api_activation: the API makes the first activation.
type sealEnv struct {
	*env
	t     *testing.T
	clock *sealClock
	org   *testpki.Identity
	kek   []byte
}

func newSealEnv(t *testing.T, apiActivation bool) *sealEnv {
	tok := softhsmtest.New(t, "segel", "1234")
	clock := &sealClock{}
	var org *testpki.Identity
	kek := make([]byte, totp.KeySize)
	rand.Read(kek)
	e := newEnv(t, tok, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.MaxBodySize = 1 << 20
		o.Now = clock.now
		o.TOTPKey = kek
		// The organisation's certificate, from a CA the gateway trusts.
		pki, _ := testpki.MustNewServer(t, testpki.Options{Name: "Segel Seal Test"})
		o.Trust.AddCert(pki.Root.Cert, "seal test root")
		pub := tok.GenerateKey(t, "pemda-seal", pkcs11.ECP256)
		org = pki.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub, NonRepudiation: true,
			Subject: pkix.Name{CommonName: sealOrg, Organization: []string{sealOrg}, OrganizationalUnit: []string{"Sekretariat Daerah"}}})
		tok.ImportCert(t, "pemda-seal", org.Cert, org.Chain...)
		k, err := keyref.Open(context.Background(), tok.KeyURI("pemda-seal"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Close() })
		o.Profiles = append(o.Profiles, &httpapi.Profile{Name: "pemda-seal", Key: k, Seal: true, IDSubscriber: sealSubscriber,
			APIActivation: apiActivation, Keep: true})
	})
	e.client("pemda-app", []string{"pemda-seal"}, []string{"sign"})
	e.client("other-app", []string{"sekda"}, []string{"sign"})
	return &sealEnv{env: e, t: t, clock: clock, org: org, kek: kek}
}

// call posts body to a seal route as client ("shared": the shared BSrE
// login) with HTTP Basic, as BSrE's clients send it.
func (s *sealEnv) call(path, client string, body any) (*http.Response, map[string]any) {
	s.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if client == "shared" {
		req.SetBasicAuth("esign", "rahasia-basic")
	} else {
		req.SetBasicAuth(client, s.keys[client])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		s.t.Fatalf("%s: not JSON: %.300s", path, b)
	}
	return resp, out
}

// want checks an answer's HTTP status and BSrE status_code.
func want(t *testing.T, what string, resp *http.Response, a map[string]any, status, code int) {
	t.Helper()
	got, _ := a["status_code"].(float64)
	if resp.StatusCode != status || int(got) != code {
		t.Fatalf("%s: %d %v, want %d status_code %d", what, resp.StatusCode, a, status, code)
	}
	if msg, ok := a["error"].(string); ok {
		noGoInternals(t, what, msg)
	}
}

// activate activates the seal over the API (a profile with
// api_activation) and returns its secret.
func (s *sealEnv) activate() []byte {
	s.t.Helper()
	resp, a := s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber})
	want(s.t, "activation", resp, a, 200, 200)
	uri, _ := a["otpauth"].(string)
	b32, _ := a["secret"].(string)
	return sealSecretOf(s.t, uri, b32)
}

// sealSecretOf checks an activation's otpauth URI and base32 secret and
// returns the secret.
func sealSecretOf(t *testing.T, uri, b32 string) []byte {
	t.Helper()
	if !strings.HasPrefix(uri, "otpauth://totp/Segel:"+sealSubscriber+"?") || !strings.Contains(uri, "secret="+b32) {
		t.Fatalf("otpauth %q, secret %q", uri, b32)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
	if err != nil || len(secret) < 16 {
		t.Fatalf("secret %q: %v", b32, err)
	}
	return secret
}

// operatorActivate activates the seal as `segel seal activate` does and
// returns its secret.
func (s *sealEnv) operatorActivate(replace bool) ([]byte, error) {
	act, err := service.ActivateSealOperator(context.Background(), &service.SealOperatorActivation{Store: s.st, Key: s.kek,
		Profile: "pemda-seal", IDSubscriber: sealSubscriber, Operator: "operator:test", Replace: replace, Now: s.clock.now})
	if err != nil {
		return nil, err
	}
	return sealSecretOf(s.t, act.URI, act.Secret), nil
}

// wantNoSecret checks an activation answered as the operator's: 200, the
// message saying so, no secret.
func wantNoSecret(t *testing.T, what string, resp *http.Response, a map[string]any) {
	t.Helper()
	want(t, what, resp, a, 200, 200)
	if _, ok := a["secret"]; ok {
		t.Fatalf("%s: a secret in %v", what, a)
	}
	if _, ok := a["otpauth"]; ok {
		t.Fatalf("%s: an otpauth URI in %v", what, a)
	}
	if msg, _ := a["message"].(string); !strings.Contains(msg, "oleh operator") || !strings.Contains(msg, "pemegang segel") {
		t.Fatalf("%s: message %q, want the operator's activation", what, msg)
	}
}

// code is the activation code at the gateway's time, after moving it to
// a fresh step.
func (s *sealEnv) code(secret []byte) string {
	s.clock.step()
	return totp.Code(secret, s.clock.now())
}

// sealCode asks a seal code for n documents (data as the JS client
// sends it: a string).
func (s *sealEnv) sealCode(secret []byte, n string) string {
	s.t.Helper()
	resp, a := s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret), "data": n})
	want(s.t, "get/totp", resp, a, 200, 200)
	c, _ := a["totp"].(string)
	if c == "" || a["expires_in"] != float64(300) {
		s.t.Fatalf("get/totp: %v", a)
	}
	return c
}

func (s *sealEnv) sealBody(code string, files int) map[string]any {
	var f []string
	for range files {
		f = append(f, base64.StdEncoding.EncodeToString(s.letter))
	}
	return map[string]any{"idSubscriber": sealSubscriber, "totp": code,
		"signatureProperties": []map[string]any{{"tampilan": "INVISIBLE", "reason": "Segel Pemerintah Kabupaten", "location": "Serang"}},
		"file":                f}
}

// TestBSrESeal drives the seal as BSrE's JS client does: activation, a
// seal code for two documents, two seals and a third refused, replayed
// codes refused, refresh and revocation; the sealed PDF verifies and its
// signer is the organisation.
func TestBSrESeal(t *testing.T) {
	s := newSealEnv(t, true)
	secret := s.activate()

	// Active: an API key alone takes nothing over.
	resp, a := s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber})
	want(t, "activation again, no code", resp, a, 400, 2031)
	resp, a = s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": "000000"})
	want(t, "activation again, wrong code", resp, a, 400, 2031)

	// A seal code for two documents; the activation code is spent.
	act := s.code(secret)
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": act, "data": 2})
	want(t, "get/totp", resp, a, 200, 200)
	code, _ := a["totp"].(string)
	if a["data"] != float64(2) || code == "" {
		t.Fatalf("get/totp: %v", a)
	}
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": act, "data": 1})
	want(t, "replayed activation code", resp, a, 400, 2031)

	// Two seals, then the code is used up.
	for range 2 {
		resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
		want(t, "seal/pdf", resp, a, 200, 0)
	}
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "third seal/pdf", resp, a, 400, 2031)

	// The sealed PDF verifies, signed by the organisation's certificate.
	code = s.sealCode(secret, "1")
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	files, _ := a["file"].([]any)
	docIDs, _ := a["id_dokumen"].([]any)
	if resp.StatusCode != 200 || len(files) != 1 || len(docIDs) != 1 || resp.Header.Get("id_dokumen") != docIDs[0] {
		t.Fatalf("seal/pdf: %d %v", resp.StatusCode, resp.Header)
	}
	pdf, _ := base64.StdEncoding.DecodeString(files[0].(string))
	rep := s.verifyReport(pdf)
	if rep.Indication != verify.TotalPassed || len(rep.Signatures) != 1 {
		t.Fatalf("sealed PDF: %s", rep.Indication)
	}
	sum := sha256.Sum256(s.org.Cert.Raw)
	if sg := rep.Signatures[0].Signer; sg == nil || sg.SHA256 != hex.EncodeToString(sum[:]) || sg.Organization != sealOrg {
		t.Fatalf("signer %+v, want the organisation's certificate", sg)
	}

	// Two files with a code for one: refused, nothing sealed.
	code = s.sealCode(secret, "1")
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 2))
	want(t, "two files, one document", resp, a, 400, 2031)
	// So is a stamp that cannot be placed, before the code is touched.
	bad := s.sealBody(code, 1)
	bad["signatureProperties"] = []map[string]any{{"tampilan": "visible"}}
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", bad)
	want(t, "visible without a place", resp, a, 400, 2021)
	// The code is still good for its one document.
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "after the refused batch", resp, a, 200, 0)

	// An expired seal code.
	code = s.sealCode(secret, "1")
	s.clock.add(6 * time.Minute)
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "expired seal code", resp, a, 400, 2031)

	// Refresh: a new secret; the codes of the old one, and the seal codes
	// given before, die.
	before := s.sealCode(secret, "3")
	resp, a = s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "refresh", resp, a, 200, 200)
	b32, _ := a["secret"].(string)
	fresh, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
	if bytes.Equal(fresh, secret) || len(fresh) < 16 {
		t.Fatal("refresh kept the secret")
	}
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(before, 1))
	want(t, "seal code of the old activation", resp, a, 400, 2031)
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "code of the old secret", resp, a, 400, 2031)
	secret = fresh

	// Revoke: then nothing is sealed until activated again.
	code = s.sealCode(secret, "1")
	resp, a = s.call("/api/v2/seal/revoke/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "revoke", resp, a, 200, 200)
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "seal/pdf after revoke", resp, a, 400, 2021)
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "get/totp after revoke", resp, a, 400, 2021)
	// Revoked stays revoked: even with api_activation, the API activates
	// it no more, with or without a code.
	for _, body := range []map[string]any{{"idSubscriber": sealSubscriber}, {"idSubscriber": sealSubscriber, "totp": s.code(secret)}} {
		resp, a = s.call("/api/v2/seal/get/activation", "pemda-app", body)
		wantNoSecret(t, "activation after revoke", resp, a)
	}
	resp, a = s.call("/api/v2/seal/revoke/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "revoke again", resp, a, 400, 2021)

	// No secret and no code reached the log or the audit log.
	entries, err := s.st.AuditEntries(context.Background(), 1, 10000)
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := json.Marshal(entries)
	for _, secretText := range []string{b32, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret), code, before, act} {
		if strings.Contains(s.logs.String(), secretText) || strings.Contains(string(audit), secretText) {
			t.Errorf("%q is in the log or the audit log", secretText)
		}
	}
	for _, op := range []string{`"seal-activate"`, `"seal-refresh"`, `"seal-code"`, `"seal-revoke"`, `"seal-activation-by-operator"`} {
		if !strings.Contains(string(audit), op) {
			t.Errorf("no %s in the audit log", op)
		}
	}
	s.tempEmpty()
}

// TestBSrESealRefusals: an unknown idSubscriber, a client not allowed the
// seal, the shared BSrE login and /v1/sign are refused; wrong codes lock
// the seal out.
func TestBSrESealRefusals(t *testing.T) {
	s := newSealEnv(t, true)
	resp, a := s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": "SEAL-LAIN"})
	want(t, "unknown idSubscriber", resp, a, 400, 2011)
	if a["error"] != "ID subscriber segel tidak terdaftar" {
		t.Errorf("error %q", a["error"])
	}
	for _, client := range []string{"other-app", "shared"} {
		for _, path := range []string{"/api/v2/seal/get/activation", "/api/v2/seal/get/totp", "/api/v2/seal/pdf", "/api/v2/seal/revoke/activation"} {
			resp, a = s.call(path, client, map[string]any{"idSubscriber": sealSubscriber, "totp": "123456"})
			want(t, client+" "+path, resp, a, 403, 403)
		}
	}
	// A wrong API key.
	req, _ := http.NewRequest("POST", s.url+"/api/v2/seal/get/activation", strings.NewReader(`{"idSubscriber":"`+sealSubscriber+`"}`))
	req.SetBasicAuth("pemda-app", "sgl_wrong")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("wrong key: %v %v", resp, err)
	}
	// The seal profile does not sign on /v1 (no seal code there), even
	// for a client allowed it.
	s.client("pemda-v1", []string{"pemda-seal"}, []string{"sign"})
	resp, body := s.do("POST", "/v1/sign?profile=pemda-seal", "pemda-v1", s.letter, nil)
	wantProblem(t, resp, body, 401, "seal-code-required")
	// A seal code of an unactivated seal.
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody("abcdefabcdefabcdefabcdefab", 1))
	want(t, "not activated", resp, a, 400, 2021)

	secret := s.activate()
	// Wrong codes count as wrong passphrases do: 5 lock the seal out,
	// and then even the right code is refused.
	for i := range 5 {
		resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": "00000" + string(rune('0'+i))})
		want(t, "wrong code", resp, a, 400, 2031)
	}
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "locked out", resp, a, 429, 2031)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// data out of range, or not a number.
	s.clock.add(time.Hour)
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": "123456", "data": "dua"})
	want(t, "data dua", resp, a, 400, 2021)
	if a["error"] != "Periksa kembali data anda: data harus berupa angka" {
		t.Errorf("data dua: %q", a["error"])
	}
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret), "data": 1000})
	want(t, "data 1000", resp, a, 400, 2021)
}

// TestBSrEUserRegister: a registration is recorded for the operator (an
// audit entry, pending, with nothing but nama, nik and email) and
// answered 202 with where the certificate comes from; a bad one is 400,
// a registered official 409; /registration is the same.
func TestBSrEUserRegister(t *testing.T) {
	e, c := newBSrEEnv(t, 0)
	post := func(path string, body any) (*http.Response, map[string]any) {
		raw, _ := json.Marshal(body)
		resp, b := c.post(path, "application/json", raw)
		var a map[string]any
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("%s: not JSON: %s", path, b)
		}
		return resp, a
	}
	for i, path := range []string{"/api/v2/user/register", "/api/v2/user/registration"} {
		nik := "360401234567010" + string(rune('1'+i))
		resp, a := post(path, map[string]any{"nama": "Siti Aminah", "nik": nik, "email": "siti@serangkab.go.id",
			"password": "rahasia-siti", "jabatan": "Camat"})
		want(t, path, resp, a, 202, 202)
		if a["status"] != "PENDING" || !strings.Contains(a["message"].(string), "diterbitkan oleh BSrE") {
			t.Errorf("%s: %v", path, a)
		}
		entries, _ := e.st.AuditEntries(context.Background(), 1, 1000)
		found := false
		for _, en := range entries {
			if en.Operation == "user-register" && en.Outcome == "pending" && en.Client == "bsre:esign" && strings.Contains(en.Detail, nik) {
				found = true
			}
		}
		audit, _ := json.Marshal(entries)
		if !found || strings.Contains(string(audit), "rahasia-siti") || strings.Contains(e.logs.String(), "rahasia-siti") {
			t.Errorf("%s: audit %s", path, audit)
		}
	}
	for _, tc := range []struct {
		body   map[string]any
		status int
		code   int
		text   string
	}{
		{map[string]any{"nik": "3604012345670111"}, 400, 2021, "nama harus diisi"},
		{map[string]any{"nama": "Budi"}, 400, 2021, "nik atau email harus diisi"},
		{map[string]any{"nama": "Budi", "nik": "12345"}, 400, 2021, "16 angka"},
		{map[string]any{"nama": "Budi", "email": "Budi <budi@x.id>"}, 400, 2021, "email tidak sah"},
		{map[string]any{"nama": 7, "email": "budi@x.id"}, 400, 2021, "nama harus berupa teks"},
		{map[string]any{"nama": "Sekda", "nik": "3604012345670009"}, 409, 409, "Pengguna sudah terdaftar"},
	} {
		resp, a := post("/api/v2/user/register", tc.body)
		want(t, tc.text, resp, a, tc.status, tc.code)
		if !strings.Contains(a["error"].(string), tc.text) {
			t.Errorf("%v: %q, want %q", tc.body, a["error"], tc.text)
		}
	}
}

// TestBSrESealInterop replays testdata/bsre-interop/seal in order, as
// BSrE's clients send those calls, authenticated as the API client
// allowed the seal: {{activation_code}} is a fresh code of the secret the
// last activation answered, {{seal_code}} the code the last get/totp
// answered.
func TestBSrESealInterop(t *testing.T) {
	s := newSealEnv(t, true)
	var pngBuf bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 40, 40))
	png.Encode(&pngBuf, img)
	var secret []byte
	var sealCode string
	paths, _ := filepath.Glob("testdata/bsre-interop/seal/*.json")
	sort.Strings(paths)
	if len(paths) < 8 {
		t.Fatalf("%d fixtures", len(paths))
	}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f bsreFixture
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		js := f.JSON
		if strings.Contains(js, "{{activation_code}}") {
			js = strings.ReplaceAll(js, "{{activation_code}}", s.code(secret))
		}
		js = strings.NewReplacer("{{id_subscriber}}", sealSubscriber, "{{seal_code}}", sealCode,
			"{{letter_b64}}", base64.StdEncoding.EncodeToString(s.letter),
			"{{png_b64}}", base64.StdEncoding.EncodeToString(pngBuf.Bytes())).Replace(js)
		if f.PHPEscape {
			js = strings.ReplaceAll(js, "/", `\/`)
		}
		req, _ := http.NewRequest(f.Method, s.url+f.Path, strings.NewReader(js))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("pemda-app", s.keys["pemda-app"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		name := filepath.Base(path)
		if resp.StatusCode != f.Expect.Status || !strings.HasPrefix(resp.Header.Get("Content-Type"), f.Expect.ContentType) {
			t.Fatalf("%s (%s): %d %s, want %d: %.300s", name, f.Client, resp.StatusCode, resp.Header.Get("Content-Type"), f.Expect.Status, got)
		}
		for _, h := range f.Expect.Headers {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: no header %s", name, h)
			}
		}
		var answer map[string]any
		if err := json.Unmarshal(got, &answer); err != nil {
			t.Fatalf("%s: not JSON: %.300s", name, got)
		}
		for _, k := range f.Expect.JSONKeys {
			if _, ok := answer[k]; !ok {
				t.Errorf("%s: no %q in %.300s", name, k, got)
			}
		}
		for k, want := range f.Expect.JSON {
			if w, ok := want.(string); ok {
				want = strings.ReplaceAll(w, "{{id_subscriber}}", sealSubscriber)
			}
			if answer[k] != want {
				t.Errorf("%s: %s = %v, want %v", name, k, answer[k], want)
			}
		}
		if b32, ok := answer["secret"].(string); ok {
			secret, _ = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
		}
		if c, ok := answer["totp"].(string); ok {
			sealCode = c
		}
		files, _ := answer["file"].([]any)
		for _, fl := range files {
			pdf, _ := base64.StdEncoding.DecodeString(fl.(string))
			if rep := s.verifyReport(pdf); rep.Indication != verify.TotalPassed || rep.Signatures[0].Signer.Organization != sealOrg {
				t.Errorf("%s: sealed file: %s", name, rep.Indication)
			}
		}
	}
	s.tempEmpty()
}

// TestBSrESealOperatorActivation: without api_activation, the API's first
// activation answers no secret (the operator activates the seal, and the
// request is audited); `segel seal activate`'s activation gives one, and
// then the API flow works; a revoked seal is activated by the operator
// again, an active one only with replace.
func TestBSrESealOperatorActivation(t *testing.T) {
	s := newSealEnv(t, false)
	for _, body := range []map[string]any{{"idSubscriber": sealSubscriber}, {"idSubscriber": sealSubscriber, "totp": "123456"}} {
		resp, a := s.call("/api/v2/seal/get/activation", "pemda-app", body)
		wantNoSecret(t, "first activation over the API", resp, a)
	}
	resp, a := s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": "123456"})
	want(t, "get/totp before activation", resp, a, 400, 2021)
	entries, err := s.st.AuditEntries(context.Background(), 1, 10000)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	for _, e := range entries {
		if e.Operation == "seal-activate" && e.Outcome == "seal-activation-by-operator" && e.Client == "pemda-app" {
			asked++
		}
	}
	if asked != 2 {
		t.Errorf("%d audit entries of the API's activation requests, want 2", asked)
	}

	secret, err := s.operatorActivate(false)
	if err != nil {
		t.Fatal(err)
	}
	code := s.sealCode(secret, "1")
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "seal/pdf after the operator's activation", resp, a, 200, 0)
	// Active: the operator does not replace it by mistake.
	if _, err := s.operatorActivate(false); !errors.Is(err, service.ErrSealActive) {
		t.Errorf("operator activation of an active seal: %v, want ErrSealActive", err)
	}
	// Refresh stays on the API.
	resp, a = s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "refresh", resp, a, 200, 200)
	uri, _ := a["otpauth"].(string)
	b32, _ := a["secret"].(string)
	secret = sealSecretOf(t, uri, b32)

	resp, a = s.call("/api/v2/seal/revoke/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "revoke", resp, a, 200, 200)
	resp, a = s.call("/api/v2/seal/get/activation", "pemda-app", map[string]any{"idSubscriber": sealSubscriber})
	wantNoSecret(t, "activation after revoke", resp, a)
	fresh, err := s.operatorActivate(false)
	if err != nil {
		t.Fatalf("operator activation after revoke: %v", err)
	}
	if bytes.Equal(fresh, secret) {
		t.Fatal("the operator's activation kept the secret")
	}
	resp, a = s.call("/api/v2/seal/get/totp", "pemda-app", map[string]any{"idSubscriber": sealSubscriber, "totp": s.code(secret)})
	want(t, "a code of the revoked secret", resp, a, 400, 2031)
	code = s.sealCode(fresh, "1")
	again, err := s.operatorActivate(true)
	if err != nil {
		t.Fatal(err)
	}
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "a seal code of the replaced activation", resp, a, 400, 2031)
	code = s.sealCode(again, "1")
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "seal/pdf after --replace", resp, a, 200, 0)

	audit, _ := s.st.AuditEntries(context.Background(), 1, 10000)
	raw, _ := json.Marshal(audit)
	for _, sec := range [][]byte{secret, fresh, again} {
		if b := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sec); strings.Contains(string(raw), b) || strings.Contains(s.logs.String(), b) {
			t.Error("a secret is in the log or the audit log")
		}
	}
	if !strings.Contains(string(raw), `"by the operator"`) {
		t.Error("no audit entry of the operator's activation")
	}
}

// TestBSrESealConcurrentActivation: with api_activation, of 24 first
// activations at once exactly one gets a secret, the others a BSrE-style
// refusal, and the secret answered is the one kept.
func TestBSrESealConcurrentActivation(t *testing.T) {
	s := newSealEnv(t, true)
	const n = 24
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var secrets []string
	refused, lost := 0, 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, _ := json.Marshal(map[string]any{"idSubscriber": sealSubscriber})
			req, _ := http.NewRequest("POST", s.url+"/api/v2/seal/get/activation", bytes.NewReader(raw))
			req.SetBasicAuth("pemda-app", s.keys["pemda-app"])
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var a map[string]any
			json.NewDecoder(resp.Body).Decode(&a)
			mu.Lock()
			defer mu.Unlock()
			switch b32, _ := a["secret"].(string); {
			case resp.StatusCode == 200 && b32 != "":
				secrets = append(secrets, b32)
			case resp.StatusCode == 409 && a["status_code"] == float64(409) && a["error"] == "Segel sudah diaktivasi oleh permintaan lain":
				refused++
				lost++
			case resp.StatusCode == 400 && a["status_code"] == float64(2031):
				// One that came after the winner finds the seal active.
				refused++
			default:
				t.Errorf("activation: %d %v", resp.StatusCode, a)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(secrets) != 1 || refused != n-1 {
		t.Fatalf("%d concurrent first activations: %d secrets, %d refused; want 1 and %d", n, len(secrets), refused, n-1)
	}
	t.Logf("%d lost the insert, %d found the seal active", lost, refused-lost)
	secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secrets[0])
	code := s.sealCode(secret, "1")
	resp, a := s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(code, 1))
	want(t, "seal/pdf with the winner's secret", resp, a, 200, 0)
}

// TestBSrESealWrongCodesCapped: the lock-out alone (5 in 15 minutes)
// lets 480 activation codes a day be tried; after TOTPWrongCodes (10)
// wrong activation codes, spread out so that the lock-out never trips and
// on every route that takes one (get/totp, refresh, revoke), even the
// right code is refused on each of them, not counted as a guess, with a
// message that the operator must activate the seal again. A refresh
// (a right code) does not start the count afresh; a week after the wrong
// codes, or the operator's activation (--replace, or reset and
// activate), does.
func TestBSrESealWrongCodesCapped(t *testing.T) {
	s := newSealEnv(t, false)
	secret, err := s.operatorActivate(false)
	if err != nil {
		t.Fatal(err)
	}
	body := func(code string) map[string]any { return map[string]any{"idSubscriber": sealSubscriber, "totp": code} }
	routes := []string{"/api/v2/seal/get/totp", "/api/v2/seal/get/activation", "/api/v2/seal/revoke/activation"}
	wrong := func(n int, secret []byte) {
		t.Helper()
		for i := range n {
			s.clock.add(16 * time.Minute)
			path := routes[i%len(routes)]
			resp, a := s.call(path, "pemda-app", body(wrongCodeAt(secret, s.clock.now())))
			want(t, "wrong code on "+path, resp, a, 400, 2031)
			if a["error"] != "Kode TOTP salah, kedaluwarsa atau sudah digunakan" {
				t.Fatalf("wrong code %d on %s: %q", i+1, path, a["error"])
			}
		}
	}
	capped := func(what string, secret []byte) {
		t.Helper()
		for _, path := range routes {
			s.clock.add(16 * time.Minute)
			resp, a := s.call(path, "pemda-app", body(s.code(secret)))
			want(t, what+" on "+path, resp, a, 400, 2031)
			if msg, _ := a["error"].(string); !strings.Contains(msg, "diaktivasi ulang oleh operator") {
				t.Fatalf("%s on %s: %q, want the operator's activation asked for", what, path, msg)
			}
			if _, ok := a["secret"]; ok {
				t.Fatalf("%s on %s: a secret in %v", what, path, a)
			}
		}
	}
	wrong(5, secret)
	// A refresh with the right code: the new secret's codes count on.
	s.clock.add(16 * time.Minute)
	resp, a := s.call("/api/v2/seal/get/activation", "pemda-app", body(s.code(secret)))
	want(t, "refresh", resp, a, 200, 200)
	uri, _ := a["otpauth"].(string)
	b32, _ := a["secret"].(string)
	secret = sealSecretOf(t, uri, b32)
	wrong(5, secret)
	capped("the right code after 10 wrong ones", secret)
	if n, _ := s.st.CountFailures(context.Background(), "profile:pemda-seal", s.clock.now().Add(-24*time.Hour)); n != 10 {
		t.Errorf("failed attempts counted: %d, want 10 (the refused right codes are not guesses)", n)
	}
	audit, _ := s.st.AuditEntries(context.Background(), 1, 10000)
	stale := 0
	for _, e := range audit {
		if e.Outcome == "seal-activation-stale" && e.Client == "pemda-app" {
			stale++
		}
	}
	if stale != 3 {
		t.Errorf("%d audit entries of refusals of the capped activation, want 3", stale)
	}
	// A week after the wrong codes they count no more.
	s.clock.add(7 * 24 * time.Hour)
	_ = s.sealCode(secret, "1")
	wrong(10, secret)
	capped("the right code after 10 more wrong ones", secret)
	// The operator's activation counts afresh.
	fresh, err := s.operatorActivate(true)
	if err != nil {
		t.Fatal(err)
	}
	resp, a = s.call("/api/v2/seal/pdf", "pemda-app", s.sealBody(s.sealCode(fresh, "1"), 1))
	want(t, "seal/pdf after --replace", resp, a, 200, 0)
	wrong(10, fresh)
	capped("the right code of the replaced activation after 10 wrong ones", fresh)
	if err := service.ResetSeal(context.Background(), s.st, "pemda-seal", "operator:test"); err != nil {
		t.Fatal(err)
	}
	if fresh, err = s.operatorActivate(false); err != nil {
		t.Fatal(err)
	}
	_ = s.sealCode(fresh, "1")
}

// TestBSrESealConcurrentWrongCodes: activation codes sent at once are
// checked one at a time, so that 24 wrong codes together get no more
// guesses than the lock-out admits (5), the rest 429.
func TestBSrESealConcurrentWrongCodes(t *testing.T) {
	s := newSealEnv(t, false)
	secret, err := s.operatorActivate(false)
	if err != nil {
		t.Fatal(err)
	}
	code := wrongCodeAt(secret, s.clock.now())
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		start    = make(chan struct{})
	)
	for range 24 {
		wg.Go(func() {
			<-start
			raw, _ := json.Marshal(map[string]any{"idSubscriber": sealSubscriber, "totp": code})
			req, _ := http.NewRequest("POST", s.url+"/api/v2/seal/get/totp", bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth("pemda-app", s.keys["pemda-app"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if statuses[400] != 5 || statuses[429] != 19 {
		t.Errorf("24 wrong activation codes at once: %v, want five 400 (guesses) and nineteen 429", statuses)
	}
}
