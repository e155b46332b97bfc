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

// TestRevocation: OCSP responders and CRL distribution points that are
// dead, stale, answer about another certificate, or serve a CRL beyond
// the size limit. B-LT and B-LTA need revocation data: without good data
// they are 503 revocation-unavailable, never a B-T answered 200; B-B and
// B-T sign. A dead OCSP responder with a good CRL still signs B-LT from
// the CRL. The faults are set before the first request, so that no
// response is cached yet.
func TestRevocation(t *testing.T) {
	for _, c := range []struct {
		name      string
		ocsp, crl int32
		timed     string // the answer at B-LT and B-LTA
	}{
		{"ocsp-dead-crl-good", ocspDead, crlOK, "200"},
		{"ocsp-dead-crl-dead", ocspDead, crlDead, "503 revocation-unavailable"},
		{"ocsp-stale", ocspStale, crlDead, "503 revocation-unavailable"},
		{"ocsp-other-certificate", ocspOther, crlDead, "503 revocation-unavailable"},
		{"crl-huge", ocspDead, crlHuge, "503 revocation-unavailable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			e.rev.ocsp.Store(c.ocsp)
			e.rev.crl.Store(c.crl)
			p := e.start(t)
			l := newLedger()
			outs := e.load(context.Background(), func() string { return p.url }, 4, 16, "sekda", "B-B", "B-T", "B-LT", "B-LTA")
			var low, high []outcome
			for _, o := range outs {
				if o.level == "B-LT" || o.level == "B-LTA" {
					high = append(high, o)
				} else {
					low = append(low, o)
				}
			}
			seenLow := e.expect(t, low, l, "200")
			seen := e.expect(t, high, l, c.timed)
			t.Logf("B-B and B-T %v; B-LT and B-LTA %v; OCSP requests %d, CRL requests %d; RSS %d MiB",
				seenLow, seen, e.rev.ocspHits.Load(), e.rev.crlHits.Load(), rss(t, p)>>20)
			if e.rev.ocspHits.Load() == 0 || (c.crl != crlOK && c.timed == "200") {
				t.Errorf("the fault was not exercised")
			}
			if c.crl == crlHuge && rss(t, p) > 200<<20 {
				t.Errorf("RSS %d MiB after huge CRLs: not bounded", rss(t, p)>>20)
			}
			e.rev.ocsp.Store(ocspOK)
			e.rev.crl.Store(crlOK)
			e.healthy(t, p, l, "after")
			stop(t, p)
			e.checkAfter(t, l)
		})
	}
}
