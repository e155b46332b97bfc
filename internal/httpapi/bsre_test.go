package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/verify"
)

// TestBSrECompatible replays requests the way existing integrations of
// BSrE's Esign Client Service send them (PHP/Node clients: multipart v1
// with Basic auth, JSON v2 with base64 files).
func TestBSrECompatible(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		for _, p := range o.Profiles {
			if p.Name == "camat" {
				p.NIK, p.Keep, p.Downloadable = "3604012345670001", true, true
			}
		}
	})
	basic := func(req *http.Request) { req.SetBasicAuth("esign", "rahasia-basic") }
	post := func(path, ctype string, body []byte, auth bool) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", e.url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if auth {
			basic(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	form := func(fields map[string]string, fileField string, file []byte) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile(fileField, "surat.pdf")
		fw.Write(file)
		mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	fields := map[string]string{"nik": "3604012345670001", "passphrase": "rahasia-camat", "tampilan": "VISIBLE",
		"image": "false", "linkQR": "https://eoffice.serangkab.go.id/v/123", "page": "1", "xAxis": "330", "yAxis": "60", "width": "200", "height": "80"}

	ct, body := form(fields, "file", e.letter)
	resp, _ := post("/api/sign/pdf", ct, body, false)
	if resp.StatusCode != 401 {
		t.Fatalf("without Basic auth: %d", resp.StatusCode)
	}
	resp, signed := post("/api/sign/pdf", ct, body, true)
	if resp.StatusCode != 200 || !bytes.HasPrefix(signed, []byte("%PDF")) || resp.Header.Get("id_dokumen") == "" {
		t.Fatalf("v1 sign: %d %.200s", resp.StatusCode, signed)
	}
	if rep := e.verifyReport(signed); rep.Indication != verify.TotalPassed || rep.Signatures[0].Signer.CommonName != "Camat Cikande" {
		t.Fatalf("v1 signed: %s", rep.Indication)
	}
	// Download by id.
	req, _ := http.NewRequest("GET", e.url+"/api/sign/download/"+resp.Header.Get("id_dokumen"), nil)
	basic(req)
	dl, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if dl.StatusCode != 200 || !bytes.Equal(got, signed) {
		t.Errorf("download: %d, %d bytes", dl.StatusCode, len(got))
	}
	// Wrong passphrase and unknown NIK answer with BSrE's codes.
	bad := map[string]string{}
	for k, v := range fields {
		bad[k] = v
	}
	bad["passphrase"] = "salah"
	ct, body = form(bad, "file", e.letter)
	resp, b := post("/api/sign/pdf", ct, body, true)
	if resp.StatusCode != 400 || !strings.Contains(string(b), `"status_code":2031`) {
		t.Errorf("wrong passphrase: %d %s", resp.StatusCode, b)
	}
	bad["nik"] = "1111111111111111"
	ct, body = form(bad, "file", e.letter)
	resp, b = post("/api/sign/pdf", ct, body, true)
	if resp.StatusCode != 400 || !strings.Contains(string(b), `"status_code":2011`) {
		t.Errorf("unknown NIK: %d %s", resp.StatusCode, b)
	}
	// jenis_response=BASE64.
	fields["jenis_response"] = "BASE64"
	ct, body = form(fields, "file", e.letter)
	resp, b = post("/api/sign/pdf", ct, body, true)
	var b64 struct {
		File string `json:"base64_signed_file"`
	}
	if json.Unmarshal(b, &b64); resp.StatusCode != 200 || b64.File == "" {
		t.Errorf("BASE64 response: %d %.200s", resp.StatusCode, b)
	}
	// v1 verify.
	ct, body = form(nil, "signed_file", signed)
	resp, b = post("/api/sign/verify", ct, body, true)
	var v1 struct {
		Conclusion     string `json:"conclusion"`
		SignatureCount int    `json:"signatureCount"`
	}
	if json.Unmarshal(b, &v1); resp.StatusCode != 200 || v1.Conclusion != "VALID" || v1.SignatureCount != 1 {
		t.Errorf("v1 verify: %d %s", resp.StatusCode, b)
	}
	// v2 sign and verify, JSON with base64.
	v2req, _ := json.Marshal(map[string]any{"nik": "3604012345670001", "passphrase": "rahasia-camat",
		"signatureProperties": []map[string]any{{"tampilan": "INVISIBLE", "reason": "Disetujui", "location": "Serang"}},
		"file":                []string{base64.StdEncoding.EncodeToString(e.letter)}})
	resp, b = post("/api/v2/sign/pdf", "application/json", v2req, true)
	var v2 struct {
		File []string `json:"file"`
	}
	if json.Unmarshal(b, &v2); resp.StatusCode != 200 || len(v2.File) != 1 {
		t.Fatalf("v2 sign: %d %.300s", resp.StatusCode, b)
	}
	verReq, _ := json.Marshal(map[string]string{"file": v2.File[0]})
	resp, b = post("/api/v2/verify/pdf", "application/json", verReq, true)
	var v2v map[string]any
	json.Unmarshal(b, &v2v)
	infos, _ := v2v["signatureInformations"].([]any)
	if resp.StatusCode != 200 || v2v["conclusion"] != "VALID" || len(infos) != 1 || !strings.Contains(string(b), "integrityValid") {
		t.Errorf("v2 verify: %d %s", resp.StatusCode, b)
	}
	// TOTP is not supported yet, as that service answers for a method it lacks.
	totp, _ := json.Marshal(map[string]any{"nik": "3604012345670001", "totp": "123456", "file": []string{"JVBERi0="}})
	if resp, b = post("/api/v2/sign/pdf", "application/json", totp, true); resp.StatusCode != 400 || !strings.Contains(string(b), "TOTP") {
		t.Errorf("totp: %d %s", resp.StatusCode, b)
	}
	// Status.
	st, _ := json.Marshal(map[string]string{"nik": "3604012345670001"})
	if resp, b = post("/api/v2/user/check/status", "application/json", st, true); resp.StatusCode != 200 || !strings.Contains(string(b), "1111") {
		t.Errorf("status: %d %s", resp.StatusCode, b)
	}
	e.tempEmpty()
}

