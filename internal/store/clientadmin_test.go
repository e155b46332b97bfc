package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/segel-id/segel/internal/store"
)

// testClientAdmin disables, enables, re-keys and removes a client: the
// key stops (or starts) being found at once, each change is one audit
// entry, and an unknown name or a taken key is refused unaudited.
func testClientAdmin(t *testing.T, b backend) {
	s, _ := b.fresh(t)
	ctx := context.Background()
	k1 := sha256.Sum256([]byte("sgl_one"))
	k2 := sha256.Sum256([]byte("sgl_two"))
	k3 := sha256.Sum256([]byte("sgl_three"))
	for _, c := range []*store.Client{
		{Name: "eoffice", KeyHash: k1[:], Profiles: []string{"sekda"}, Operations: []string{"sign"}},
		{Name: "portal", KeyHash: k2[:], Profiles: []string{"sekda"}, Operations: []string{"verify"}},
	} {
		if err := s.PutClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	found := func(h []byte) bool {
		t.Helper()
		_, err := s.ClientByKeyHash(ctx, h)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if err := s.DisableClient(ctx, "eoffice", true); err != nil {
		t.Fatal(err)
	}
	if found(k1[:]) {
		t.Error("a disabled client's key is still found")
	}
	cs, err := s.Clients(ctx)
	if err != nil || len(cs) != 2 || !cs[0].Disabled || cs[1].Disabled {
		t.Fatalf("Clients after disable = %+v, %v; want eoffice disabled, portal not", cs, err)
	}
	if err := s.DisableClient(ctx, "eoffice", false); err != nil {
		t.Fatal(err)
	}
	if !found(k1[:]) {
		t.Error("an enabled client's key is not found")
	}
	if err := s.RotateClientKey(ctx, "eoffice", k2[:]); !errors.Is(err, store.ErrExists) {
		t.Errorf("rotating to portal's key: %v, want ErrExists", err)
	}
	if err := s.RotateClientKey(ctx, "eoffice", k3[:]); err != nil {
		t.Fatal(err)
	}
	if found(k1[:]) || !found(k3[:]) {
		t.Error("after rotation the old key is still found or the new one is not")
	}
	if err := s.RemoveClient(ctx, "eoffice"); err != nil {
		t.Fatal(err)
	}
	if found(k3[:]) || !found(k2[:]) {
		t.Error("after removal the removed client's key is found, or the other client's is not")
	}
	for name, err := range map[string]error{
		"disable": s.DisableClient(ctx, "nobody", true),
		"remove":  s.RemoveClient(ctx, "eoffice"),
		"rotate":  s.RotateClientKey(ctx, "nobody", k1[:]),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of an unknown client: %v, want ErrNotFound", name, err)
		}
	}
	es, err := s.AuditEntries(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"client-disable", "client-enable", "client-rotate", "client-remove"}
	if len(es) != len(want) {
		t.Fatalf("%d audit entries, want %d (%v)", len(es), len(want), want)
	}
	for i, e := range es {
		if e.Operation != want[i] || e.Client != "eoffice" || e.Outcome != "ok" {
			t.Errorf("entry %d = %s %s %s, want %s eoffice ok", i+1, e.Operation, e.Client, e.Outcome, want[i])
		}
	}
	if c, err := s.VerifyAudit(ctx); err != nil || c.FirstBroken != 0 {
		t.Errorf("VerifyAudit = %+v, %v", c, err)
	}
}
