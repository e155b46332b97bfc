//go:build faults

package faults

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/testpki"
)

// TestPostgresRestart: PostgreSQL stops (as a crash: pg_ctl -m
// immediate) for three seconds while 8 clients sign, then comes back.
// While it is down nothing is acknowledged that is not recorded: every
// answer is 200 or 503 temporarily-unavailable (or, a known gap, 500
// internal when the register write or the audit entry fails); afterwards the service signs again without a
// restart of its own.
func TestPostgresRestart(t *testing.T) {
	e := newEnv(t, envOptions{postgres: true})
	p := e.start(t)
	l := newLedger()
	e.healthy(t, p, l, "before")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []outcome)
	go func() {
		done <- e.load(ctx, func() string { return p.url }, 8, 0, "sekda", "B-B", "B-T", "B-LT", "B-LTA")
	}()
	time.Sleep(time.Second)
	pgtest.Halt(t)
	time.Sleep(3 * time.Second)
	pgtest.Resume(t)
	time.Sleep(2 * time.Second)
	cancel()
	outs := <-done
	seen := e.expect(t, outs, l, "200", "503 temporarily-unavailable")
	t.Logf("PostgreSQL restarted under load: %v", seen)
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if (strings.Contains(line, "internal") || strings.Contains(line, "ERROR")) && os.Getenv("FAULTS_DEBUG") != "" {
			t.Log(line)
		}
	}
	e.healthy(t, p, l, "after")
	stop(t, p)
	e.checkAfter(t, l)
}

// TestSoftHSMTokenRemoved: the SoftHSM token directory of a profile is
// moved away while 8 clients sign with it (the slot's token is gone),
// then put back. Every answer is 200 (a whole signature at the level
// asked, recorded) or 503 hsm-unavailable, nothing else, and nothing
// acknowledged is lost.
func TestSoftHSMTokenRemoved(t *testing.T) {
	tok := softhsmtest.New(t, "faults", "1234")
	pub := tok.GenerateKey(t, "signer", "ec-p256")
	pin := write(t, t.TempDir(), "pin", []byte(tok.PIN))
	e := newEnv(t, envOptions{profileFn: func(e *env) string {
		id, err := e.pki.IssueSigner(testpki.SignerOptions{PublicKey: pub, NonRepudiation: true})
		if err != nil {
			t.Fatal(err)
		}
		tok.ImportCert(t, "signer", id.Cert, id.Chain...)
		return `  - name: hsm
    key: "pkcs11:token=faults;object=signer?module-path=` + tok.Module + `&pin-source=file:` + pin + `"
    level: B-LT
    max_concurrent: 8
`
	}})
	p := e.start(t)
	l := newLedger()
	for _, level := range []string{"B-B", "B-LT"} {
		o := e.sign(context.Background(), p.url, "hsm", level)
		if o.status != 200 {
			t.Fatalf("before: %s\n%s", o, tail(p.stderr.String(), 10))
		}
		e.checkSigned(t, o, l)
	}
	tokens := filepath.Join(tok.Dir, "tokens")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []outcome)
	go func() {
		done <- e.load(ctx, func() string { return p.url }, 8, 0, "hsm", "B-B", "B-T", "B-LT", "B-LTA")
	}()
	time.Sleep(time.Second)
	if err := os.Rename(tokens, tokens+".gone"); err != nil {
		t.Fatal(err)
	}
	gone := time.Now()
	time.Sleep(3 * time.Second)
	if err := os.Rename(tokens+".gone", tokens); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	time.Sleep(2 * time.Second)
	cancel()
	outs := <-done
	var before, during, after []outcome
	for _, o := range outs {
		switch {
		case o.at.Before(gone):
			before = append(before, o)
		case o.at.Before(back):
			during = append(during, o)
		default:
			after = append(after, o)
		}
	}
	sb := e.expect(t, before, l, "200", "503 hsm-unavailable")
	sd := e.expect(t, during, l, "200", "503 hsm-unavailable")
	sa := e.expect(t, after, l, "200", "503 hsm-unavailable")
	t.Logf("token in place %v; moved away %v; put back %v", sb, sd, sa)
	if sd["503 hsm-unavailable"] == 0 {
		t.Error("no hsm-unavailable while the token was away: the fault was not exercised")
	}
	if sa["200"] == 0 {
		t.Error("the profile did not sign again once the token was back")
	}
	stop(t, p)
	e.checkAfter(t, l)
}
