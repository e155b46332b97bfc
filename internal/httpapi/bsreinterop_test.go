package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/verify"
)

// bsreFixture is one recorded client request (see
// testdata/bsre-interop/README.md).
type bsreFixture struct {
	Client    string            `json:"client"`
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Form      map[string]string `json:"form"`
	FileField string            `json:"file_field"`
	File      string            `json:"file"`
	JSON      string            `json:"json"`
	PHPEscape bool              `json:"php_escape"`
	Expect    struct {
		Status      int            `json:"status"`
		ContentType string         `json:"content_type"`
		Headers     []string       `json:"headers"`
		JSONKeys    []string       `json:"json_keys"`
		JSON        map[string]any `json:"json"`
	} `json:"expect"`
}

// TestBSrEInterop replays the requests of testdata/bsre-interop, as the
// open-source BSrE clients send them, against a gateway with a personal
// profile on SoftHSM, and checks what those clients read from the answer.
func TestBSrEInterop(t *testing.T) {
	const nik, email, pass = "3604012345670001", "camat@serangkab.go.id", "rahasia-camat"
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.MaxBodySize = 1 << 20
		for _, p := range o.Profiles {
			if p.Name == "camat" {
				p.NIK, p.Email, p.Keep = nik, email, true
			}
		}
	})
	c := bsreClient{t: t, url: e.url}
	letter := gatewaytest.Letter()
	b64 := base64.StdEncoding.EncodeToString

	// A signed letter for the verify fixtures.
	body, _ := json.Marshal(map[string]any{"nik": nik, "passphrase": pass, "file": []string{b64(letter)}})
	resp, b := c.post("/api/v2/sign/pdf", "application/json", body)
	var first bsreV2Answer
	if json.Unmarshal(b, &first); resp.StatusCode != 200 || len(first.File) != 1 {
		t.Fatalf("setup sign: %d %.300s", resp.StatusCode, b)
	}
	signed, _ := base64.StdEncoding.DecodeString(first.File[0])
	img := image.NewGray(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = color.Gray{Y: uint8(i * 7)}.Y
	}
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	files := map[string][]byte{"{{letter}}": letter, "{{signed}}": signed, "{{png}}": pngBuf.Bytes()}
	repl := strings.NewReplacer("{{nik}}", nik, "{{email}}", email, "{{passphrase}}", pass,
		"{{letter_b64}}", b64(letter), "{{signed_b64}}", b64(signed),
		"{{big_b64}}", b64(bytes.Repeat([]byte("%PDF-1.7 "), 300<<10)))

	paths, _ := filepath.Glob("testdata/bsre-interop/*.json")
	if len(paths) < 10 {
		t.Fatalf("%d fixtures", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var f bsreFixture
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			var req *http.Request
			switch {
			case f.JSON != "":
				js := repl.Replace(f.JSON)
				if f.PHPEscape {
					js = strings.ReplaceAll(js, "/", `\/`)
				}
				req, _ = http.NewRequest(f.Method, e.url+repl.Replace(f.Path), strings.NewReader(js))
				req.Header.Set("Content-Type", "application/json")
			case f.FileField != "" || f.Form != nil:
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for k, v := range f.Form {
					if data, ok := files[v]; ok {
						fw, _ := mw.CreateFormFile(k, k+".png")
						fw.Write(data)
						continue
					}
					mw.WriteField(k, repl.Replace(v))
				}
				if f.FileField != "" {
					fw, _ := mw.CreateFormFile(f.FileField, "surat.pdf")
					fw.Write(files[f.File])
				}
				mw.Close()
				req, _ = http.NewRequest(f.Method, e.url+repl.Replace(f.Path), &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			default:
				req, _ = http.NewRequest(f.Method, e.url+repl.Replace(f.Path), nil)
			}
			req.SetBasicAuth("esign", "rahasia-basic")
			// The headers as sent, for their exact case.
			head := c.rawHeaders(req.Clone(req.Context()))
			if req.GetBody != nil {
				req.Body, _ = req.GetBody()
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != f.Expect.Status {
				t.Fatalf("%s: %d, want %d: %.300s", f.Client, resp.StatusCode, f.Expect.Status, got)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, f.Expect.ContentType) {
				t.Errorf("Content-Type %q, want %q", ct, f.Expect.ContentType)
			}
			for _, h := range f.Expect.Headers {
				if !strings.Contains(head, "\r\n"+h+": ") {
					t.Errorf("no header %q in\n%s", h, head)
				}
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/pdf") {
				if rep := e.verifyReport(got); rep.Indication != verify.TotalPassed {
					t.Errorf("signed PDF: %s", rep.Indication)
				}
			}
			if len(f.Expect.JSONKeys) == 0 && len(f.Expect.JSON) == 0 {
				return
			}
			var answer map[string]any
			if err := json.Unmarshal(got, &answer); err != nil {
				t.Fatalf("not JSON: %v: %.300s", err, got)
			}
			for _, k := range f.Expect.JSONKeys {
				if _, ok := answer[k]; !ok {
					t.Errorf("no %q in %.300s", k, got)
				}
			}
			for k, want := range f.Expect.JSON {
				if answer[k] != want {
					t.Errorf("%s = %v, want %v", k, answer[k], want)
				}
			}
			if s, ok := answer["base64_signed_file"].(string); ok {
				pdf, _ := base64.StdEncoding.DecodeString(s)
				if rep := e.verifyReport(pdf); rep.Indication != verify.TotalPassed {
					t.Errorf("base64_signed_file: %s", rep.Indication)
				}
			}
		})
	}
	e.tempEmpty()
}
