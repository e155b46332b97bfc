package verify_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// The tests of this file handcraft the CMS the way other signers write
// it (see cmsraw_test.go) and check the verdict a careful validator gives.

var otherSigner = sync.OnceValues(func() (*testpki.Identity, error) {
	p, err := offlinePKI()
	if err != nil {
		return nil, err
	}
	return p.IssueSigner(testpki.SignerOptions{KeyType: testpki.ECDSAP256, Subject: pkix.Name{CommonName: "Siti Rahayu"}})
})

func otherID(t testing.TB) *testpki.Identity {
	t.Helper()
	id, err := otherSigner()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// signRaw signs the letter with the handcrafted CMS c.
func signRaw(t testing.TB, c rawCMS) []byte {
	t.Helper()
	return craftSign(t, letterPDF(t), c.signers[0].id, craft{CMS: func(t testing.TB, content []byte) []byte { return c.build(t, content) }})
}

func wantWarning(t testing.TB, s *verify.SignatureReport, sub string) {
	t.Helper()
	if !anyContains(s.Warnings, sub) {
		t.Errorf("no warning with %q: %q", sub, s.Warnings)
	}
}

// TestSeveralSignerInfos: the SignerInfo that covers the document is the
// one validated, wherever it is; one that does not cover it never passes
// the document.
func TestSeveralSignerInfos(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	other := otherID(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	elsewhere := []byte("another document")

	t.Run("second covers", func(t *testing.T) {
		rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: other, content: elsewhere}, {id: id}}}), opts)
		s := wantSig(t, rep, 0, verify.TotalPassed, "")
		if s.Signer == nil || s.Signer.CommonName != "Budi Santoso" {
			t.Errorf("validated signer %+v, want Budi Santoso", s.Signer)
		}
		wantWarning(t, s, "signer 2")
		wantWarning(t, s, `signer 1 ("Siti Rahayu"): its message digest is not the document's`)
	})
	t.Run("both cover, the untrusted first", func(t *testing.T) {
		stranger := testpki.MustNew(t, testpki.Options{Name: "Stranger"}).MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256, Subject: pkix.Name{CommonName: "Stranger"}})
		rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: stranger}, {id: id}}}), opts)
		s := wantSig(t, rep, 0, verify.TotalPassed, "")
		if s.Signer == nil || s.Signer.CommonName != "Budi Santoso" {
			t.Errorf("validated signer %+v, want Budi Santoso", s.Signer)
		}
		wantWarning(t, s, `signer 1 ("Stranger"): it covers the document too`)
		// Alone, the stranger is not trusted.
		rep = verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: stranger}, {id: id, content: elsewhere}}}), opts)
		wantSig(t, rep, 0, verify.Indeterminate, verify.NoCertificateChainFound)
	})
	t.Run("none covers", func(t *testing.T) {
		rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: other, content: elsewhere}, {id: id, content: elsewhere}}}), opts)
		wantSig(t, rep, 0, verify.TotalFailed, verify.HashFailure)
	})
	t.Run("the one that covers has no certificate", func(t *testing.T) {
		c := rawCMS{signers: []rawSigner{{id: other, content: elsewhere}, {id: id}}}
		c.certs = [][]byte{other.Cert.Raw}
		for _, ch := range other.Chain {
			c.certs = append(c.certs, ch.Raw)
		}
		rep := verifyPDF(t, signRaw(t, c), opts)
		s := wantSig(t, rep, 0, verify.TotalFailed, verify.HashFailure)
		wantWarning(t, s, "its certificate is not in the CMS")
	})
	t.Run("the one that covers does not verify", func(t *testing.T) {
		// Budi's SignerInfo over the document, its signature made by
		// Siti's key: the digest matches, the signature does not.
		forged := *id
		forged.Key = other.Key
		rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: other, content: elsewhere}, {id: &forged}}, certs: chainOf(id, other)}), opts)
		wantSig(t, rep, 0, verify.TotalFailed, verify.SigCryptoFailure)
	})
}

func chainOf(ids ...*testpki.Identity) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, id := range ids {
		for _, c := range append([]*x509.Certificate{id.Cert}, id.Chain...) {
			if !seen[string(c.Raw)] {
				seen[string(c.Raw)] = true
				out = append(out, c.Raw)
			}
		}
	}
	return out
}

