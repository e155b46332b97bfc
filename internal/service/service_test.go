package service_test

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// fixture is a service over a real store and PKI, with a seal profile
// "dinas" (kept, downloadable) and a personal profile "camat" whose key
// is a PKCS#12 file locked by "rahasia-camat".
type fixture struct {
	svc    *service.Service
	st     store.Store
	trust  *trust.Pool
	letter []byte
	obs    *recorder
}

func newFixture(t *testing.T, tweak func(*service.Options)) *fixture {
	t.Helper()
	pki := testpki.MustNew(t, testpki.Options{})
	seal := pki.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	camat := pki.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	p12, err := camat.PKCS12("rahasia-camat")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "segel.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	obs := &recorder{}
	opts := service.Options{Store: st, Trust: pool, PublicBaseURL: "https://segel.example/", Observer: obs,
		Profiles: []*service.Profile{
			{Name: "dinas", Key: &keyref.Key{Signer: seal.Key, Certificate: seal.Cert, Chain: seal.Chain}, Keep: true, Downloadable: true, Footer: "UU ITE"},
			{Name: "camat", Key: keyref.Locked(p12, camat.Cert, camat.Chain), Personal: true},
		}}
	if tweak != nil {
		tweak(&opts)
	}
	svc, err := service.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, st: st, trust: pool, letter: testcorpus.Base(t)["gs-letter"], obs: obs}
}

// request asks profile to sign the letter, into a temporary file.
func (f *fixture) request(t *testing.T, profile, pass, addr string) *service.Request {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "out-*.pdf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	return &service.Request{Profile: f.svc.Profile(profile), Input: bytes.NewReader(f.letter), Size: int64(len(f.letter)),
		Output: out, Passphrase: []byte(pass), Client: "test", ClientAddr: addr, RequestID: "req-" + profile}
}

func kindOf(err error) string {
	var e *service.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return fmt.Sprintf("not a service.Error: %v", err)
}

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string)                        { r.mu.Lock(); r.events = append(r.events, s); r.mu.Unlock() }
func (r *recorder) QueueWait(p string, _ time.Duration) {}
func (r *recorder) Busy(p string)                       { r.add("busy " + p) }
func (r *recorder) Signed(p string, l signer.Level, _ time.Duration) {
	r.add("signed " + p + " " + l.String())
}
func (r *recorder) Failed(p, kind string) { r.add("failed " + p + " " + kind) }
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, ", ")
}

