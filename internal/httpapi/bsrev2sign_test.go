package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/verify"
)

// bsreV2Answer is the answer of POST /api/v2/sign/pdf.
type bsreV2Answer struct {
	Time  int64    `json:"time"`
	File  []string `json:"file"`
	IDs   []string `json:"id_dokumen"`
	Error string   `json:"error"`
	Code  int      `json:"status_code"`
}

// TestBSrEV2Sign: v2 names the official by nik or email, signs several
// files with one signatureProperties entry for all or one per file (a
// tag_koordinat anchor among them), and returns each document's id in
// the answer and the id_dokumen header, in the files' order.
func TestBSrEV2Sign(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.Profiles[0].NIK, o.Profiles[0].Email = "3604012345670009", "sekda@serangkab.go.id"
	})
	c := bsreClient{t: t, url: e.url}
	anchored := gatewaytest.Letter()
	b64 := base64.StdEncoding.EncodeToString
	sign := func(req map[string]any) (int, string, bsreV2Answer) {
		t.Helper()
		body, _ := json.Marshal(req)
		resp, b := c.post("/api/v2/sign/pdf", "application/json", body)
		var a bsreV2Answer
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("not JSON: %v: %.300s", err, b)
		}
		return resp.StatusCode, resp.Header.Get("id_dokumen"), a
	}
	check := func(what string, a bsreV2Answer, header string, reasons ...string) {
		t.Helper()
		if len(a.File) != len(reasons) || len(a.IDs) != len(reasons) || header != strings.Join(a.IDs, ",") {
			t.Fatalf("%s: %d files, ids %v, header %q", what, len(a.File), a.IDs, header)
		}
		for i, f := range a.File {
			pdf, err := base64.StdEncoding.DecodeString(f)
			if err != nil {
				t.Fatal(err)
			}
			rep := e.verifyReport(pdf)
			if rep.Indication != verify.TotalPassed || rep.Signatures[0].Reason != reasons[i] {
				t.Errorf("%s: file %d: %s, reason %q, want %q", what, i, rep.Indication, rep.Signatures[0].Reason, reasons[i])
			}
			if rep.Signatures[0].Signer.CommonName == "" || a.IDs[i] == "" {
				t.Errorf("%s: file %d: no signer or id", what, i)
			}
			// The id is the register's: the citizens' page knows it.
			if resp, _ := e.do("GET", "/v/"+a.IDs[i], "", nil, nil); resp.StatusCode != 200 {
				t.Errorf("%s: /v/%s: %d", what, a.IDs[i], resp.StatusCode)
			}
		}
		if len(a.IDs) == 2 && a.IDs[0] == a.IDs[1] {
			t.Errorf("%s: one id for two documents", what)
		}
	}

	// The citizens' page does not know every id: the check below can fail.
	if resp, _ := e.do("GET", "/v/nosuchdocument0000", "", nil, nil); resp.StatusCode == 200 {
		t.Fatalf("/v/ of an unknown id: %d", resp.StatusCode)
	}
	// By email (any case), two files, one entry for both.
	code, header, a := sign(map[string]any{"email": "Sekda@SerangKab.go.id", "passphrase": "unused",
		"signatureProperties": []map[string]any{{"tampilan": "INVISIBLE", "reason": "Disetujui"}},
		"file":                []string{b64(e.letter), b64(anchored)}})
	if code != 200 {
		t.Fatalf("by email: %d %+v", code, a)
	}
	check("one entry, two files", a, header, "Disetujui", "Disetujui")
	invisible, _ := base64.StdEncoding.DecodeString(a.File[1])

	// By NIK, one entry per file: an anchor on the second.
	code, header, a = sign(map[string]any{"nik": "3604012345670009", "passphrase": "unused",
		"signatureProperties": []map[string]any{
			{"tampilan": "INVISIBLE", "reason": "Pertama"},
			{"tampilan": "VISIBLE", "tag_koordinat": gatewaytest.SignatureAnchor, "width": 150, "height": 70, "reason": "Kedua"}},
		"file": []string{b64(e.letter), b64(anchored)}})
	if code != 200 {
		t.Fatalf("one entry per file: %d %+v", code, a)
	}
	check("one entry per file", a, header, "Pertama", "Kedua")
	pdf, _ := base64.StdEncoding.DecodeString(a.File[1])
	// The stamp (its font subset and QR code) is in the second file only.
	if len(pdf) < len(invisible)+2000 {
		t.Errorf("anchored file: %d bytes, invisibly signed %d: no stamp", len(pdf), len(invisible))
	}

	// A single file as a string, no entries at all.
	code, header, a = sign(map[string]any{"nik": "3604012345670009", "passphrase": "unused", "file": b64(e.letter)})
	if code != 200 {
		t.Fatalf("one file: %d %+v", code, a)
	}
	check("one file", a, header, "")

	// Neither nik nor email known; entries neither one nor one per file.
	for _, req := range []map[string]any{
		{"email": "bukan@serangkab.go.id", "passphrase": "unused", "file": []string{b64(e.letter)}},
		{"email": "", "passphrase": "unused", "file": []string{b64(e.letter)}},
		{"nik": "1111111111111111", "email": "sekda@serangkab.go.id", "passphrase": "unused", "file": []string{b64(e.letter)}},
	} {
		if code, header, a := sign(req); code != 400 || a.Code != 2011 || header != "" {
			t.Errorf("unknown official %v: %d %+v", req["email"], code, a)
		}
	}
	code, header, a = sign(map[string]any{"nik": "3604012345670009", "passphrase": "unused",
		"signatureProperties": []map[string]any{{"reason": "a"}, {"reason": "b"}, {"reason": "c"}},
		"file":                []string{b64(e.letter), b64(e.letter)}})
	if code != 400 || a.Code != 2021 || !strings.Contains(a.Error, "signatureProperties") || header != "" {
		t.Errorf("3 entries for 2 files: %d %+v", code, a)
	}
	e.tempEmpty()
}

// TestBSrEEmailAmbiguous: an email two profiles give names neither: the
// answer is 2011, never a signature for one of them.
func TestBSrEEmailAmbiguous(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		k := o.Profiles[0].Key
		o.Profiles[0].Email = "tu@serangkab.go.id"
		o.Profiles = append(o.Profiles, &httpapi.Profile{Name: "arsip", Key: k, Email: "TU@serangkab.go.id"})
	})
	c := bsreClient{t: t, url: e.url}
	body, _ := json.Marshal(map[string]any{"email": "tu@serangkab.go.id", "passphrase": "unused",
		"file": []string{base64.StdEncoding.EncodeToString(e.letter)}})
	resp, b := c.post("/api/v2/sign/pdf", "application/json", body)
	if a := decodeBSrE(t, b); resp.StatusCode != 400 || a.StatusCode != 2011 {
		t.Errorf("ambiguous email: %d %+v", resp.StatusCode, a)
	}
	st, _ := json.Marshal(map[string]string{"email": "tu@serangkab.go.id"})
	if resp, b := c.post("/api/v2/user/check/status", "application/json", st); resp.StatusCode != 400 || !strings.Contains(string(b), "2011") {
		t.Errorf("ambiguous email status: %d %s", resp.StatusCode, b)
	}
}
