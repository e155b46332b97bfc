package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/segel-id/segel/internal/store"
)

// testOTP enrols, reads, uses steps and removes TOTP enrolments: a step is
// accepted once and never an older one, re-enrolment resets the step,
// enrolment and removal are each one audit entry without the sealed blob.
func testOTP(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	// A second store on the same database: another replica.
	replica := open(t, dsn, nil)
	ctx := context.Background()
	sealed := []byte("\x00sealed-opaque-bytes\xff")
	if _, err := s.GetOTP(ctx, "bupati", "3201"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetOTP before enrolment: %v, want ErrNotFound", err)
	}
	if err := s.UseOTPStep(ctx, "bupati", "3201", 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UseOTPStep before enrolment: %v, want ErrNotFound", err)
	}
	if err := s.PutOTP(ctx, &store.OTPEnrolment{Profile: "bupati", Subject: "3201", Sealed: sealed, LastStep: 99}); err != nil {
		t.Fatal(err)
	}
	e, err := s.GetOTP(ctx, "bupati", "3201")
	if err != nil || !bytes.Equal(e.Sealed, sealed) || e.LastStep != 0 || e.Created.IsZero() {
		t.Fatalf("GetOTP = %+v, %v; want the sealed bytes, LastStep 0, a creation time", e, err)
	}
	if _, err := s.GetOTP(ctx, "bupati", "3202"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetOTP of another subject: %v, want ErrNotFound", err)
	}
	if err := s.UseOTPStep(ctx, "bupati", "3201", 100); err != nil {
		t.Fatal(err)
	}
	for _, step := range []int64{100, 99} {
		if err := s.UseOTPStep(ctx, "bupati", "3201", step); !errors.Is(err, store.ErrOTPReplay) {
			t.Errorf("UseOTPStep(%d) after 100: %v, want ErrOTPReplay", step, err)
		}
	}
	if err := s.UseOTPStep(ctx, "bupati", "3201", 101); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.GetOTP(ctx, "bupati", "3201"); e == nil || e.LastStep != 101 {
		t.Fatalf("LastStep after 101 = %+v", e)
	}

	// Many at once, on two replicas, offering the same step: exactly one
	// wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, replays := 0, 0
	for i := range 8 {
		st := s
		if i%2 == 1 {
			st = replica
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.UseOTPStep(ctx, "bupati", "3201", 102)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrOTPReplay):
				replays++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || replays != 7 {
		t.Errorf("8 concurrent uses of one step on two replicas: %d accepted, %d replays; want 1 and 7", won, replays)
	}

	// Re-enrolment replaces the blob and resets the step.
	if err := s.PutOTP(ctx, &store.OTPEnrolment{Profile: "bupati", Subject: "3201", Sealed: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.GetOTP(ctx, "bupati", "3201"); e == nil || string(e.Sealed) != "new" || e.LastStep != 0 {
		t.Fatalf("after re-enrolment = %+v", e)
	}
	if err := s.UseOTPStep(ctx, "bupati", "3201", 50); err != nil {
		t.Errorf("a step after re-enrolment: %v", err)
	}
	if err := s.DeleteOTP(ctx, "bupati", "3201"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOTP(ctx, "bupati", "3201"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetOTP after DeleteOTP: %v", err)
	}
	if err := s.DeleteOTP(ctx, "bupati", "3201"); err != nil {
		t.Errorf("DeleteOTP of nothing: %v", err)
	}
	for _, bad := range []*store.OTPEnrolment{
		{Profile: "", Subject: "x", Sealed: []byte("s")},
		{Profile: "p", Subject: "", Sealed: []byte("s")},
		{Profile: "p", Subject: "x"},
	} {
		if err := s.PutOTP(ctx, bad); err == nil {
			t.Errorf("PutOTP(%+v) accepted", bad)
		}
	}

	es, err := s.AuditEntries(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"totp-enrol", "totp-enrol", "totp-remove"}
	if len(es) != len(want) {
		t.Fatalf("%d audit entries, want %d (%v)", len(es), len(want), want)
	}
	for i, e := range es {
		if e.Operation != want[i] || e.Profile != "bupati" || e.Outcome != "ok" {
			t.Errorf("entry %d = %s %s %s, want %s bupati ok", i+1, e.Operation, e.Profile, e.Outcome, want[i])
		}
		if strings.Contains(e.Detail, "sealed") || strings.Contains(e.Detail, "new") {
			t.Errorf("entry %d holds the sealed blob: %q", i+1, e.Detail)
		}
	}
	if c, err := s.VerifyAudit(ctx); err != nil || c.FirstBroken != 0 {
		t.Errorf("VerifyAudit = %+v, %v", c, err)
	}
}

// testInsertOTP inserts a row only where there is none: of many inserts
// at once on two replicas exactly one records its row (and one audit
// entry), the others get ErrExists and leave it as it is; a row that
// exists, even spent, is never replaced.
func testInsertOTP(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	replica := open(t, dsn, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []int
	for i := range 8 {
		st := s
		if i%2 == 1 {
			st = replica
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.InsertOTP(ctx, &store.OTPEnrolment{Profile: "seal", Subject: "activation", Sealed: []byte{byte('a' + i)}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, i)
			case !errors.Is(err, store.ErrExists):
				t.Errorf("insert %d: %v, want nil or ErrExists", i, err)
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("8 concurrent inserts on two replicas: %d won (%v), want exactly 1", len(winners), winners)
	}
	e, err := s.GetOTP(ctx, "seal", "activation")
	if err != nil || string(e.Sealed) != string([]byte{byte('a' + winners[0])}) {
		t.Fatalf("GetOTP = %+v, %v; want the winner's row", e, err)
	}
	if err := s.UseOTPStep(ctx, "seal", "activation", 7); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertOTP(ctx, &store.OTPEnrolment{Profile: "seal", Subject: "activation", Sealed: []byte("later")}); !errors.Is(err, store.ErrExists) {
		t.Errorf("InsertOTP over a row: %v, want ErrExists", err)
	}
	if e, _ := s.GetOTP(ctx, "seal", "activation"); e == nil || e.LastStep != 7 || string(e.Sealed) == "later" {
		t.Errorf("after a refused insert = %+v, want the row unchanged", e)
	}
	if err := s.InsertOTP(ctx, &store.OTPEnrolment{Profile: "seal", Subject: "x"}); err == nil {
		t.Error("InsertOTP with nothing sealed accepted")
	}
	es, err := s.AuditEntries(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Operation != "totp-enrol" {
		t.Errorf("audit entries = %d, want one totp-enrol", len(es))
	}
}

// testOTPConcurrentEnrol: an official enrolling again on two replicas at
// once (a double tap, two apps), and removed at the same time: every
// enrolment succeeds (none fails on the row another put there first),
// one enrolment is left or none, and the audit chain is whole.
func testOTPConcurrentEnrol(t *testing.T, b backend) {
	ctx := context.Background()
	s, dsn := b.fresh(t)
	replica := open(t, dsn, nil)
	if err := s.PutOTP(ctx, &store.OTPEnrolment{Profile: "bupati", Subject: "3201", Sealed: []byte("first")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		st := s
		if i%2 == 1 {
			st = replica
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i == 5 {
				err = st.DeleteOTP(ctx, "bupati", "3201")
			} else {
				err = st.PutOTP(ctx, &store.OTPEnrolment{Profile: "bupati", Subject: "3201", Sealed: []byte{byte('a' + i)}})
			}
			if err != nil {
				t.Errorf("replica %d: %v", i%2, err)
			}
		}()
	}
	wg.Wait()
	if chk, err := s.VerifyAudit(ctx); err != nil || chk.FirstBroken != 0 {
		t.Errorf("audit chain after concurrent enrolments: %+v, %v", chk, err)
	}
}