// TestTrailingBytesAfterCMS: bytes after the ContentInfo in /Contents
// that are not zero padding are reported, and do not make the signature
// a format failure.
func TestTrailingBytesAfterCMS(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	out := craftSign(t, letterPDF(t), id, craft{CMS: func(t testing.TB, content []byte) []byte {
		return append(cadesCMS(t, id, content), []byte("\x00\x00garbage from another tool")...)
	}})
	rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)})
	s := wantSig(t, rep, 0, verify.TotalPassed, "")
	wantWarning(t, s, "not zero padding")
}

// TestSignatureHashDiffersFromDigest: sha256WithRSA (or ECDSA) with a
// SHA-512 digest algorithm and the reverse pass when the signature
// verifies with the hash its algorithm declares, and fail otherwise.
func TestSignatureHashDiffersFromDigest(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		id := signerID(t, p, kt)
		for _, c := range []struct{ digest, sig crypto.Hash }{{crypto.SHA512, crypto.SHA256}, {crypto.SHA256, crypto.SHA512}, {crypto.SHA256, crypto.SHA384}} {
			t.Run(string(kt)+"/"+c.digest.String()+"-"+c.sig.String(), func(t *testing.T) {
				rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: id, digest: c.digest, sigHash: c.sig}}}), opts)
				s := wantSig(t, rep, 0, verify.TotalPassed, "")
				wantWarning(t, s, "as the signature algorithm declares")
			})
		}
		t.Run(string(kt)+"/signed with the digest algorithm's hash", func(t *testing.T) {
			// Declares sha256With…, signed with SHA-512: fails closed.
			rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: id, digest: crypto.SHA512, sigHash: crypto.SHA256, signWith: crypto.SHA512}}}), opts)
			wantSig(t, rep, 0, verify.TotalFailed, verify.SigCryptoFailure)
		})
	}
}

// TestNonDERSignedAttributes: signed attributes encoded as BER (indefinite
// or non-minimal lengths) or with the SET OF unsorted verify over the
// bytes as given; a re-encoding would not verify.
func TestNonDERSignedAttributes(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	for _, enc := range []string{"der", "unsorted", "indefinite", "longlen"} {
		t.Run(enc, func(t *testing.T) {
			out := signRaw(t, rawCMS{signers: []rawSigner{{id: id, encoding: enc}}})
			wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalPassed, "")
			// The same CMS over another document fails.
			bad := signRaw(t, rawCMS{signers: []rawSigner{{id: id, encoding: enc, content: []byte("x")}}})
			wantSig(t, verifyPDF(t, bad, opts), 0, verify.TotalFailed, verify.HashFailure)
		})
	}
}

// revocationPKI is a PKI whose certificates name OCSP and CRL URLs that
// nothing answers: verified offline, only embedded data can prove their
// status.
var revocationPKI = sync.OnceValues(func() (*testpki.PKI, error) {
	return testpki.New(testpki.Options{Name: "Segel Embedded Revocation", BaseURL: "http://127.0.0.1:9"})
})

// otherRevInfo returns a [1] OtherRevocationInfoFormat.
func otherRevInfo(t testing.TB, format asn1.ObjectIdentifier, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(format)
		b.AddBytes(value)
	})
	return mustBytes(t, &b)
}

// basicOCSP returns the BasicOCSPResponse of an OCSPResponse.
func basicOCSP(t testing.TB, resp []byte) []byte {
	in := cryptobyte.String(resp)
	var seq, rb, rbs, basic cryptobyte.String
	var status int
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Enum(&status) ||
		!seq.ReadASN1(&rb, cbasn1.Tag(0).ContextSpecific().Constructed()) || !rb.ReadASN1(&rbs, cbasn1.SEQUENCE) ||
		!rbs.ReadASN1ObjectIdentifier(&oid) || !rbs.ReadASN1(&basic, cbasn1.OCTET_STRING) {
		t.Fatal("test bug: not an OCSPResponse")
	}
	return basic
}

// adbeRevInfo returns the signed adbe-revocationInfoArchival attribute
// with CRLs and otherRevInfo entries (type, OCTET STRING value).
func adbeRevInfo(t testing.TB, crls [][]byte, others map[string][]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, c := range crls {
					b.AddBytes(c)
				}
			})
		})
		b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for oid, v := range others {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(parseOID(t, oid))
						b.AddASN1OctetString(v)
					})
				}
			})
		})
	})
	return attribute(t, oids.AdbeRevocationInfoArchival, mustBytes(t, &b))
}

func parseOID(t testing.TB, s string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	for _, part := range strings.Split(s, ".") {
		n, ok := new(big.Int).SetString(part, 10)
		if !ok {
			t.Fatalf("test bug: OID %q", s)
		}
		oid = append(oid, int(n.Int64()))
	}
	return oid
}

