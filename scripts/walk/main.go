//go:build walk

// Command walk measures the walk of one visible B-LTA signature through
// POST /v1/sign: built with coverage by scripts/walk.sh, it starts a
// gateway (testpki's PKI, TSA and OCSP responder, an SQLite store, a
// software-key profile), signs once to warm it, writes the coverage
// counters to $WALK_DIR/before, signs once more and writes them to
// $WALK_DIR/after. The blocks whose count grew are what the request ran.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/coverage"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
)

func main() {
	dir := os.Getenv("WALK_DIR")
	letter, err := os.ReadFile("testdata/pdf/gs-letter.pdf")
	check(err)
	pkiSrv := httptest.NewUnstartedServer(nil)
	pki, err := testpki.New(testpki.Options{BaseURL: "http://" + pkiSrv.Listener.Addr().String()})
	check(err)
	pkiSrv.Config.Handler = pki.Handler()
	pkiSrv.Start()
	defer pkiSrv.Close()
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{})
	check(err)
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	defer tsaSrv.Close()
	ts, err := tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: pki.Roots()})
	check(err)
	sw, err := pki.IssueSigner(testpki.SignerOptions{NonRepudiation: true})
	check(err)
	tmp, err := os.MkdirTemp("", "walk-")
	check(err)
	defer os.RemoveAll(tmp)
	st, err := store.Open(context.Background(), filepath.Join(tmp, "segel.db"), nil)
	check(err)
	defer st.Close()
	key, hash := httpapi.NewAPIKey()
	check(st.PutClient(context.Background(), &store.Client{Name: "eoffice", KeyHash: hash, Profiles: []string{"sekda"}, Operations: []string{"sign", "verify"}}))
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	srv, err := httpapi.New(httpapi.Options{Store: st, Trust: pool, Timestamper: ts, TempDir: tmp,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicBaseURL: "https://segel.example",
		Profiles: []*httpapi.Profile{{Name: "sekda", Key: &keyref.Key{Signer: sw.Key, Certificate: sw.Cert, Chain: sw.Chain}, Keep: true}}})
	check(err)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	var signed []byte
	sign := func() {
		req, err := http.NewRequest("POST", hs.URL+"/v1/sign?profile=sekda&level=B-LTA&visible=anchor%3Da.n.%20Bupati%20Serang&number=800%2F1%2F2026&title=Sekda", bytes.NewReader(letter))
		check(err)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/pdf")
		resp, err := http.DefaultClient.Do(req)
		check(err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			log.Fatalf("sign: %d %s", resp.StatusCode, body)
		}
		signed = body
	}
	if os.Getenv("WALK_DOOR") == "register" {
		// The register's in-process gateway (register.go), instead of
		// HTTP.
		if inProcess == nil {
			log.Fatal("this tree has no in-process gateway")
		}
		sign = func() { check(inProcess(srv, letter, tmp)) }
	}
	if os.Getenv("WALK_DOOR") == "verify" {
		// The walk of one verification: POST /v1/verify of a visible
		// B-LTA letter signed first (online, as the API verifies).
		sign()
		letter := signed
		sign = func() {
			req, err := http.NewRequest("POST", hs.URL+"/v1/verify", bytes.NewReader(letter))
			check(err)
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/pdf")
			resp, err := http.DefaultClient.Do(req)
			check(err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"TOTAL_PASSED"`)) {
				log.Fatalf("verify: %d %s", resp.StatusCode, body)
			}
		}
	}
	sign()
	check(coverage.WriteCountersDir(filepath.Join(dir, "before")))
	sign()
	check(coverage.WriteCountersDir(filepath.Join(dir, "after")))
	fmt.Println("ok")
}

// inProcess signs letter through the register's in-process gateway of
// srv, when the tree has one (register.go).
var inProcess func(srv *httpapi.Server, letter []byte, tmp string) error

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
