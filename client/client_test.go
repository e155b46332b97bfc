package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/client"
	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/verify"
)

// signLetter signs the test letter as off with pass, sent as a stream of
// unknown length when chunked.
func signLetter(t *testing.T, c *client.Client, off *gatewaytest.Official, pass string, level string, chunked bool) ([]byte, *client.Signed, error) {
	t.Helper()
	letter := gatewaytest.Letter()
	var body io.Reader = io.NewSectionReader(bytes.NewReader(letter), 0, int64(len(letter)))
	size := int64(len(letter))
	if chunked {
		body, size = io.MultiReader(bytes.NewReader(letter[:100]), bytes.NewReader(letter[100:])), -1
	}
	s, err := c.Sign(context.Background(), body, size, client.SignOptions{Profile: off.Profile, Passphrase: []byte(pass),
		Level: level, Visible: "anchor=" + gatewaytest.SignatureAnchor, Number: "800/7/DPMPTSP/2026", Subject: "Undangan Rapat",
		Title: "Bupati Contoh", NIP: "197001012000031001", ClientAddr: "10.1.2.3"})
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	out, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return out, s, nil
}

// TestSignVerifyAugment: through a real gateway, a letter signed at
// B-T (sent with its length, then chunked) verifies locally and through
// /v1/verify, its register record says what the request said, and
// /v1/augment extends it to B-LTA.
func TestSignVerifyAugment(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("bupati", "Bupati Contoh"))
	off := gw.Official("bupati")
	c := &client.Client{BaseURL: gw.URL + "/", APIKey: gw.APIKey}
	ctx := context.Background()
	for _, chunked := range []bool{false, true} {
		signed, s, err := signLetter(t, c, off, off.Passphrase, "B-T", chunked)
		if err != nil {
			t.Fatalf("chunked %v: %v", chunked, err)
		}
		if s.DocumentID == "" || s.VerifyURL != gw.URL+"/v/"+s.DocumentID || s.RequestID == "" || s.Size != int64(len(signed)) {
			t.Fatalf("chunked %v: %+v (%d bytes)", chunked, s, len(signed))
		}
		local, err := verify.Verify(ctx, bytes.NewReader(signed), int64(len(signed)), &verify.Options{Trust: gw.Trust})
		if err != nil {
			t.Fatal(err)
		}
		if local.Indication != verify.TotalPassed || local.Signatures[0].Level != "PAdES-BASELINE-T" {
			t.Fatalf("local verification: %s %+v", local.Indication, local.Signatures[0])
		}
		rep, err := c.Verify(ctx, bytes.NewReader(signed), int64(len(signed)))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Indication != verify.TotalPassed || len(rep.Signatures) != 1 || rep.Signatures[0].Signer.CommonName != off.Name ||
			rep.SHA256 != local.SHA256 {
			t.Fatalf("gateway's report: %s %+v", rep.Indication, rep.Signatures)
		}
		doc, err := c.Document(ctx, s.DocumentID)
		if err != nil {
			t.Fatal(err)
		}
		if doc.ID != s.DocumentID || doc.Profile != "bupati" || doc.Number != "800/7/DPMPTSP/2026" || doc.Subject != "Undangan Rapat" ||
			doc.NIP != "197001012000031001" || doc.Size != int64(len(signed)) || doc.VerifyURL != s.VerifyURL || doc.SignerName != off.Name {
			t.Errorf("register record %+v", doc)
		}

		aug, err := c.Augment(ctx, bytes.NewReader(signed), -1, "B-LTA")
		if err != nil {
			t.Fatal(err)
		}
		augmented, err := io.ReadAll(aug)
		aug.Close()
		if err != nil {
			t.Fatal(err)
		}
		rep, err = verify.Verify(ctx, bytes.NewReader(augmented), int64(len(augmented)), &verify.Options{Trust: gw.Trust})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Indication != verify.TotalPassed || rep.Signatures[0].Level != "PAdES-BASELINE-LTA" {
			t.Errorf("augmented: %s %+v", rep.Indication, rep.Signatures[0])
		}
	}
}

