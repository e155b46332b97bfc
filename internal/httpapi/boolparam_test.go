package httpapi_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
)

// TestBooleanParameters: confidential=on|yes|ya|1|true (any case) marks a
// letter confidential, off|no|tidak|0|false does not, anything else is
// 400; a form's checkbox (a "confidential" field before the file) counts.
func TestBooleanParameters(t *testing.T) {
	e := newEnv(t, nil, nil)
	confidential := func(resp *http.Response, body []byte) bool {
		t.Helper()
		if resp.StatusCode != 200 {
			t.Fatalf("sign: %d %s", resp.StatusCode, body)
		}
		id := resp.Header.Get("Segel-Document-Id")
		d, err := e.st.GetDocument(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Confidential && !d.Downloadable
	}
	for _, v := range []string{"on", "yes", "ya", "1", "true", "TRUE", "On", "Ya"} {
		resp, body := e.do("POST", "/v1/sign?profile=sekda&confidential="+url.QueryEscape(v), "eoffice", e.letter, nil)
		if !confidential(resp, body) {
			t.Errorf("confidential=%s: not confidential", v)
		}
	}
	for _, v := range []string{"off", "no", "tidak", "0", "false", ""} {
		resp, body := e.do("POST", "/v1/sign?profile=sekda&confidential="+url.QueryEscape(v), "eoffice", e.letter, nil)
		if confidential(resp, body) {
			t.Errorf("confidential=%s: confidential", v)
		}
	}
	for _, v := range []string{"rahasia", "2", "yess", "null"} {
		resp, body := e.do("POST", "/v1/sign?profile=sekda&confidential="+url.QueryEscape(v), "eoffice", e.letter, nil)
		wantProblem(t, resp, body, http.StatusBadRequest, "bad-request")
	}
	// A multipart form with a checked checkbox.
	form := func(val string) (*http.Response, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("confidential", val)
		fw, _ := mw.CreateFormFile("file", "surat.pdf")
		fw.Write(e.letter)
		mw.Close()
		return e.do("POST", "/v1/sign?profile=sekda", "eoffice", buf.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType()})
	}
	if resp, body := form("on"); !confidential(resp, body) {
		t.Error("form checkbox on: not confidential")
	}
	resp, body := form("maybe")
	wantProblem(t, resp, body, http.StatusBadRequest, "bad-request")
	if resp.Header.Get("Segel-Document-Id") != "" {
		t.Error("a refused request has a document id")
	}
	var p struct{ Detail string }
	json.Unmarshal(body, &p)
	if !bytes.Contains([]byte(p.Detail), []byte("confidential")) {
		t.Errorf("detail %q does not name the parameter", p.Detail)
	}
	e.tempEmpty()
}
