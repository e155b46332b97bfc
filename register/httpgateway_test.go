package register_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/register"
	"github.com/segel-id/segel/verify"
)

// letterRequest asks to sign a letter as off.
func letterRequest(off *gatewaytest.Official, pass string) *register.SignRequest {
	letter := gatewaytest.Letter()
	return &register.SignRequest{Profile: off.Profile, Passphrase: []byte(pass), PDF: bytes.NewReader(letter), Size: int64(len(letter)),
		Anchor: gatewaytest.SignatureAnchor, Number: "800/7/DPMPTSP/2026", Subject: "Undangan Rapat", Title: "Bupati Contoh",
		NIP: "197001012000031001", ClientAddr: "10.1.2.3"}
}

// gateways are the two ways to Segel: over HTTP and in process, both
// to the gateway gw.
func gateways(t *testing.T, gw *gatewaytest.Gateway) map[string]register.Gateway {
	return map[string]register.Gateway{
		"http":       &register.HTTPGateway{BaseURL: gw.URL + "/", APIKey: gw.APIKey},
		"in-process": &register.ServiceGateway{Service: gw.Server.Service(), Client: gatewaytest.ClientName, TempDir: t.TempDir()},
	}
}

// each runs f for each kind of gateway, against a gateway of its own
// started with opts.
func each(t *testing.T, f func(t *testing.T, gw *gatewaytest.Gateway, g register.Gateway), opts ...gatewaytest.Option) {
	for _, name := range []string{"http", "in-process"} {
		t.Run(name, func(t *testing.T) {
			gw := gatewaytest.Start(t, opts...)
			f(t, gw, gateways(t, gw)[name])
		})
	}
}

// TestGatewaySign: a letter signed over HTTP or in process verifies, is
// in Segel's register with what the request said, and the result names
// its page.
func TestGatewaySign(t *testing.T) {
	each(t, testSign, gatewaytest.WithOfficial("bupati", "Bupati Contoh"))
}

func testSign(t *testing.T, gw *gatewaytest.Gateway, g register.Gateway) {
	off := gw.Official("bupati")
	req := letterRequest(off, off.Passphrase)
	req.Level, req.Confidential = "B-LT", true
	var out bytes.Buffer
	res, err := g.Sign(context.Background(), req, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != int64(out.Len()) || res.DocumentID == "" || res.VerifyURL != gw.URL+"/v/"+res.DocumentID {
		t.Fatalf("result %+v (%d bytes written)", res, out.Len())
	}
	rep, err := verify.Verify(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), &verify.Options{Trust: gw.Trust})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indication != verify.TotalPassed || rep.Signatures[0].Level != "PAdES-BASELINE-LT" || rep.Signatures[0].Signer.CommonName != off.Name {
		t.Fatalf("verify: %s %+v", rep.Indication, rep.Signatures[0])
	}
	doc, err := gw.Store.GetDocument(context.Background(), res.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Number != req.Number || doc.Subject != req.Subject || doc.Title != req.Title || doc.NIP != req.NIP ||
		!doc.Confidential || doc.Downloadable || doc.Profile != "bupati" || doc.Client != gatewaytest.ClientName {
		t.Errorf("register record %+v", doc)
	}
}

// TestGatewayRefusals: Segel's refusals come back, over HTTP and in
// process alike, as GatewayErrors of the kinds the register tells its
// users, with nothing written to out; the lock-out counts the official's
// address (ClientAddr).
func TestGatewayRefusals(t *testing.T) {
	each(t, testRefusals, gatewaytest.WithOfficial("bupati", "Bupati Contoh"),
		gatewaytest.WithOptions(func(o *httpapi.Options) { o.ProfileAttempts = 50 }))
}

func testRefusals(t *testing.T, gw *gatewaytest.Gateway, g register.Gateway) {
	off := gw.Official("bupati")
	sign := func(req *register.SignRequest) error {
		t.Helper()
		var out bytes.Buffer
		_, err := g.Sign(context.Background(), req, &out)
		if err != nil && out.Len() > 0 {
			t.Errorf("%v: %d bytes written to out", err, out.Len())
		}
		return err
	}
	gerr := func(err error) *register.GatewayError {
		t.Helper()
		var ge *register.GatewayError
		if !errors.As(err, &ge) {
			t.Fatalf("%v is not a GatewayError", err)
		}
		return ge
	}

	req := letterRequest(off, off.Passphrase)
	req.Anchor = "${tidak-ada}"
	if ge := gerr(sign(req)); ge.Kind != register.KindPlacement || ge.Status != 422 || ge.Detail == "" {
		t.Errorf("anchor missing: %+v", ge)
	}
	for i := range 5 {
		err := sign(letterRequest(off, "salah"))
		if ge := gerr(err); ge.Kind != register.KindWrongPassphrase || ge.Status != 403 || !register.IsKind(err, register.KindWrongPassphrase) {
			t.Fatalf("wrong passphrase %d: %+v", i+1, ge)
		}
	}
	err := sign(letterRequest(off, off.Passphrase))
	if ge := gerr(err); ge.Kind != register.KindLockedOut || ge.Status != 429 || ge.RetryAfter != 15*time.Minute {
		t.Errorf("after five wrong: %+v", ge)
	}
	if strings.Contains(err.Error(), off.Passphrase) {
		t.Error("the error holds the passphrase")
	}
	// Another address of the same official is not locked out: the
	// counters went by ClientAddr, not by the register's own address.
	other := letterRequest(off, off.Passphrase)
	other.ClientAddr = "10.9.9.9"
	if err := sign(other); err != nil {
		t.Errorf("from another address: %v", err)
	}

	if err := sign(letterRequest(off, "")); !register.IsKind(err, "passphrase-required") {
		t.Errorf("no passphrase: %v", err)
	}
	unknown := letterRequest(off, off.Passphrase)
	unknown.Profile = "wakil"
	if ge := gerr(sign(unknown)); ge.Kind != "unknown-profile" || ge.Status != 404 {
		t.Errorf("unknown profile: %+v", ge)
	}
	level := letterRequest(off, off.Passphrase)
	level.Level = "B-XL"
	if ge := gerr(sign(level)); ge.Kind != "bad-request" || ge.Status != 400 {
		t.Errorf("bad level: %+v", ge)
	}
	// What the refusals left in Segel's audit log: the wrong passphrases
	// and the lock-out, under the register's name.
	entries, err := gw.Store.AuditEntries(context.Background(), 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, e := range entries {
		if e.Client == gatewaytest.ClientName {
			outcomes[e.Outcome]++
		}
	}
	if want := map[string]int{"passphrase-rejected": 5, "passphrase-locked-out": 1, "stamp-placement": 1, "ok": 1,
		"passphrase-required": 1, "bad-request": 1}; !maps.Equal(outcomes, want) {
		t.Errorf("audit outcomes %v, want %v", outcomes, want)
	}
}

// TestHTTPGatewayAPIKey: a wrong API key is refused as unauthorized.
func TestHTTPGatewayAPIKey(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("bupati", "Bupati Contoh"))
	off := gw.Official("bupati")
	bad := &register.HTTPGateway{BaseURL: gw.URL, APIKey: "sgl_salah", Client: &http.Client{Timeout: time.Minute}}
	if _, err := bad.Sign(context.Background(), letterRequest(off, off.Passphrase), &bytes.Buffer{}); !register.IsKind(err, "unauthorized") {
		t.Errorf("wrong API key: %v", err)
	}
}

// TestHTTPGatewayDown: a gateway that is not there is ErrUnreachable,
// not a refusal.
func TestHTTPGatewayDown(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("bupati", "Bupati Contoh"))
	off := gw.Official("bupati")
	gw.Close()
	g := &register.HTTPGateway{BaseURL: gw.URL, APIKey: gw.APIKey}
	var out bytes.Buffer
	_, err := g.Sign(context.Background(), letterRequest(off, off.Passphrase), &out)
	var ge *register.GatewayError
	if !errors.Is(err, register.ErrUnreachable) || errors.As(err, &ge) || out.Len() > 0 {
		t.Errorf("gateway down: %v (%d bytes)", err, out.Len())
	}
	if _, err := (&register.HTTPGateway{BaseURL: "ftp://x"}).Sign(context.Background(), letterRequest(off, ""), &out); err == nil {
		t.Error("an ftp:// gateway")
	}
}