// TestRefusals: the gateway's problems come back as *client.Error of
// their kind, with the status, the request id and Retry-After, and
// never with the passphrase.
func TestRefusals(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("bupati", "Bupati Contoh"))
	off := gw.Official("bupati")
	c := &client.Client{BaseURL: gw.URL, APIKey: gw.APIKey}
	ctx := context.Background()
	cerr := func(err error) *client.Error {
		t.Helper()
		var e *client.Error
		if !errors.As(err, &e) {
			t.Fatalf("%v is not a *client.Error", err)
		}
		return e
	}

	for i := range 5 {
		_, _, err := signLetter(t, c, off, "salah-"+off.Passphrase, "", false)
		e := cerr(err)
		if !client.IsKind(err, client.KindPassphraseRejected) || e.Status != http.StatusForbidden || e.RequestID == "" {
			t.Fatalf("wrong passphrase %d: %+v", i+1, e)
		}
		if strings.Contains(err.Error(), off.Passphrase) {
			t.Fatal("the error holds the passphrase")
		}
	}
	_, _, err := signLetter(t, c, off, off.Passphrase, "", false)
	if e := cerr(err); e.Kind != client.KindPassphraseLockedOut || e.Status != http.StatusTooManyRequests || e.RetryAfter != 15*time.Minute {
		t.Errorf("after five wrong: %+v", e)
	}
	_, err = c.Sign(ctx, bytes.NewReader(gatewaytest.Letter()), -1, client.SignOptions{Profile: "wakil"})
	if e := cerr(err); e.Kind != client.KindUnknownProfile || e.Status != http.StatusNotFound {
		t.Errorf("unknown profile: %+v", e)
	}
	if _, err := c.Verify(ctx, strings.NewReader("bukan PDF"), -1); !client.IsKind(err, client.KindInvalidPDF) {
		t.Errorf("verify a text: %v", err)
	}
	if _, err := c.Augment(ctx, bytes.NewReader(gatewaytest.Letter()), -1, "B-LTA"); !client.IsKind(err, client.KindNoSignature) {
		t.Errorf("augment an unsigned letter: %v", err)
	}
	if _, err := c.Document(ctx, "tidak-ada"); !client.IsKind(err, client.KindNotFound) {
		t.Errorf("unknown document: %v", err)
	}
	bad := &client.Client{BaseURL: gw.URL, APIKey: "sgl_salah"}
	if _, err := bad.Verify(ctx, bytes.NewReader(gatewaytest.Letter()), -1); !client.IsKind(err, client.KindUnauthorized) {
		t.Errorf("wrong API key: %v", err)
	}
	if _, err := c.Sign(ctx, bytes.NewReader(gatewaytest.Letter()), -1, client.SignOptions{}); err == nil || errors.As(err, new(*client.Error)) {
		t.Errorf("no profile: %v", err)
	}
}

// TestUnreachable: a gateway that is not there wraps ErrUnreachable and
// is no refusal; an address that is not http(s) is refused before any
// request.
func TestUnreachable(t *testing.T) {
	gw := gatewaytest.Start(t)
	gw.Close()
	c := &client.Client{BaseURL: gw.URL, APIKey: gw.APIKey}
	_, err := c.Verify(context.Background(), bytes.NewReader(gatewaytest.Letter()), -1)
	if !errors.Is(err, client.ErrUnreachable) || errors.As(err, new(*client.Error)) {
		t.Errorf("gateway down: %v", err)
	}
	for _, base := range []string{"ftp://segel.example", "segel.example", ""} {
		if _, err := (&client.Client{BaseURL: base}).Document(context.Background(), "x"); err == nil || errors.Is(err, client.ErrUnreachable) {
			t.Errorf("base URL %q: %v", base, err)
		}
	}
}

// TestBrokenAnswers: what is not a gateway's answer (a proxy's page, a
// PDF cut short, a PDF without its id, a redirect elsewhere) is an error
// of the right sentinel, and the passphrase never follows a redirect.
func TestBrokenAnswers(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Segel-Passphrase") != "" || r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("profile") {
		case "proxy":
			http.Error(w, "<html>Bad Gateway</html>", http.StatusBadGateway)
		case "problem-garbage":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("{"))
		case "no-id":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.7\n"))
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
	c := &client.Client{BaseURL: srv.URL, APIKey: "sgl_x"}
	for profile, want := range map[string]error{"proxy": client.ErrUnexpectedAnswer, "problem-garbage": client.ErrUnexpectedAnswer,
		"no-id": client.ErrUnexpectedAnswer, "redirect": client.ErrUnexpectedAnswer, "short": client.ErrUnreachable} {
		s, err := c.Sign(context.Background(), strings.NewReader("%PDF-1.7"), 8, client.SignOptions{Profile: profile, Passphrase: []byte("rahasia")})
		if err == nil {
			_, err = io.ReadAll(s)
			s.Close()
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: %v; want %v", profile, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "rahasia") {
			t.Errorf("%s: the error holds the passphrase", profile)
		}
	}
	if leaked.Load() {
		t.Error("the passphrase or the API key followed a redirect")
	}
}
