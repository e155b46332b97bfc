package main

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/totp"
)

// TestServeConfigSeal: a seal profile of the configuration file is served
// on the BSrE API's seal routes to the API client allowed it: the API's
// first activation gives no secret, `segel seal activate` prints one (and
// audits it without it), then a seal code is given and a letter sealed
// (pdfsig checks it); once active, the operator activates it again only
// with --replace or after `segel seal reset`.
func TestServeConfigSeal(t *testing.T) {
	dir, cfg, _ := configFixture(t, `  - name: pemda
    key: sekda.pem
    seal: true
    id_subscriber: SEAL-PEMDA
totp:
  key_file: totp.key
bsre:
  user: esign
`)
	writeFile(t, dir, "totp.key", bytes.Repeat([]byte("k3y!"), 8))
	t.Setenv("SEGEL_BSRE_PASSWORD", "rahasia-basic")
	r := segel(t, nil, "clients", "add", "seal-app", "--profiles", "pemda", "--config", cfg)
	key := strings.TrimSpace(string(r.stdout))
	if r.code != 0 {
		t.Fatalf("clients add: %v", r)
	}
	srv := serveInProcess(t, "--config", cfg)
	want := 200
	post := func(path string, body any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.url+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("seal-app", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var a map[string]any
		if resp.StatusCode != want || json.Unmarshal(b, &a) != nil {
			t.Fatalf("%s: %s %.300s", path, resp.Status, b)
		}
		return a
	}
	a := post("/api/v2/seal/get/activation", map[string]any{"idSubscriber": "SEAL-PEMDA"})
	if _, ok := a["secret"]; ok || !strings.Contains(a["message"].(string), "operator") {
		t.Fatalf("the API's first activation: %v, want the operator's message and no secret", a)
	}
	if r := segel(t, nil, "seal", "activate", "sekda", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "not a seal profile") {
		t.Errorf("seal activate of a profile that is no seal: %v", r)
	}
	secret := operatorActivate(t, cfg, "pemda")
	a = post("/api/v2/seal/get/totp", map[string]any{"idSubscriber": "SEAL-PEMDA", "totp": totp.Code(secret, time.Now()), "data": "1"})
	a = post("/api/v2/seal/pdf", map[string]any{"idSubscriber": "SEAL-PEMDA", "totp": a["totp"],
		"file": []string{base64.StdEncoding.EncodeToString(letter(t))}})
	files, _ := a["file"].([]any)
	if len(files) != 1 {
		t.Fatalf("seal/pdf: %v", a)
	}
	pdf, _ := base64.StdEncoding.DecodeString(files[0].(string))
	pdfsigValid(t, pdf, "the sealed letter")

	// Active: no activation without a code, until the operator resets it
	// (the custodian lost the phone).
	want = 400
	post("/api/v2/seal/get/activation", map[string]any{"idSubscriber": "SEAL-PEMDA"})
	if r := segel(t, nil, "seal", "activate", "pemda", "--config", cfg); r.code != exitFailure || !strings.Contains(r.stderr, "--replace") || len(r.stdout) != 0 {
		t.Errorf("seal activate of an active seal: %v %q", r, r.stdout)
	}
	if r := segel(t, nil, "seal", "reset", "sekda", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "not a seal profile") {
		t.Errorf("seal reset of a profile that is no seal: %v", r)
	}
	if r := segel(t, nil, "seal", "reset", "pemda", "--config", cfg); r.code != 0 {
		t.Fatalf("seal reset: %v", r)
	}
	want = 200
	if a := post("/api/v2/seal/get/activation", map[string]any{"idSubscriber": "SEAL-PEMDA"}); a["secret"] != nil {
		t.Errorf("API activation after the reset: %v, want no secret", a)
	}
	secret = operatorActivate(t, cfg, "pemda")
	a = post("/api/v2/seal/get/totp", map[string]any{"idSubscriber": "SEAL-PEMDA", "totp": totp.Code(secret, time.Now().Add(totp.Step)), "data": "1"})
	if a["totp"] == nil {
		t.Errorf("a seal code after the operator's activation: %v", a)
	}
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "data", "segel.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.AuditEntries(context.Background(), 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(es)
	if n := strings.Count(string(raw), `"by the operator"`); n != 2 || strings.Contains(string(raw), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)) {
		t.Errorf("audit log: %d operator activations, want 2 and no secret", n)
	}
}

