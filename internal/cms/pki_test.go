package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testKey returns a cached key of the named kind: rsa2048, rsa3072,
// rsa4096, p256, p384, p521, ed25519.
func testKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k, ok := keyCache[kind]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch kind {
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		k, err = rsa.GenerateKey(rand.Reader, 4096)
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	keyCache[kind] = k
	return k
}

var (
	keyMu    sync.Mutex
	keyCache = map[string]crypto.Signer{}
)

// testPKI is a root CA and a leaf signed by it.
type testPKI struct {
	root    *x509.Certificate
	rootKey crypto.Signer
	leaf    *x509.Certificate
	leafKey crypto.Signer
}

var serial int64 = 1000

func nextSerial() *big.Int {
	keyMu.Lock()
	defer keyMu.Unlock()
	serial++
	// A large serial with the high bit set, as real CAs use.
	s := new(big.Int).Lsh(big.NewInt(0x80+serial), 120)
	return s.Add(s, big.NewInt(serial))
}

// newPKI makes a P-256 root and a leaf with a key of kind. eku adds
// extended key usages to the leaf (critical when criticalEKU).
func newPKI(t testing.TB, kind string, eku ...x509.ExtKeyUsage) *testPKI {
	t.Helper()
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rootTmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: "Segel Test Root", Organization: []string{"Segel"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	leafKey := testKey(t, kind)
	leafTmpl := &x509.Certificate{
		SerialNumber: nextSerial(),
		Subject:      pkix.Name{CommonName: "Segel Test Signer " + kind, Organization: []string{"Segel"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  eku,
		SubjectKeyId: nextSerial().Bytes()[:16],
	}
	var extra []pkix.Extension
	if len(eku) > 0 {
		// Timestamping requires a critical EKU: build it by hand.
		oids := map[x509.ExtKeyUsage][]int{
			x509.ExtKeyUsageTimeStamping: {1, 3, 6, 1, 5, 5, 7, 3, 8},
		}
		var list []asn1OID
		for _, e := range eku {
			list = append(list, oids[e])
		}
		val, err := marshalOIDSeq(list)
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, pkix.Extension{Id: []int{2, 5, 29, 37}, Critical: true, Value: val})
		leafTmpl.ExtKeyUsage = nil
	}
	leafTmpl.ExtraExtensions = extra
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, leafKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{root: root, rootKey: rootKey, leaf: leaf, leafKey: leafKey}
}

// writePEM writes the PKI's files into dir: root.pem, leaf.pem, key.pem.
func (p *testPKI) writePEM(t testing.TB, dir string) {
	t.Helper()
	write := func(name, typ string, der []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("root.pem", "CERTIFICATE", p.root.Raw)
	write("leaf.pem", "CERTIFICATE", p.leaf.Raw)
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.leafKey)
	if err != nil {
		t.Fatal(err)
	}
	write("key.pem", "PRIVATE KEY", keyDER)
}

func digestOf(h crypto.Hash, data []byte) []byte {
	hh := h.New()
	hh.Write(data)
	return hh.Sum(nil)
}

type asn1OID = []int

func marshalOIDSeq(list []asn1OID) ([]byte, error) {
	oids := make([]asn1.ObjectIdentifier, len(list))
	for i, o := range list {
		oids[i] = o
	}
	return asn1.Marshal(oids)
}
