package gatewaytest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/verify"
)

// post signs letter through gw as profile with the query q and the
// passphrase pass.
func post(t *testing.T, gw *gatewaytest.Gateway, q url.Values, pass string, letter []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", gw.URL+"/v1/sign?"+q.Encode(), bytes.NewReader(letter))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+gw.APIKey)
	req.Header.Set("Content-Type", "application/pdf")
	if pass != "" {
		req.Header.Set(httpapi.PassphraseHeader, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestSignThroughGateway: an official signs a letter at B-LTA with the
// stamp at its anchor; the signature verifies under the gateway's trust
// roots (with its document timestamp), the register has the letter, its page opens; a wrong
// passphrase is refused.
func TestSignThroughGateway(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("bupati", "Bupati Contoh"), gatewaytest.WithOfficial("sekda", "Sekda Contoh"))
	off := gw.Official("bupati")
	if off == nil || off.Passphrase == "" || len(off.NIK) != 16 || gw.Official("sekda").NIK == off.NIK {
		t.Fatalf("officials: %+v", gw.Officials)
	}
	letter := gatewaytest.Letter()
	q := url.Values{"profile": {off.Profile}, "level": {"B-LTA"}, "visible": {"anchor=" + gatewaytest.SignatureAnchor},
		"number": {"800/12/DPMPTSP/2026"}, "subject": {"Undangan Rapat"}}
	resp, signed := post(t, gw, q, off.Passphrase, letter)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d %s", resp.StatusCode, signed)
	}
	rep, err := verify.Verify(context.Background(), bytes.NewReader(signed), int64(len(signed)), &verify.Options{Trust: gw.Trust})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indication != verify.TotalPassed || len(rep.Signatures) != 2 || rep.Signatures[0].Level != "PAdES-BASELINE-LTA" {
		t.Fatalf("verify: %s %+v", rep.Indication, rep.Signatures)
	}
	if got := rep.Signatures[0].Signer.CommonName; got != off.Name {
		t.Errorf("signer %q, want %q", got, off.Name)
	}
	id := resp.Header.Get(httpapi.DocumentIDHeader)
	doc, err := gw.Store.GetDocument(context.Background(), id)
	if err != nil || doc.Number != "800/12/DPMPTSP/2026" || doc.Profile != "bupati" || doc.Client != gatewaytest.ClientName {
		t.Fatalf("register: %+v %v", doc, err)
	}
	page, err := http.Get(gw.URL + "/v/" + id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !strings.Contains(string(b), "800/12/DPMPTSP/2026") {
		t.Errorf("citizens' page: %d", page.StatusCode)
	}

	resp, body := post(t, gw, url.Values{"profile": {off.Profile}}, "salah", letter)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "passphrase-rejected") {
		t.Errorf("wrong passphrase: %d %s", resp.StatusCode, body)
	}
	// The seal signs without a passphrase.
	if resp, body := post(t, gw, url.Values{"profile": {gatewaytest.SealProfile}}, "", letter); resp.StatusCode != 200 {
		t.Errorf("seal: %d %s", resp.StatusCode, body)
	}
	gw.Close()
	if _, err := http.Get(gw.URL + "/healthz"); err == nil {
		t.Error("the gateway answers after Close")
	}
}
