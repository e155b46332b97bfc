package trust

import (
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestNational(t *testing.T) {
	pool, err := National()
	if err != nil {
		t.Fatal(err)
	}
	anchors, inters := pool.Anchors(), pool.Intermediates()
	if len(anchors) != 1 || len(inters) != 1 || pool.Len() != 1 {
		t.Fatalf("%d anchors and %d intermediates, want 1 and 1", len(anchors), len(inters))
	}
	root, bsre := anchors[0], inters[0]
	for _, tc := range []struct {
		cert       *x509.Certificate
		cn, prefix string
	}{
		{root, "Root CA Indonesia DS G1", "B5:F3:66:72:"},
		{bsre, "BSRE CA DS G1", "4A:3A:B0:62:"},
	} {
		if tc.cert.Subject.CommonName != tc.cn {
			t.Errorf("common name %q, want %q", tc.cert.Subject.CommonName, tc.cn)
		}
		if fp := Fingerprint(tc.cert); !strings.HasPrefix(fp, tc.prefix) {
			t.Errorf("%s: fingerprint %s, want it to begin %s", tc.cn, fp, tc.prefix)
		}
		if src, ok := pool.Source(tc.cert); !ok || src != NationalSource {
			t.Errorf("%s: source %q %v, want %q", tc.cn, src, ok, NationalSource)
		}
	}
	if !pool.Contains(root) || pool.Contains(bsre) {
		t.Error("the root must be an anchor and BSRE CA DS G1 must not")
	}
	// Every pin in code matches the fingerprint recorded in the README.
	readme, err := os.ReadFile("indonesia/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range nationalPins() {
		if !strings.Contains(string(readme), p.fingerprint) {
			t.Errorf("indonesia/README.md does not record the pin %s of %s", p.fingerprint, p.file)
		}
	}
}

func TestNationalChain(t *testing.T) {
	pool, err := National()
	if err != nil {
		t.Fatal(err)
	}
	bsre := pool.Intermediates()[0]
	opts := x509.VerifyOptions{
		Roots:       pool.CertPool(),
		CurrentTime: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), // both valid: root 2018–2038, BSrE 2022–2032
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	chains, err := bsre.Verify(opts)
	if err != nil {
		t.Fatalf("BSRE CA DS G1 does not chain to the national root: %v", err)
	}
	if len(chains) != 1 || len(chains[0]) != 2 || !chains[0][1].Equal(pool.Anchors()[0]) {
		t.Errorf("chains %v, want BSRE CA DS G1 -> Root CA Indonesia DS G1", chains)
	}
	opts.CurrentTime = time.Date(2033, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := bsre.Verify(opts); err == nil {
		t.Error("BSRE CA DS G1 verified after it expired in 2032")
	}
}

func TestNationalPins(t *testing.T) {
	genuine := func() fstest.MapFS {
		m := fstest.MapFS{}
		for _, p := range nationalPins() {
			data, err := nationalFS.ReadFile(p.file)
			if err != nil {
				t.Fatal(err)
			}
			m[p.file] = &fstest.MapFile{Data: data}
		}
		return m
	}
	if _, err := loadPinned(genuine(), "indonesia", nationalPins()); err != nil {
		t.Fatalf("the real files fail their pins: %v", err)
	}

	swapped := genuine()
	root, bsre := nationalPins()[0].file, nationalPins()[1].file
	swapped[root], swapped[bsre] = swapped[bsre], swapped[root]
	extra := genuine()
	extra["indonesia/extra.pem"] = extra[root]
	missing := genuine()
	delete(missing, bsre)
	empty := genuine()
	empty[root] = &fstest.MapFile{Data: []byte("no certificate here")}
	two := genuine()
	two[root] = &fstest.MapFile{Data: append(append([]byte{}, two[root].Data...), two[bsre].Data...)}

	for name, fsys := range map[string]fstest.MapFS{
		"swapped": swapped, "unpinned file": extra, "missing file": missing, "no certificate": empty, "two certificates": two,
	} {
		if _, err := loadPinned(fsys, "indonesia", nationalPins()); err == nil {
			t.Errorf("%s: loaded without error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	wrong := nationalPins()
	wrong[0].fingerprint = strings.Replace(wrong[0].fingerprint, "B5", "B6", 1)
	_, err := loadPinned(nationalFS, "indonesia", wrong)
	if err == nil || !strings.Contains(err.Error(), "fingerprint") {
		t.Errorf("a wrong pin: %v, want a fingerprint error", err)
	}
	if errors.Is(err, ErrNoCertificates) {
		t.Error("a pin mismatch is not ErrNoCertificates")
	}
}
