package httpapi_test

import (
	"context"
	"crypto"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
)

// stuckSigner never returns until released, whatever its context says:
// a hung HSM call.
type stuckSigner struct {
	crypto.Signer
	entered chan struct{}
	release chan struct{}
}

func (s *stuckSigner) SignContext(_ context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Signer.Sign(rand, digest, opts)
}

// TestCloseWithinCutsStuck: a stopping server does not wait forever for a
// signature that hangs: CloseWithin returns after its bound and names the
// request it leaves behind.
func TestCloseWithinCutsStuck(t *testing.T) {
	stuck := &stuckSigner{entered: make(chan struct{}, 1), release: make(chan struct{})}
	e := newEnv(t, nil, func(o *httpapi.Options) {
		k := o.Profiles[0].Key
		stuck.Signer = k.Signer
		o.Profiles = append(o.Profiles, &httpapi.Profile{Name: "stuck", Key: &keyref.Key{Signer: stuck, Certificate: k.Certificate, Chain: k.Chain}})
	})
	t.Cleanup(func() { close(stuck.release) })
	e.client("hung", []string{"stuck"}, []string{"sign"})
	go e.do("POST", "/v1/sign?profile=stuck", "hung", e.letter, nil)
	select {
	case <-stuck.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the signature did not start")
	}
	start := time.Now()
	left := e.srv.CloseWithin(200 * time.Millisecond)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("CloseWithin took %v", d)
	}
	if len(left) != 1 || !strings.Contains(left[0], "POST /v1/sign") || strings.Contains(left[0], "profile=") {
		t.Errorf("cut: %q", left)
	}
}
