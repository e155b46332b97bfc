package trust

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/testpki"
)

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadDir(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	signer := p.MustIssueSigner(t, testpki.SignerOptions{})
	dir := t.TempDir()
	good := writeFile(t, filepath.Join(dir, "a-roots.pem"), append(p.Root.CertPEM(), p.Issuing.CertPEM()...))
	der := writeFile(t, filepath.Join(dir, "b-signer.CER"), signer.Cert.Raw)
	garbage := writeFile(t, filepath.Join(dir, "c-garbage.pem"), append(pemBlock("CERTIFICATE", []byte{0x30, 0x03, 0x02, 0x01, 0x01}), p.Root.CertPEM()...))
	notes := writeFile(t, filepath.Join(dir, "d-notes.crt"), []byte("Sertifikat ada di lemari.\n"))
	writeFile(t, filepath.Join(dir, "README.txt"), []byte("ignored: not a certificate file name\n"))
	writeFile(t, filepath.Join(dir, ".hidden.pem"), []byte("ignored: hidden\n"))
	if err := os.Mkdir(filepath.Join(dir, "sub.pem"), 0o700); err != nil {
		t.Fatal(err)
	}

	pool := NewPool()
	added, warnings, err := pool.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if added != 3 || pool.Len() != 3 {
		t.Errorf("added %d, %d anchors; want root, issuing CA and signer", added, pool.Len())
	}
	if src, _ := pool.Source(signer.Cert); src != der {
		t.Errorf("DER certificate's source %q, want %q", src, der)
	}
	if src, _ := pool.Source(p.Root.Cert); src != good {
		t.Errorf("root's source %q, want the first file %q", src, good)
	}
	if len(warnings) != 2 ||
		!strings.HasPrefix(warnings[0], garbage+": PEM block 1: skipped: ") ||
		warnings[1] != notes+": skipped: no certificate found" {
		t.Errorf("warnings %q, want the garbage block and the notes file", warnings)
	}
	for _, w := range warnings {
		if strings.Contains(w, "README") || strings.Contains(w, "hidden") || strings.Contains(w, "sub.pem") {
			t.Errorf("warning about an ignored file: %s", w)
		}
	}
}

func TestLoadFile(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	dir := t.TempDir()
	chain := writeFile(t, filepath.Join(dir, "chain.pem"), p.MustIssueSigner(t, testpki.SignerOptions{}).FullChainPEM())
	twoDER := writeFile(t, filepath.Join(dir, "two.der"), append(append([]byte{}, p.Root.Cert.Raw...), p.Issuing.Cert.Raw...))
	key := writeFile(t, filepath.Join(dir, "key.pem"), pemBlock("PRIVATE KEY", []byte{1}))
	text := writeFile(t, filepath.Join(dir, "text.pem"), []byte("nothing"))
	empty := t.TempDir()

	pool := NewPool()
	if added, warnings, err := pool.LoadFile(chain); err != nil || added != 3 || len(warnings) != 0 {
		t.Errorf("chain.pem: added %d, warnings %q, err %v; want 3", added, warnings, err)
	}
	pool = NewPool()
	if added, _, err := pool.LoadFile(twoDER); err != nil || added != 2 {
		t.Errorf("two concatenated DER certificates: added %d, err %v", added, err)
	}
	for _, path := range []string{key, text} {
		if _, _, err := NewPool().LoadFile(path); !errors.Is(err, ErrNoCertificates) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want ErrNoCertificates naming the file", path, err)
		}
	}
	if _, _, err := NewPool().LoadFile(filepath.Join(dir, "missing.pem")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	if _, _, err := NewPool().LoadDir(empty); !errors.Is(err, ErrNoCertificates) {
		t.Errorf("empty directory: %v, want ErrNoCertificates", err)
	}

	// Load takes files and directories, as --trust does.
	sub := t.TempDir()
	writeFile(t, filepath.Join(sub, "root.pem"), p.Root.CertPEM())
	pool = NewPool()
	added, _, err := pool.Load(sub, twoDER)
	if err != nil || added != 2 || pool.Len() != 2 {
		t.Errorf("Load(dir, file): added %d, %d anchors, err %v; want 2 (the root once)", added, pool.Len(), err)
	}
	if _, _, err := pool.Load(sub, filepath.Join(dir, "missing.pem")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing path: %v", err)
	}
}