// TestHTTPGatewayBrokenAnswers: what is not Segel's answer (a proxy's
// page, a PDF cut short, a redirect elsewhere) is an error with nothing
// written to out, and the passphrase never follows a redirect.
func TestHTTPGatewayBrokenAnswers(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Segel-Passphrase") != "" {
			leaked.Store(true)
		}
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("profile") {
		case "proxy":
			http.Error(w, "<html>Bad Gateway</html>", http.StatusBadGateway)
		case "short":
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Segel-Document-Id", "abc")
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("%PDF-1.7\n"))
		case "redirect":
			http.Redirect(w, r, elsewhere.URL+"/v1/sign", http.StatusTemporaryRedirect)
		}
	}))
	defer srv.Close()
	g := &register.HTTPGateway{BaseURL: srv.URL, APIKey: "sgl_x"}
	for profile, want := range map[string]error{"proxy": register.ErrUnexpectedAnswer, "short": register.ErrUnreachable, "redirect": register.ErrUnexpectedAnswer} {
		var out bytes.Buffer
		_, err := g.Sign(context.Background(), &register.SignRequest{Profile: profile, Passphrase: []byte("rahasia"),
			PDF: strings.NewReader("%PDF-1.7"), Size: 8}, &out)
		if !errors.Is(err, want) || out.Len() > 0 {
			t.Errorf("%s: %v, %d bytes written; want %v", profile, err, out.Len(), want)
		}
	}
	if leaked.Load() {
		t.Error("the passphrase followed a redirect")
	}
}

// ExampleHTTPGateway signs a letter through a running `segel serve`.
func ExampleHTTPGateway() {
	g := &register.HTTPGateway{BaseURL: "https://segel.example.go.id", APIKey: os.Getenv("SEGEL_API_KEY")}
	letter, err := os.ReadFile("surat.pdf")
	if err != nil {
		log.Fatal(err)
	}
	out, err := os.Create("surat-ttd.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	res, err := g.Sign(context.Background(), &register.SignRequest{
		Profile: "bupati", Passphrase: []byte(os.Getenv("PASSPHRASE")),
		PDF: bytes.NewReader(letter), Size: int64(len(letter)), Anchor: "${ttd}",
		Number: "800/12/DPMPTSP/2026", Subject: "Undangan Rapat", Title: "Bupati Serang",
		ClientAddr: "203.0.113.7",
	}, out)
	switch {
	case register.IsKind(err, register.KindWrongPassphrase):
		fmt.Println("passphrase salah")
	case register.IsKind(err, register.KindLockedOut):
		var ge *register.GatewayError
		errors.As(err, &ge)
		fmt.Println("terkunci; coba lagi dalam", ge.RetryAfter)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(res.DocumentID, res.VerifyURL)
	}
}
