//go:build faults

package faults

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pgtest"
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
	// knownGap: a failed PutDocument or "ok" audit entry is 500 internal
	// (httpapi/sign.go), where a failed PutBlob is 503: see docs/faults.md,
	// "Known gaps". Allowed here so the case guards the rest; nothing is
	// acknowledged either way.
	const knownGap = "500 internal"
	seen := e.expect(t, outs, l, "200", "503 temporarily-unavailable", knownGap)
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
