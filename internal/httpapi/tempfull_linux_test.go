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
	"github.com/segel-id/segel/internal/testcorpus"
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

// TestFullTempDir: with the temporary directory full, uploads that go to
// it (nothing held in memory: SpoolMemory < 0) are 503
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
			o.SpoolMemory = -1
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

// TestFullTempDirMemory: with the temporary directory full, a letter
// whose body and signed PDF fit in the spool's memory is signed (it needs
// no file); one whose body fits but whose signed PDF does not is 503
// temporarily-unavailable, as is one whose body is above the threshold,
// with nothing of a server path in the answer.
func TestFullTempDirMemory(t *testing.T) {
	dir := fullTempDir(t)
	for _, c := range []struct {
		name   string
		memory func(letter int) int64
		status int
	}{
		{"default", func(int) int64 { return 0 }, http.StatusOK},
		{"signed PDF above the threshold", func(n int) int64 { return int64(n) + 1 }, http.StatusServiceUnavailable},
		{"body above the threshold", func(n int) int64 { return int64(n) / 2 }, http.StatusServiceUnavailable},
	} {
		letter := testcorpus.Base(t)["gs-letter"]
		e := newEnv(t, nil, func(o *httpapi.Options) {
			o.TempDir = dir
			o.SpoolMemory = c.memory(len(letter))
		})
		resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d: %.300s", c.name, resp.StatusCode, c.status, body)
		}
		if c.status != http.StatusOK {
			wantProblem(t, resp, body, http.StatusServiceUnavailable, "temporarily-unavailable")
		}
		for _, leak := range []string{dir, "/tmp", "no space", "segel-"} {
			if c.status != http.StatusOK && strings.Contains(string(body), leak) {
				t.Errorf("%s: the answer names %q: %.300s", c.name, leak, body)
			}
		}
	}
}

func readAll(resp *http.Response) []byte {
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return b.Bytes()
}