// TestCMSRevocationData: CRLs and OCSP responses in the CMS crls field
// (RFC 5940 other revocation info) and in Adobe's revocationInfoArchival
// attribute are embedded validation data.
func TestCMSRevocationData(t *testing.T) {
	t.Parallel()
	p, err := revocationPKI()
	if err != nil {
		t.Fatal(err)
	}
	id := p.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256})
	revoked := p.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256, Subject: pkix.Name{CommonName: "Dicabut"}})
	if err := p.Revoke(revoked.Cert, time.Now().Add(-time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ocspFor := func(id *testpki.Identity) []byte {
		r, err := p.OCSPResponseFor(id.Cert, now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rootCRL, err := p.CRL(p.Root, now)
	if err != nil {
		t.Fatal(err)
	}
	opts := &verify.Options{Trust: anchors(p.Root.Cert), Offline: true}
	oidOCSPResp := asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}
	oidOCSPBasic := asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

	t.Run("nothing embedded", func(t *testing.T) {
		rep := verifyPDF(t, signRaw(t, rawCMS{signers: []rawSigner{{id: id}}}), opts)
		wantSig(t, rep, 0, verify.Indeterminate, verify.TryLater)
	})
	t.Run("crls field, id-ri-ocsp-response", func(t *testing.T) {
		c := rawCMS{signers: []rawSigner{{id: id}}, crls: [][]byte{rootCRL, otherRevInfo(t, oidOCSPResp, ocspFor(id))}}
		wantSig(t, verifyPDF(t, signRaw(t, c), opts), 0, verify.TotalPassed, "")
	})
	t.Run("crls field, id-pkix-ocsp-basic", func(t *testing.T) {
		c := rawCMS{signers: []rawSigner{{id: id}}, crls: [][]byte{otherRevInfo(t, oidOCSPBasic, basicOCSP(t, ocspFor(id))), rootCRL}}
		wantSig(t, verifyPDF(t, signRaw(t, c), opts), 0, verify.TotalPassed, "")
	})
	t.Run("crls field, revoked", func(t *testing.T) {
		c := rawCMS{signers: []rawSigner{{id: revoked}}, crls: [][]byte{rootCRL, otherRevInfo(t, oidOCSPResp, ocspFor(revoked))}}
		wantSig(t, verifyPDF(t, signRaw(t, c), opts), 0, verify.Indeterminate, verify.RevokedNoPOE)
	})
	t.Run("adbe otherRevInfo", func(t *testing.T) {
		attr := adbeRevInfo(t, [][]byte{rootCRL}, map[string][]byte{"1.3.6.1.5.5.7.16.2": ocspFor(id)})
		c := rawCMS{signers: []rawSigner{{id: id, extraSigned: [][]byte{attr}}}}
		wantSig(t, verifyPDF(t, signRaw(t, c), opts), 0, verify.TotalPassed, "")
	})
	t.Run("adbe ocsp", func(t *testing.T) {
		a, err := cms.RevocationInfoArchivalAttribute([][]byte{rootCRL}, [][]byte{ocspFor(id)})
		if err != nil {
			t.Fatal(err)
		}
		c := rawCMS{signers: []rawSigner{{id: id, extraSigned: [][]byte{attribute(t, a.Type, a.Values[0])}}}}
		wantSig(t, verifyPDF(t, signRaw(t, c), opts), 0, verify.TotalPassed, "")
	})
}

// tsaFor returns a TSA of p whose clock is now plus skew.
func tsaFor(t testing.TB, p *testpki.PKI, id *testpki.Identity, skew time.Duration) *testpki.TSA {
	return testpki.NewTSA(id, testpki.TSAOptions{Now: func() time.Time { return time.Now().Add(skew) }})
}

type tsReqMsg struct {
	Version        int
	MessageImprint struct {
		HashAlgorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		HashedMessage []byte
	}
	CertReq bool `asn1:"optional,default:false"`
}

// tokenOver returns a timestamp token by tsa over data.
func tokenOver(t testing.TB, tsa *testpki.TSA, data []byte) []byte {
	t.Helper()
	var req tsReqMsg
	req.Version = 1
	req.MessageImprint.HashAlgorithm.Algorithm = oids.SHA256
	req.MessageImprint.HashedMessage = digestOf(crypto.SHA256, data)
	req.CertReq = true
	der, err := asn1.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tsa.Respond(context.Background(), der)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Status asn1.RawValue
		Token  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(resp, &r); err != nil || len(r.Token.FullBytes) == 0 {
		t.Fatalf("test bug: TSA answer: %v", err)
	}
	return r.Token.FullBytes
}

// TestDuplicateSignatureTimestamps: several signature-timestamp
// attributes, or one with several values, are each validated; the
// earliest valid one is the proof of existence; invalid ones are
// reported and ignored.
func TestDuplicateSignatureTimestamps(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	tsaID, err := p.IssueTSA(testpki.SignerOptions{KeyType: testpki.ECDSAP256})
	if err != nil {
		t.Fatal(err)
	}
	notTSA := otherID(t) // a signer certificate without the timeStamping EKU
	early, late := tsaFor(t, p, tsaID, -10*time.Minute), tsaFor(t, p, tsaID, -time.Minute)
	impostor := testpki.NewTSA(notTSA, testpki.TSAOptions{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	tsAttr := func(tokens ...[]byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oids.SignatureTimeStampToken)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, tok := range tokens {
					b.AddBytes(tok)
				}
			})
		})
		return mustBytes(t, &b)
	}
	cases := map[string]struct {
		unsigned  func(sig []byte) [][]byte
		wantTime  time.Duration // offset of the POE from now
		wantWarns []string
	}{
		"two attributes": {
			unsigned: func(sig []byte) [][]byte {
				return [][]byte{tsAttr(tokenOver(t, late, sig)), tsAttr(tokenOver(t, early, sig))}
			},
			wantTime: -10 * time.Minute,
		},
		"one attribute, two values": {
			unsigned: func(sig []byte) [][]byte {
				return [][]byte{tsAttr(tokenOver(t, late, sig), tokenOver(t, early, sig))}
			},
			wantTime: -10 * time.Minute,
		},
		"earliest over other data": {
			unsigned: func(sig []byte) [][]byte {
				return [][]byte{tsAttr(tokenOver(t, early, []byte("other"))), tsAttr(tokenOver(t, late, sig))}
			},
			wantTime:  -time.Minute,
			wantWarns: []string{"signature timestamp 1 is not over this signature"},
		},
		"earliest by a certificate that is no TSA": {
			unsigned: func(sig []byte) [][]byte {
				return [][]byte{tsAttr(tokenOver(t, late, sig), tokenOver(t, impostor, sig))}
			},
			wantTime:  -time.Minute,
			wantWarns: []string{"signature timestamp 2 is not valid", "extended key usage"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := signRaw(t, rawCMS{signers: []rawSigner{{id: id, unsigned: c.unsigned}}})
			s := wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalPassed, "")
			if s.Timestamp == nil {
				t.Fatalf("no timestamp: %q", s.Warnings)
			}
			at := s.Timestamp.Time
			if d := time.Until(at) - c.wantTime; d > 30*time.Second || d < -30*time.Second {
				t.Errorf("proof of existence %s, want about now%v", s.Timestamp.Time, c.wantTime)
			}
			for _, w := range c.wantWarns {
				wantWarning(t, s, w)
			}
			if s.Level != "PAdES-BASELINE-T" {
				t.Errorf("level %s", s.Level)
			}
		})
	}
}

