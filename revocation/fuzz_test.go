package revocation

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/internal/oids"
)

// The fuzz targets check against a fixed PKI, testdata/fuzz-pki.pem (CA,
// then end-entity certificate), so that the seed corpus holds answers that
// pass every check and the fuzzer starts deep in the checks. Regenerate
// both with
//
//	go test ./revocation -run TestWriteFuzzCorpus -update-fuzz-corpus
var updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite testdata/fuzz-pki.pem and the fuzz seed corpus")

const fuzzPKIPath = "testdata/fuzz-pki.pem"

// fuzzTime is the time the fuzz targets check at, inside the seeds' windows.
var fuzzTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func loadFuzzPKI(f testing.TB) (ca, leaf *x509.Certificate) {
	data, err := os.ReadFile(fuzzPKIPath)
	if err != nil {
		f.Fatal(err)
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		if block, data = pem.Decode(data); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			f.Fatal(err)
		}
		certs = append(certs, c)
	}
	if len(certs) != 2 {
		f.Fatalf("%s holds %d certificates, want 2", fuzzPKIPath, len(certs))
	}
	return certs[0], certs[1]
}

// checkResult checks what holds for every input: a status from a source, or
// an error of a known kind.
func checkResult(t *testing.T, data []byte, src Source, st *Status, err error) {
	if err != nil {
		var se *SourceError
		if st != nil || !errors.As(err, &se) || se.Source != src ||
			(se.Kind != ErrInvalidResponse && se.Kind != ErrUnavailable) {
			t.Fatalf("error %v (%T), status %v", err, err, st)
		}
		return
	}
	if st == nil || st.Source != src || st.State < Unknown || st.State > Revoked || len(st.Raw) == 0 || st.ThisUpdate.IsZero() {
		t.Fatalf("status %+v", st)
	}
	if src == OCSP && !bytes.Equal(st.Raw, data) {
		t.Fatal("Raw is not the response")
	}
}

func FuzzCheckOCSPResponse(f *testing.F) {
	ca, leaf := loadFuzzPKI(f)
	f.Add(ocsp.TryLaterErrorResponse)
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := CheckOCSPResponse(data, leaf, ca, &VerifyOptions{CurrentTime: fuzzTime, Nonce: []byte("fuzz nonce")})
		checkResult(t, data, OCSP, st, err)
	})
}

func FuzzCheckCRL(f *testing.F) {
	ca, leaf := loadFuzzPKI(f)
	f.Add([]byte("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := CheckCRL(data, leaf, ca, &VerifyOptions{CurrentTime: fuzzTime})
		checkResult(t, data, CRL, st, err)
	})
}

// TestFuzzSeedsPass: the seeds named "valid-*" pass every check, so the
// fuzzer starts from answers that reach the end of the checks.
func TestFuzzSeedsPass(t *testing.T) {
	ca, leaf := loadFuzzPKI(t)
	for _, target := range []string{"FuzzCheckOCSPResponse", "FuzzCheckCRL"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "valid-*"))
		if len(files) == 0 {
			t.Fatalf("no valid seeds for %s", target)
		}
		for _, file := range files {
			data := readSeed(t, file)
			var err error
			if target == "FuzzCheckCRL" {
				_, err = CheckCRL(data, leaf, ca, &VerifyOptions{CurrentTime: fuzzTime})
			} else {
				_, err = CheckOCSPResponse(data, leaf, ca, &VerifyOptions{CurrentTime: fuzzTime})
			}
			if err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
	}
}

func readSeed(t *testing.T, file string) []byte {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if _, err := fmt.Sscanf(string(bytes.TrimPrefix(raw, []byte("go test fuzz v1\n"))), "[]byte(%q)", &s); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return []byte(s)
}

// TestWriteFuzzCorpus regenerates the fuzz PKI and seeds (see above).
func TestWriteFuzzCorpus(t *testing.T) {
	if !*updateFuzzCorpus {
		t.Skip("run with -update-fuzz-corpus to regenerate")
	}
	ca := newCA(t, "Segel Fuzz CA")
	leaf, _ := ca.issue(t, leafOpts{cn: "Pejabat Fuzz", serial: big.NewInt(0x5e6e1), crl: []string{"http://crl.example/fuzz.crl"}, notAfter: time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)})
	resp, respKey := ca.issue(t, leafOpts{cn: "Fuzz OCSP Responder", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, noCheck: true, notAfter: time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)})
	writeCorpusFile(t, fuzzPKIPath, append(pemEncode("CERTIFICATE", ca.cert.Raw), pemEncode("CERTIFICATE", leaf.Raw)...))

	this, next := fuzzTime.Add(-24*time.Hour), fuzzTime.Add(10*365*24*time.Hour)
	nonce, _ := asn1.Marshal([]byte("fuzz nonce"))
	ocspSeeds := map[string][]byte{
		"valid-good-by-ca":           ca.ocspResponse(t, leaf.SerialNumber, ocsp.Good, this, next, nil, nil),
		"valid-revoked-by-responder": ca.ocspResponse(t, leaf.SerialNumber, ocsp.Revoked, this, next, resp, respKey),
		"valid-unknown-nonce-sha256": (&respBuilder{
			singles:    []singleResponse{{CertID: certIDFor(t, ca.cert, leaf.SerialNumber, crypto.SHA256), Unknown: true, ThisUpdate: this, NextUpdate: next}},
			extensions: []pkix.Extension{{Id: oids.OCSPNonce, Value: nonce}},
			signerName: resp.RawSubject, key: respKey, certs: [][]byte{resp.Raw},
		}).build(t),
		"valid-two-responses": (&respBuilder{
			singles: []singleResponse{
				goodSingle(certIDFor(t, ca.cert, big.NewInt(1), crypto.SHA1), this, next),
				goodSingle(certIDFor(t, ca.cert, leaf.SerialNumber, crypto.SHA1), this, next),
			},
			signerName: ca.cert.RawSubject, key: ca.key,
		}).build(t),
		"other-certificate": ca.ocspResponse(t, big.NewInt(2), ocsp.Good, this, next, nil, nil),
		"try-later":         ocsp.TryLaterErrorResponse,
	}
	idp, _ := asn1.Marshal(issuingDistributionPoint{
		DistributionPoint:     distributionPointName{FullName: []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("http://crl.example/fuzz.crl")}}},
		OnlyContainsUserCerts: true,
	})
	crlSeeds := map[string][]byte{
		"valid-empty":   ca.crl(t, this, next),
		"valid-revoked": ca.crl(t, this, next, big.NewInt(1), leaf.SerialNumber, big.NewInt(3)),
		"valid-pem":     pemEncode("X509 CRL", ca.crl(t, this, next, big.NewInt(4))),
		"valid-idp": ca.crlWith(t, &x509.RevocationList{ThisUpdate: this, NextUpdate: next,
			ExtraExtensions: []pkix.Extension{{Id: oids.IssuingDistributionPoint, Critical: true, Value: idp}}}, leaf.SerialNumber),
	}
	for target, seeds := range map[string]map[string][]byte{"FuzzCheckOCSPResponse": ocspSeeds, "FuzzCheckCRL": crlSeeds} {
		dir := filepath.Join("testdata", "fuzz", target)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			writeCorpusFile(t, filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data))
		}
	}
}

func writeCorpusFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
