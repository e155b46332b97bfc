package main

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
)

// TestClientsLeakedKeyDies runs a service with a one-second key cache and
// disables, rotates and removes clients while it serves: each old key,
// just used (so cached), is refused within the window, a rotated
// client's new key works, the others are untouched, and every change is
// in the audit log, whose chain still verifies.
func TestClientsLeakedKeyDies(t *testing.T) {
	const window = time.Second
	dir, cfg, _ := configFixture(t, "limits:\n  api_key_cache: 1s\n")
	add := func(name string) string {
		return strings.TrimSpace(string(mustSegel(t, nil, "clients", "add", name, "--profiles", "sekda", "--config", cfg).stdout))
	}
	keys := map[string]string{"leaky": add("leaky"), "rotated": add("rotated"), "gone": add("gone"), "bystander": add("bystander")}
	srv := serveInProcess(t, "--config", cfg)
	// An authenticated request for a document that does not exist: 404
	// when the key is accepted, 401 when it is not.
	status := func(key string) int {
		resp, body := call(t, nil, "GET", srv.url+"/v1/documents/aaaaaaaaaaaaaaaaaaaaaaaaaa", key, nil)
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("GET /v1/documents: %s\n%s", resp.Status, body)
		}
		return resp.StatusCode
	}
	for name, key := range keys {
		if got := status(key); got != http.StatusNotFound {
			t.Fatalf("client %s before any change: %d, want 404 (key accepted)", name, got)
		}
	}
	// dies changes the client with "segel clients CMD" and waits for its
	// old key to be refused: within the window and a little for the test.
	dies := func(cmd, name string) string {
		t.Helper()
		status(keys[name]) // cached now
		r := mustSegel(t, nil, "clients", cmd, name, "--config", cfg)
		changed := time.Now()
		for status(keys[name]) != http.StatusUnauthorized {
			if time.Since(changed) > window+2*time.Second {
				t.Fatalf("clients %s %s: the old key still works %s after", cmd, name, time.Since(changed))
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("clients %s %s: old key refused %s after the change (window %s)", cmd, name, time.Since(changed).Round(time.Millisecond), window)
		return strings.TrimSpace(string(r.stdout))
	}
	dies("disable", "leaky")
	newKey := dies("rotate", "rotated")
	if !strings.HasPrefix(newKey, "sgl_") || newKey == keys["rotated"] {
		t.Fatalf("rotate printed %q, want a new sgl_ key", newKey)
	}
	if got := status(newKey); got != http.StatusNotFound {
		t.Errorf("the rotated client's new key: %d, want 404 (accepted)", got)
	}
	dies("remove", "gone")
	if got := status(keys["bystander"]); got != http.StatusNotFound {
		t.Errorf("an unchanged client's key: %d, want 404 (accepted)", got)
	}
	r := mustSegel(t, nil, "clients", "list", "--config", cfg)
	list := string(r.stdout)
	if !strings.Contains(list, "disabled") || strings.Contains(list, "gone") || strings.Contains(list, "sgl_") {
		t.Errorf("clients list after the changes:\n%s", list)
	}
	if r := segel(t, nil, "clients", "disable", "nobody", "--config", cfg); r.code != exitFailure || !strings.Contains(string(r.stderr), "no client named") {
		t.Errorf("disable of an unknown client: %v\n%s", r, r.stderr)
	}
	srv.shutdown(t)
	r = mustSegel(t, nil, "audit", "verify", "--config", cfg)
	if !strings.Contains(string(r.stdout), "3 entries, hash chain intact") {
		t.Errorf("audit verify:\n%s", r.stdout)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "data", "segel.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.AuditEntries(context.Background(), 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Operation+" "+e.Client+" "+e.Outcome)
	}
	if want := "client-disable leaky ok, client-rotate rotated ok, client-remove gone ok"; strings.Join(got, ", ") != want {
		t.Errorf("audit entries: %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestServeHelpListsRoutes: `segel serve -h` names every route of the
// router (httpapi.Routes, which a test in internal/httpapi compares with
// the router and openapi.yaml, BSrE's routes and aliases included) and the
// development TSA and PKI of --dev.
func TestServeHelpListsRoutes(t *testing.T) {
	r := segel(t, nil, "serve", "-h")
	if r.code != exitOK {
		t.Fatalf("serve -h: %v", r)
	}
	for _, route := range httpapi.Routes() {
		if !regexp.MustCompile(`(?m)^  ` + route.Method + `\s+` + regexp.QuoteMeta(route.Pattern) + `$`).MatchString(string(r.stderr)) {
			t.Errorf("serve -h does not list %s %s:\n%s", route.Method, route.Pattern, r.stderr)
		}
	}
	// The routes that --dev adds outside the gateway's router: its TSA
	// and its PKI, which the README's tour signs with.
	for _, want := range []string{"/dev/tsa", "/dev/pki/", "dev-root.pem"} {
		if !strings.Contains(string(r.stderr), want) {
			t.Errorf("serve -h does not name %s:\n%s", want, r.stderr)
		}
	}
}