// TestSignRecords: a signature with a stamp verifies, and is in the
// register, the blob store and the audit log, under the request's id,
// client and hashes; the stamp's QR code and the result name the page.
func TestSignRecords(t *testing.T) {
	f := newFixture(t, nil)
	req := f.request(t, "dinas", "", "10.0.0.1")
	req.Visible = &service.Visible{Placement: signer.Placement{Page: 1, Rect: [4]float64{330, 40, 560, 170}}}
	req.Number, req.Subject, req.Title, req.Confidential = "800/1/2026", "Undangan", "Sekretaris Daerah", false
	res, err := f.svc.Sign(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := io.ReadAll(res.Signed)
	if int64(len(signed)) != res.Size || !bytes.HasPrefix(signed, f.letter) {
		t.Fatalf("signed: %d bytes, size %d", len(signed), res.Size)
	}
	rep, err := verify.Verify(context.Background(), bytes.NewReader(signed), res.Size, &verify.Options{Trust: f.trust, Offline: true})
	if err != nil || len(rep.Signatures) != 1 || rep.Signatures[0].Indication == verify.TotalFailed {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	id := res.Document.ID
	if res.VerifyURL != "https://segel.example/v/"+id {
		t.Errorf("VerifyURL %q", res.VerifyURL)
	}
	doc, err := f.st.GetDocument(context.Background(), id)
	if err != nil || doc.Number != "800/1/2026" || doc.Client != "test" || !doc.Stored || !doc.Downloadable || doc.InputSHA256 == "" {
		t.Fatalf("register: %+v %v", doc, err)
	}
	rc, n, err := f.st.OpenBlob(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := io.ReadAll(rc)
	rc.Close()
	if n != res.Size || !bytes.Equal(kept, signed) {
		t.Error("the kept file is not the signed file")
	}
	entries, err := f.st.AuditEntries(context.Background(), 1, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	if e := entries[0]; e.Outcome != "ok" || e.DocumentID != id || e.RequestID != "req-dinas" || e.InputSHA256 != doc.InputSHA256 || e.OutputSHA256 != doc.OutputSHA256 {
		t.Errorf("audit entry %+v", e)
	}
	if got := f.obs.String(); got != "signed dinas B-B" {
		t.Errorf("observed %q", got)
	}
}

// TestSignPersonal: a personal profile signs only with its holder's
// passphrase; five wrong from one address lock that address out (with
// the window as RetryAfter) without reaching the key, another address
// still signs while under the per-profile limit.
func TestSignPersonal(t *testing.T) {
	f := newFixture(t, func(o *service.Options) { o.ProfileAttempts = 10 })
	ctx := context.Background()
	if _, err := f.svc.Sign(ctx, f.request(t, "camat", "", "10.0.0.1")); kindOf(err) != "passphrase-required" {
		t.Errorf("no passphrase: %v", err)
	}
	for i := range 5 {
		if _, err := f.svc.Sign(ctx, f.request(t, "camat", "salah", "10.0.0.1")); kindOf(err) != "passphrase-rejected" {
			t.Fatalf("wrong passphrase %d: %v", i+1, err)
		}
	}
	_, err := f.svc.Sign(ctx, f.request(t, "camat", "rahasia-camat", "10.0.0.1"))
	var e *service.Error
	if !errors.As(err, &e) || e.Kind != "passphrase-locked-out" || e.RetryAfter != 15*time.Minute || e.Status() != 429 {
		t.Errorf("after five wrong: %v", err)
	}
	if e := f.svc.LockedOut(ctx, f.svc.Profile("camat"), "10.0.0.2"); e != nil {
		t.Errorf("another address: %v", e)
	}
	if _, err := f.svc.Sign(ctx, f.request(t, "camat", "rahasia-camat", "10.0.0.2")); err != nil {
		t.Errorf("from another address: %v", err)
	}
	// The per-profile limit holds from every address.
	for range 5 {
		f.svc.Sign(ctx, f.request(t, "camat", "salah", "10.0.0.3"))
	}
	if e := f.svc.LockedOut(ctx, f.svc.Profile("camat"), "10.0.0.9"); e == nil || e.Kind != "passphrase-locked-out" {
		t.Errorf("beyond the per-profile limit: %v", e)
	}
}

// blockingSigner signs once release is closed.
type blockingSigner struct {
	crypto.Signer
	started chan struct{}
	release chan struct{}
}

func (b *blockingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	b.started <- struct{}{}
	<-b.release
	return b.Signer.Sign(r, d, o)
}

// TestSignBusyAndClose: beyond its slots and queue a profile is busy;
// after Close, signatures are refused while the one in progress
// finishes, and Wait waits for it.
func TestSignBusyAndClose(t *testing.T) {
	var slow *blockingSigner
	f := newFixture(t, func(o *service.Options) {
		p := o.Profiles[0]
		slow = &blockingSigner{Signer: p.Key.Signer, started: make(chan struct{}, 1), release: make(chan struct{})}
		p.Key = &keyref.Key{Signer: slow, Certificate: p.Key.Certificate, Chain: p.Key.Chain}
		p.MaxConcurrent, p.Queue, p.QueueTimeout = 1, 1, 50*time.Millisecond
	})
	ctx := context.Background()
	first := make(chan error, 1)
	go func() {
		_, err := f.svc.Sign(ctx, f.request(t, "dinas", "", ""))
		first <- err
	}()
	<-slow.started
	_, err := f.svc.Sign(ctx, f.request(t, "dinas", "", ""))
	var e *service.Error
	if !errors.As(err, &e) || e.Kind != "busy" || e.RetryAfter != time.Second {
		t.Errorf("second, while the slot is taken: %v", err)
	}
	f.svc.Close()
	if _, err := f.svc.Sign(ctx, f.request(t, "dinas", "", "")); kindOf(err) != "shutting-down" {
		t.Errorf("after Close: %v", err)
	}
	waited := make(chan struct{})
	go func() { f.svc.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("Wait returned while a signature is in progress")
	case <-time.After(20 * time.Millisecond):
	}
	close(slow.release)
	if err := <-first; err != nil {
		t.Errorf("the signature in progress: %v", err)
	}
	<-waited
	if got := f.obs.String(); !strings.Contains(got, "busy dinas") || !strings.Contains(got, "failed dinas busy") || !strings.Contains(got, "failed dinas shutting-down") {
		t.Errorf("observed %q", got)
	}
}

// TestSignRefusals: what the request asks that the profile or the
// service cannot do is refused before the key is used.
func TestSignRefusals(t *testing.T) {
	f := newFixture(t, func(o *service.Options) { o.Profiles[0].AllowedLevels = []signer.Level{signer.LevelB, signer.LevelT} })
	ctx := context.Background()
	req := f.request(t, "dinas", "", "")
	req.Level = signer.LevelLTA
	if _, err := f.svc.Sign(ctx, req); kindOf(err) != "level-forbidden" {
		t.Errorf("level: %v", err)
	}
	req = f.request(t, "dinas", "", "")
	req.Level = signer.LevelT
	if _, err := f.svc.Sign(ctx, req); kindOf(err) != "tsa-unavailable" {
		t.Errorf("no TSA: %v", err)
	}
	req = f.request(t, "dinas", "", "")
	req.Visible = &service.Visible{Placement: signer.Placement{Anchor: "${tidak-ada}"}}
	if _, err := f.svc.Sign(ctx, req); kindOf(err) != "stamp-placement" {
		t.Errorf("missing anchor: %v", err)
	}
	req = f.request(t, "dinas", "", "")
	req.Profile = nil
	if _, err := f.svc.Sign(ctx, req); kindOf(err) != "unknown-profile" {
		t.Errorf("no profile: %v", err)
	}
	if _, err := service.New(service.Options{Store: f.st, Profiles: []*service.Profile{{Name: "x"}}}); err == nil {
		t.Error("a profile without a key")
	}
}

// TestKinds: every kind has a status and a title; Classify names the
// signer's errors by kind.
func TestKinds(t *testing.T) {
	for k, v := range service.Kinds() {
		if v.Status < 400 || v.Title == "" {
			t.Errorf("kind %s: %+v", k, v)
		}
	}
	for err, want := range map[error]string{
		fmt.Errorf("x: %w", signer.ErrAnchorNotFound): "stamp-placement",
		signer.ErrEncrypted:                           "encrypted-pdf",
		context.Canceled:                              "client-closed",
		errors.New("something else"):                  "internal",
	} {
		if got := service.Classify(err); got.Kind != want {
			t.Errorf("Classify(%v) = %s, want %s", err, got.Kind, want)
		}
	}
	if e := service.Fail("no-such-kind", "x"); e.Kind != "internal" || e.Status() != 500 {
		t.Errorf("unknown kind: %+v", e)
	}
}