// TestDocTimestampSharedValidator: document timestamps go through the
// token validator the TSA client uses: a token by a certificate that is
// no TSA (timeStamping EKU missing or not critical) or over other bytes
// does not pass.
func TestDocTimestampSharedValidator(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	tsaID, err := p.IssueTSA(testpki.SignerOptions{KeyType: testpki.ECDSAP256})
	if err != nil {
		t.Fatal(err)
	}
	good := tsaFor(t, p, tsaID, 0)
	nonCritical, err := p.IssueSigner(testpki.SignerOptions{KeyType: testpki.ECDSAP256,
		ExtKeyUsages: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}}})
	if err != nil {
		t.Fatal(err)
	}
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	stamp := func(tsa *testpki.TSA, over []byte) []byte {
		return craftSign(t, letterPDF(t), tsaID, craft{SubFilter: "ETSI.RFC3161", CMS: func(t testing.TB, content []byte) []byte {
			if over != nil {
				content = over
			}
			return tokenOver(t, tsa, content)
		}})
	}
	wantSig(t, verifyPDF(t, stamp(good, nil), opts), 0, verify.TotalPassed, "")
	wantSig(t, verifyPDF(t, stamp(good, []byte("other")), opts), 0, verify.TotalFailed, verify.HashFailure)
	s := wantSig(t, verifyPDF(t, stamp(testpki.NewTSA(nonCritical, testpki.TSAOptions{}), nil), opts), 0, verify.Indeterminate, verify.ChainConstraintsFailure)
	if !anyContains(s.Errors, "not critical") {
		t.Errorf("errors %q", s.Errors)
	}
}