// operatorActivate runs `segel seal activate NAME` and returns the secret
// it printed, checking the otpauth URI and the QR code beside it.
func operatorActivate(t *testing.T, cfg, name string) []byte {
	t.Helper()
	r := mustSegel(t, nil, "seal", "activate", name, "--config", cfg)
	out := string(r.stdout)
	var uri, b32 string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "otpauth: "); ok {
			uri = v
		}
		if v, ok := strings.CutPrefix(line, "secret:  "); ok {
			b32 = v
		}
	}
	if !strings.HasPrefix(uri, "otpauth://totp/Segel:") || !strings.Contains(uri, "secret="+b32) || !strings.Contains(out, "█") {
		t.Fatalf("seal activate printed %q", out)
	}
	if strings.Contains(r.stderr, b32) {
		t.Fatal("the secret is on standard error")
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
	if err != nil || len(secret) < 16 {
		t.Fatalf("secret %q: %v", b32, err)
	}
	return secret
}

// TestServeDevSeal: `serve --dev` has the regency's seal (api_activation),
// named in the banner, and an integrator drives the whole seal flow with
// the seal client's key: activation, a seal code, a sealed letter that
// verifies with the organisation as signer.
func TestServeDevSeal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "segel-dev")
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	if out := srv.stdout.String(); !strings.Contains(out, devmode.SealSubscriber) || !strings.Contains(out, devmode.SealAPIKeyFile) {
		t.Errorf("the banner does not name the seal:\n%s", out)
	}
	if !strings.Contains(srv.stderr.String(), "api_activation") {
		t.Errorf("no warning that the seal is activated over the API:\n%s", srv.stderr)
	}
	key := devFile(t, dir, devmode.SealAPIKeyFile)
	post := func(path string, body any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.url+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(devmode.SealClient, key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var a map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(b, &a) != nil {
			t.Fatalf("%s: %s %.300s", path, resp.Status, b)
		}
		return a
	}
	a := post("/api/v2/seal/get/activation", map[string]any{"idSubscriber": devmode.SealSubscriber})
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(fmt.Sprint(a["secret"]))
	if err != nil || len(secret) < 16 {
		t.Fatalf("activation: %v", a)
	}
	a = post("/api/v2/seal/get/totp", map[string]any{"idSubscriber": devmode.SealSubscriber, "totp": totp.Code(secret, time.Now()), "data": 1})
	a = post("/api/v2/seal/pdf", map[string]any{"idSubscriber": devmode.SealSubscriber, "totp": a["totp"],
		"file": []string{base64.StdEncoding.EncodeToString(letter(t))}})
	files, _ := a["file"].([]any)
	if len(files) != 1 {
		t.Fatalf("seal/pdf: %v", a)
	}
	pdf, _ := base64.StdEncoding.DecodeString(files[0].(string))
	resp, body := call(t, nil, "POST", srv.url+"/v1/verify", devFile(t, dir, devmode.APIKeyFile), pdf)
	var rep struct {
		Indication string `json:"indication"`
		Signatures []struct {
			Signer struct {
				Organization string `json:"organization"`
			} `json:"signer"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(body, &rep); err != nil || resp.StatusCode != 200 || rep.Indication != "TOTAL_PASSED" ||
		len(rep.Signatures) != 1 || !strings.HasPrefix(rep.Signatures[0].Signer.Organization, devmode.BrandName) {
		t.Errorf("the sealed letter: %s %.500s", resp.Status, body)
	}
}
