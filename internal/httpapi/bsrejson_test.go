package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestBSrEV2Streams: a v2 body's base64 file is decoded as a stream into
// the spool file: a 16 MiB file costs the server far less than its size in
// memory; PHP's "\/" escapes and bad bodies are handled.
func TestBSrEV2Streams(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.MaxBodySize = 32 << 20
	})
	post := func(body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.url+"/api/v2/verify/pdf", strings.NewReader(body))
		req.SetBasicAuth("esign", "rahasia-basic")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.Unmarshal(readAll(resp), &out)
		return resp.StatusCode, out
	}
	// PHP's json_encode writes "/" as "\/"; other members in any order.
	b64 := base64.StdEncoding.EncodeToString(e.letter)
	body := `{ "file" : "` + strings.ReplaceAll(b64, "/", `\/`) + `", "nik": "x", "extra": {"a": [1, "b\"]"]} }`
	if code, out := post(body); code != 200 || out["conclusion"] != "NO_SIGNATURE" {
		t.Errorf("escaped base64: %d %v", code, out)
	}
	for name, bad := range map[string]string{
		"not base64": `{"file":"%%%"}`, "no file": `{"nik":"1"}`, "truncated": `{"file":"JVBER`,
		"not an object": `["JVBERi0="]`, "file a number": `{"file":1}`,
	} {
		if code, _ := post(bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}

	big := make([]byte, 16<<20)
	copy(big, "%PDF-1.7\n")
	body = `{"file":"` + base64.StdEncoding.EncodeToString(big) + `"}`
	big = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, _ := post(body)
	runtime.ReadMemStats(&after)
	if code >= 500 {
		t.Fatalf("16 MiB file: %d", code)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a 16 MiB file (21 MiB of base64): %.1f MiB allocated by the process", float64(alloc)/(1<<20))
	if alloc > 8<<20 {
		t.Errorf("a 16 MiB file in base64 made the process allocate %d MiB", alloc>>20)
	}
	e.tempEmpty()
}
