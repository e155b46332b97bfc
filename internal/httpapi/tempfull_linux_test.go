package httpapi_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// fullTempDir mounts a small tmpfs and fills it, so that creating a file
// may work but writing to it fails with ENOSPC. It skips where mounting is
// impossible (not root, no CAP_SYS_ADMIN).
func fullTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	return dir
}

// TestFullTempDir: with the temporary directory full, uploads are 503
// temporarily-unavailable (with Retry-After) on the API, the BSrE API and
// the citizens' page, and no answer names a server path.
func TestFullTempDir(t *testing.T) {
	dir := fullTempDir(t)
	for _, named := range []bool{false, true} {
		if named {
			httpapi.UseNamedTempFiles(t)
		}
		e := newEnv(t, nil, func(o *httpapi.Options) {
			o.TempDir = dir
			o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
			o.Profiles[0].NIK = "3604012345670009"
		})
		check := func(what string, resp *http.Response, body []byte) {
			t.Helper()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s (named %v): %d, Retry-After %q: %.300s", what, named, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
			for _, leak := range []string{dir, "/tmp", "no space", "segel-"} {
				if strings.Contains(string(body), leak) {
					t.Errorf("%s: the answer names %q: %.300s", what, leak, body)
				}
			}
		}
		resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
		wantProblem(t, resp, body, http.StatusServiceUnavailable, "temporarily-unavailable")
		check("sign", resp, body)
		resp, body = e.do("POST", "/v1/verify", "verifier", e.letter, nil)
		check("verify", resp, body)

		req, _ := http.NewRequest("POST", e.url+"/api/v2/verify/pdf", strings.NewReader(`{"file":"JVBERi0xLjcKJSVFT0YK"}`))
		req.SetBasicAuth("esign", "rahasia-basic")
		req.Header.Set("Content-Type", "application/json")
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b2 := readAll(r2)
		check("bsre v2 verify", r2, b2)

		req, _ = http.NewRequest("POST", e.url+"/verify", bytes.NewReader(e.letter))
		req.Header.Set("Content-Type", "application/pdf")
		r3, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b3 := readAll(r3)
		check("citizens' page", r3, b3)
	}
}

func readAll(resp *http.Response) []byte {
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return b.Bytes()
}
