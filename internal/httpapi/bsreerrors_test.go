package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// bsreClient drives the BSrE routes of an env with Basic auth.
type bsreClient struct {
	t   *testing.T
	url string
}

func (c bsreClient) request(path, ctype string, body []byte) *http.Request {
	req, _ := http.NewRequest("POST", c.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.SetBasicAuth("esign", "rahasia-basic")
	return req
}

func (c bsreClient) post(path, ctype string, body []byte) (*http.Response, []byte) {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(c.request(path, ctype, body))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// rawHeaders sends the request and returns the answer's status line and
// header block as sent, before Go's canonicalisation of the names.
func (c bsreClient) rawHeaders(req *http.Request) string {
	c.t.Helper()
	u, _ := url.Parse(c.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	req.Close = true
	if err := req.Write(conn); err != nil {
		c.t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		head.WriteString(line)
		if err != nil || line == "\r\n" {
			return head.String()
		}
	}
}

func bsreForm(fields map[string]string, fileField string, file []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, "surat.pdf")
		fw.Write(file)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// bsreAnswer is a BSrE error answer.
type bsreAnswer struct {
	Error      string `json:"error"`
	StatusCode int    `json:"status_code"`
}

func decodeBSrE(t *testing.T, b []byte) bsreAnswer {
	t.Helper()
	var a bsreAnswer
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil || a.Error == "" || a.StatusCode == 0 {
		t.Fatalf("not a BSrE error answer: %v: %s", err, b)
	}
	return a
}

// goInternals are words of Go's or Segel's English errors that must not
// reach a BSrE answer.
var goInternals = []string{"json:", "cannot unmarshal", "Go ", "struct", "float64", "int", "string", "unexpected", "the JSON body", "strconv", "invalid syntax"}

func noGoInternals(t *testing.T, what, text string) {
	t.Helper()
	for _, w := range goInternals {
		if strings.Contains(text, w) {
			t.Errorf("%s: %q holds %q", what, text, w)
		}
	}
}

func newBSrEEnv(t *testing.T, maxBody int64) (*env, bsreClient) {
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.Profiles[0].NIK = "3604012345670009"
		if maxBody > 0 {
			o.MaxBodySize = maxBody
		}
	})
	return e, bsreClient{t: t, url: e.url}
}

// TestBSrETooLarge: a body over the limit is 413 with the limit in an
// Indonesian text, on v1 (multipart) and v2 (JSON).
func TestBSrETooLarge(t *testing.T) {
	e, c := newBSrEEnv(t, 1<<20)
	big := append(append([]byte{}, e.letter...), bytes.Repeat([]byte("%"), 2<<20)...)
	ct, body := bsreForm(map[string]string{"nik": "3604012345670009", "passphrase": "x"}, "file", big)
	for _, path := range []string{"/api/sign/pdf", "/api/sign/verify"} {
		if path == "/api/sign/verify" {
			ct, body = bsreForm(nil, "signed_file", big)
		}
		resp, b := c.post(path, ct, body)
		a := decodeBSrE(t, b)
		if resp.StatusCode != 413 || a.StatusCode != 413 || !strings.Contains(a.Error, "Ukuran dokumen melebihi batas maksimal 1 MiB") {
			t.Errorf("%s: %d %+v", path, resp.StatusCode, a)
		}
	}
	v2, _ := json.Marshal(map[string]any{"nik": "3604012345670009", "passphrase": "x", "file": []string{base64.StdEncoding.EncodeToString(big)}})
	for _, path := range []string{"/api/v2/sign/pdf", "/api/v2/verify/pdf"} {
		resp, b := c.post(path, "application/json", v2)
		a := decodeBSrE(t, b)
		if resp.StatusCode != 413 || a.StatusCode != 413 || !strings.Contains(a.Error, "Ukuran dokumen melebihi batas") {
			t.Errorf("%s: %d %+v", path, resp.StatusCode, a)
		}
	}
	e.tempEmpty()
}

// TestBSrEAnchorNotFound: a tag_koordinat the letter does not show
// answers 400, code 2021, "Tag koordinat tidak ditemukan pada dokumen",
// without the signer's English wording; a found one signs.
func TestBSrEAnchorNotFound(t *testing.T) {
	e, c := newBSrEEnv(t, 0)
	fields := map[string]string{"nik": "3604012345670009", "passphrase": "unused", "tampilan": "VISIBLE",
		"image": "false", "linkQR": "https://eoffice.example.go.id/v/1", "tag_koordinat": "§§tidak-ada§§", "width": "100", "height": "60"}
	ct, body := bsreForm(fields, "file", e.letter)
	resp, b := c.post("/api/sign/pdf", ct, body)
	a := decodeBSrE(t, b)
	if resp.StatusCode != 400 || a.StatusCode != 2021 || a.Error != "Tag koordinat tidak ditemukan pada dokumen" {
		t.Errorf("v1 anchor not found: %d %+v", resp.StatusCode, a)
	}
	if resp.Header.Get("id_dokumen") != "" {
		t.Errorf("an id for an unsigned document: %q", resp.Header.Get("id_dokumen"))
	}
	v2, _ := json.Marshal(map[string]any{"nik": "3604012345670009", "passphrase": "unused",
		"signatureProperties": []map[string]any{{"tampilan": "VISIBLE", "tag_koordinat": "§§tidak-ada§§", "width": 100, "height": 60}},
		"file":                []string{base64.StdEncoding.EncodeToString(e.letter)}})
	resp, b = c.post("/api/v2/sign/pdf", "application/json", v2)
	if a := decodeBSrE(t, b); resp.StatusCode != 400 || a.Error != "Tag koordinat tidak ditemukan pada dokumen" {
		t.Errorf("v2 anchor not found: %d %+v", resp.StatusCode, a)
	}
	e.tempEmpty()
}

// TestBSrEDocumentIDHeader: the signed PDF's id goes out in a header
// named exactly "id_dokumen" (lower case, underscore), as BSrE sends it.
func TestBSrEDocumentIDHeader(t *testing.T) {
	e, c := newBSrEEnv(t, 0)
	ct, body := bsreForm(map[string]string{"nik": "3604012345670009", "passphrase": "unused"}, "file", e.letter)
	head := c.rawHeaders(c.request("/api/sign/pdf", ct, body))
	if !strings.HasPrefix(head, "HTTP/1.1 200") || !strings.Contains(head, "\r\nid_dokumen: ") {
		t.Errorf("the header block:\n%s", head)
	}
	if strings.Contains(head, "\r\nId_dokumen:") || strings.Contains(head, "\r\nId_Dokumen:") {
		t.Errorf("id_dokumen sent twice or in another case:\n%s", head)
	}
}

// TestBSrEJSONErrors: a v2 body of the wrong JSON types or syntax is
// answered with the member and the type it must have, in Indonesian,
// without Go's error wording.
func TestBSrEJSONErrors(t *testing.T) {
	e, c := newBSrEEnv(t, 0)
	file := `"` + base64.StdEncoding.EncodeToString(e.letter) + `"`
	cases := []struct {
		name, body, want string
	}{
		{"nik a number", `{"nik":3604012345670009,"passphrase":"x","file":[` + file + `]}`, "Periksa kembali data anda: nik harus berupa teks"},
		{"passphrase an object", `{"nik":"3604012345670009","passphrase":{"a":1},"file":[` + file + `]}`, "Periksa kembali data anda: passphrase harus berupa teks"},
		{"page a string", `{"nik":"3604012345670009","passphrase":"x","signatureProperties":[{"tampilan":"VISIBLE","page":"satu"}],"file":[` + file + `]}`, "Periksa kembali data anda: signatureProperties.page harus berupa angka"},
		{"properties an object", `{"nik":"3604012345670009","passphrase":"x","signatureProperties":{"page":1},"file":[` + file + `]}`, "Periksa kembali data anda: signatureProperties harus berupa daftar objek"},
		{"not JSON", `{"nik":"3604012345670009",`, "Periksa kembali data anda: format JSON tidak sah"},
		{"a bad literal", `{"nik":tru,"file":[` + file + `]}`, "Periksa kembali data anda: format JSON tidak sah"},
		{"file a number", `{"nik":"3604012345670009","file":12}`, "Periksa kembali data anda: format JSON tidak sah"},
	}
	for _, tc := range cases {
		for _, path := range []string{"/api/v2/sign/pdf", "/api/v2/verify/pdf"} {
			if path == "/api/v2/verify/pdf" && tc.name != "not JSON" && tc.name != "file a number" {
				continue // verify reads only the file
			}
			resp, b := c.post(path, "application/json", []byte(tc.body))
			a := decodeBSrE(t, b)
			if resp.StatusCode != 400 || a.StatusCode != 2021 || a.Error != tc.want {
				t.Errorf("%s %s: %d %+v, want %q", tc.name, path, resp.StatusCode, a, tc.want)
			}
			noGoInternals(t, tc.name, a.Error)
		}
	}
	// The v1 form's values are checked in Indonesian too.
	ct, body := bsreForm(map[string]string{"nik": "3604012345670009", "passphrase": "unused", "tampilan": "visible",
		"image": "mungkin", "xAxis": "1", "yAxis": "1"}, "file", e.letter)
	resp, b := c.post("/api/sign/pdf", ct, body)
	a := decodeBSrE(t, b)
	if resp.StatusCode != 400 || a.Error != "Periksa kembali data anda: image harus true atau false" {
		t.Errorf("image=mungkin: %d %+v", resp.StatusCode, a)
	}
	ct, body = bsreForm(map[string]string{"nik": "3604012345670009", "passphrase": "unused", "tampilan": "visible",
		"xAxis": "1", "yAxis": "1", "width": "lebar"}, "file", e.letter)
	resp, b = c.post("/api/sign/pdf", ct, body)
	if a := decodeBSrE(t, b); resp.StatusCode != 400 || a.Error != "Periksa kembali data anda: width dan height harus berupa angka" {
		t.Errorf("width=lebar: %d %+v", resp.StatusCode, a)
	}
	ct, body = bsreForm(map[string]string{"nik": "3604012345670009", "passphrase": "unused"}, "file", []byte("bukan pdf"))
	resp, b = c.post("/api/sign/pdf", ct, body)
	if a := decodeBSrE(t, b); resp.StatusCode != 400 || a.Error != "Dokumen bukan PDF yang sah" {
		t.Errorf("not a PDF: %d %+v", resp.StatusCode, a)
	}
	e.tempEmpty()
}
