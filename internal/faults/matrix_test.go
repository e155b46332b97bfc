//go:build faults

package faults

import (
	"context"
	"testing"
	"time"
)

// split returns the outcomes asked at B-B and those asked at B-T and above.
func split(outs []outcome) (bb, timed []outcome) {
	for _, o := range outs {
		if o.level == "B-B" {
			bb = append(bb, o)
		} else {
			timed = append(timed, o)
		}
	}
	return bb, timed
}

// healthy signs once at every level: the deployment works before (and
// after) its fault.
func (e *env) healthy(t *testing.T, p *proc, l *ledger, what string) {
	t.Helper()
	for _, level := range []string{"B-B", "B-T", "B-LT", "B-LTA"} {
		o := e.sign(context.Background(), p.url, "sekda", level)
		if o.status != 200 {
			t.Fatalf("%s, %s: %s\nstderr:\n%s", what, level, o, tail(p.stderr.String(), 10))
		}
		e.checkSigned(t, o, l)
	}
}

// stop stops p with SIGTERM and expects a graceful exit.
func stop(t *testing.T, p *proc) {
	t.Helper()
	if code := p.term(t); code != 0 {
		t.Errorf("exit %d after SIGTERM\nstderr:\n%s", code, tail(p.stderr.String(), 10))
	}
}

// TestTSA: a TSA that is dead, slower than tsa.timeout, or answers
// garbage. B-T and above: 503 tsa-unavailable, never a signature at a
// lower level; B-B still signs; the service recovers with the TSA.
func TestTSA(t *testing.T) {
	for _, c := range []struct {
		name string
		mode tsaMode
	}{{"dead", tsaDead}, {"slow", tsaSlow}, {"garbage", tsaGarbage}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			p := e.start(t)
			l := newLedger()
			e.healthy(t, p, l, "before")
			e.tsa.set(c.mode)
			start := time.Now()
			outs := e.load(context.Background(), func() string { return p.url }, 4, 16, "sekda", "B-B", "B-T", "B-LT", "B-LTA")
			bb, timed := split(outs)
			seenBB := e.expect(t, bb, l, "200")
			seen := e.expect(t, timed, l, "503 tsa-unavailable")
			for _, o := range timed {
				if o.took > 15*time.Second {
					t.Errorf("%s took %v: the TSA's timeout (1s) does not bound it", o.level, o.took)
				}
			}
			t.Logf("%d requests in %v: B-B %v, B-T and above %v", len(outs), time.Since(start), seenBB, seen)
			e.tsa.set(tsaOK)
			e.healthy(t, p, l, "after")
			stop(t, p)
			e.checkAfter(t, l)
		})
	}
}