// TestBSrEDownloadRules: GET /api/sign/download/{id} applies the rules of
// /v/{id}/download (stored, downloadable, not confidential) and hands out
// only what the BSrE login itself signed.
func TestBSrEDownloadRules(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.Profiles[0].NIK = "3604012345670009"
		k := o.Profiles[0].Key
		o.Profiles = append(o.Profiles, &httpapi.Profile{Name: "arsip", Key: k, NIK: "3604012345670010", Keep: true})
	})
	download := func(id string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.url+"/api/sign/download/"+id, nil)
		req.SetBasicAuth("esign", "rahasia-basic")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	bsreSign := func(nik string) string {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("nik", nik)
		mw.WriteField("passphrase", "unused")
		fw, _ := mw.CreateFormFile("file", "surat.pdf")
		fw.Write(e.letter)
		mw.Close()
		req, _ := http.NewRequest("POST", e.url+"/api/sign/pdf", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth("esign", "rahasia-basic")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("bsre sign %s: %d", nik, resp.StatusCode)
		}
		return resp.Header.Get("id_dokumen")
	}
	// Signed through BSrE, downloadable profile: handed out.
	own := bsreSign("3604012345670009")
	if code, b := download(own); code != 200 || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Errorf("own downloadable document: %d", code)
	}
	// Kept but the profile does not offer downloads.
	if code, _ := download(bsreSign("3604012345670010")); code != 404 {
		t.Errorf("not downloadable: %d, want 404", code)
	}
	// Signed by another API client, even downloadable and public.
	resp, _ := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("v1 sign: %d", resp.StatusCode)
	}
	if code, _ := download(resp.Header.Get(httpapi.DocumentIDHeader)); code != 404 {
		t.Errorf("another client's document: %d, want 404", code)
	}
	// Confidential letters are never handed out.
	e.client("bsre:esign", []string{"sekda"}, []string{"sign"})
	resp, _ = e.do("POST", "/v1/sign?profile=sekda&confidential=true", "bsre:esign", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("v1 sign confidential: %d", resp.StatusCode)
	}
	if code, b := download(resp.Header.Get(httpapi.DocumentIDHeader)); code != 404 || bytes.Contains(b, []byte("%PDF")) {
		t.Errorf("confidential document: %d, want 404", code)
	}
	if code, _ := download("nosuchdocument"); code != 404 {
		t.Errorf("unknown id: %d", code)
	}
}
