package main

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/totp"
)

// TestServeConfigSeal: a seal profile of the configuration file is served
// on the BSrE API's seal routes to the API client allowed it: activated,
// a seal code given, a letter sealed (pdfsig checks it); once active it is
// activated again only after `segel seal reset`.
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
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(a["secret"].(string))
	if err != nil {
		t.Fatal(err)
	}
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
	if r := segel(t, nil, "seal", "reset", "sekda", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "not a seal profile") {
		t.Errorf("seal reset of a profile that is no seal: %v", r)
	}
	if r := segel(t, nil, "seal", "reset", "pemda", "--config", cfg); r.code != 0 {
		t.Fatalf("seal reset: %v", r)
	}
	want = 200
	if a := post("/api/v2/seal/get/activation", map[string]any{"idSubscriber": "SEAL-PEMDA"}); a["secret"] == nil {
		t.Errorf("activation after the reset: %v", a)
	}
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}
