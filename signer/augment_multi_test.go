package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// TestAugmentSeveralSignerInfos: a third-party file whose CMS holds a
// stranger's SignerInfo (over the same document, from another PKI) before
// the real signer's is augmented to B-LTA with the validation data of the
// real signer, as verify chooses it, and validates offline.
func TestAugmentSeveralSignerInfos(t *testing.T) {
	w := newLTVWorld(t)
	in := testcorpus.Base(t)["gs-letter"]
	stranger := testpki.MustNew(t, testpki.Options{Name: "Stranger"}).MustIssueSigner(t,
		testpki.SignerOptions{KeyType: testpki.ECDSAP256, Subject: pkix.Name{CommonName: "Stranger"}})
	pool := trust.NewPool()
	pool.AddCert(w.pki.Root.Cert, "test root")
	offline := func(doc []byte) *verify.Report {
		t.Helper()
		rep, err := verify.Verify(context.Background(), bytes.NewReader(doc), int64(len(doc)), &verify.Options{Trust: pool, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	augment := func(doc []byte) ([]byte, error) {
		var out bytes.Buffer
		_, err := signer.Augment(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out,
			&signer.AugmentOptions{Level: signer.LevelLTA, Timestamper: w.ts, Certificates: []*x509.Certificate{w.pki.Root.Cert}})
		return out.Bytes(), err
	}

	t.Run("stranger first", func(t *testing.T) {
		doc := withSignerInfos(t, w.signB(t, in), stranger, false)
		if n := signerInfos(t, doc); n != 2 {
			t.Fatalf("the crafted CMS holds %d SignerInfos, want 2", n)
		}
		if s := offline(doc).Signatures[0]; s.Signer == nil || s.Signer.CommonName != w.signer.Cert.Subject.CommonName {
			t.Fatalf("before augmenting, verify validated %+v", s.Signer)
		}
		out, err := augment(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, doc) {
			t.Fatal("augment changed the document instead of appending to it")
		}
		rep := offline(out)
		if rep.Indication != verify.TotalPassed || len(rep.Signatures) != 3 {
			for _, s := range rep.Signatures {
				t.Logf("%s %s %s %s %v", s.Field, s.Type, s.Indication, s.SubIndication, s.Errors)
			}
			t.Fatalf("offline verdict %s with %d entries, want TOTAL_PASSED with 3", rep.Indication, len(rep.Signatures))
		}
		s := rep.Signatures[0]
		if s.Level != "PAdES-BASELINE-LTA" || s.Signer == nil || s.Signer.CommonName != w.signer.Cert.Subject.CommonName {
			t.Errorf("signature level %s signer %+v, want PAdES-BASELINE-LTA by %q", s.Level, s.Signer, w.signer.Cert.Subject.CommonName)
		}
		// The stranger's certificate is not validation data of the
		// document: only the chosen signer's chain went into the DSS.
		if dssHolds(t, out, stranger.Cert) {
			t.Error("the DSS holds the stranger's certificate")
		}
	})
	t.Run("none covers", func(t *testing.T) {
		// The real signer's SignerInfo is replaced by the stranger's over
		// another document: nothing covers it, and augmenting is refused.
		doc := withSignerInfos(t, w.signB(t, in), stranger, true)
		_, err := augment(doc)
		if !errors.Is(err, signer.ErrSignatureBroken) {
			t.Fatalf("err = %v, want ErrSignatureBroken", err)
		}
	})
}

// signB signs in at B-B with room in /Contents for a second SignerInfo.
func (w *ltvWorld) signB(t *testing.T, in []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
		Signer: w.signer.Key, Certificate: w.signer.Cert, Chain: w.signer.Chain, Level: signer.LevelB, Reserve: 8192,
	}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// withSignerInfos rewrites the CMS of the only signature of doc, in place:
// a SignerInfo of other (with its chain) over the same document goes
// before the signer's own, or, with replace, instead of it and over other
// bytes.
func withSignerInfos(t *testing.T, doc []byte, other *testpki.Identity, replace bool) []byte {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := r.Fields()
	if err != nil || len(fields) != 1 {
		t.Fatalf("%d fields: %v", len(fields), err)
	}
	sig, err := r.GetDict(fields[0].Dict.Get("V"))
	if err != nil {
		t.Fatal(err)
	}
	contents, _ := sig.Get("Contents").(pdf.String)
	br, _ := sig.Get("ByteRange").(pdf.Array)
	start, _ := br[1].(int64)
	end, _ := br[2].(int64)
	sd, err := cms.Parse(contents.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := sd.SignerInfos[0].MessageDigest()
	if err != nil {
		t.Fatal(err)
	}
	if replace {
		h := crypto.SHA256.New()
		h.Write([]byte("another document"))
		digest = h.Sum(nil)
	}
	b, err := cms.NewBuilder(other.Cert, other.Key, cms.BuildOptions{Hash: crypto.SHA256, Certificates: other.Chain})
	if err != nil {
		t.Fatal(err)
	}
	der, err := b.Build(context.Background(), digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	merged := mergeSignedData(t, der, sd.Raw, replace)
	hole := doc[start+1 : end-1]
	if 2*len(merged) > len(hole) {
		t.Fatalf("the merged CMS of %d bytes does not fit %d hex digits", len(merged), len(hole))
	}
	out := bytes.Clone(doc)
	hole = out[start+1 : end-1]
	for i := range hole {
		hole[i] = '0'
	}
	hex.Encode(hole, merged)
	return out
}

// mergeSignedData returns a ContentInfo with the SignedData of second,
// the certificates of both and the SignerInfos of first followed by
// second's (without second's, when firstOnly).
func mergeSignedData(t *testing.T, first, second []byte, firstOnly bool) []byte {
	t.Helper()
	type parts struct {
		version            int64
		digestAlgs, encap  cryptobyte.String
		certs, signerInfos cryptobyte.String
		hasCerts           bool
	}
	split := func(der []byte) parts {
		var p parts
		in := cryptobyte.String(der)
		var ci, wrapped, sd, oid cryptobyte.String
		ok := in.ReadASN1(&ci, cbasn1.SEQUENCE) &&
			ci.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) &&
			ci.ReadASN1(&wrapped, cbasn1.Tag(0).ContextSpecific().Constructed()) &&
			wrapped.ReadASN1(&sd, cbasn1.SEQUENCE) &&
			sd.ReadASN1Integer(&p.version) &&
			sd.ReadASN1Element(&p.digestAlgs, cbasn1.SET) &&
			sd.ReadASN1Element(&p.encap, cbasn1.SEQUENCE) &&
			sd.ReadOptionalASN1(&p.certs, &p.hasCerts, cbasn1.Tag(0).ContextSpecific().Constructed()) &&
			sd.ReadASN1(&p.signerInfos, cbasn1.SET)
		if !ok {
			t.Fatal("cannot split the SignedData")
		}
		return p
	}
	a, b := split(first), split(second)
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(out *cryptobyte.Builder) {
		out.AddASN1ObjectIdentifier([]int{1, 2, 840, 113549, 1, 7, 2})
		out.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(out *cryptobyte.Builder) {
			out.AddASN1(cbasn1.SEQUENCE, func(out *cryptobyte.Builder) {
				out.AddASN1Int64(max(a.version, b.version))
				out.AddBytes(b.digestAlgs) // both SHA-256
				out.AddBytes(b.encap)
				out.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(out *cryptobyte.Builder) {
					out.AddBytes(a.certs)
					out.AddBytes(b.certs)
				})
				out.AddASN1(cbasn1.SET, func(out *cryptobyte.Builder) {
					out.AddBytes(a.signerInfos)
					if !firstOnly {
						out.AddBytes(b.signerInfos)
					}
				})
			})
		})
	})
	der, err := out.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// signerInfos counts the SignerInfos of the first signature of doc.
func signerInfos(t *testing.T, doc []byte) int {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	fields, _ := r.Fields()
	sig, _ := r.GetDict(fields[0].Dict.Get("V"))
	contents, _ := sig.Get("Contents").(pdf.String)
	sd, err := cms.Parse(contents.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return len(sd.SignerInfos)
}

// dssHolds reports whether the DSS of doc holds cert.
func dssHolds(t *testing.T, doc []byte, cert *x509.Certificate) bool {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := r.Catalog()
	dss, _ := r.GetDict(cat.Get("DSS"))
	certs, _ := r.GetArray(dss.Get("Certs"))
	for _, ref := range certs {
		st, err := r.GetStream(ref)
		if err != nil {
			continue
		}
		if data, err := st.Decode(0); err == nil && bytes.Equal(data, cert.Raw) {
			return true
		}
	}
	return false
}

// badTSA answers timestamp requests with tokens that tsa.Client would
// refuse: a Timestamper other than Segel's client may return them.
type badTSA struct {
	t   *testing.T
	tsa *testpki.TSA
}

func (b *badTSA) TokenSize(context.Context) (int, error) { return 8192, nil }

func (b *badTSA) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	var req cryptobyte.Builder
	req.AddASN1(cbasn1.SEQUENCE, func(req *cryptobyte.Builder) {
		req.AddASN1Int64(1)
		req.AddASN1(cbasn1.SEQUENCE, func(req *cryptobyte.Builder) {
			req.AddASN1(cbasn1.SEQUENCE, func(req *cryptobyte.Builder) {
				req.AddASN1ObjectIdentifier([]int{2, 16, 840, 1, 101, 3, 4, 2, 1}) // SHA-256
			})
			req.AddASN1OctetString(digest)
		})
		req.AddASN1Boolean(true)
	})
	der, err := req.Bytes()
	if err != nil {
		return nil, err
	}
	resp, err := b.tsa.Respond(ctx, der)
	if err != nil {
		return nil, err
	}
	in := cryptobyte.String(resp)
	var seq, status, token cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&status, cbasn1.SEQUENCE) || !seq.ReadASN1Element(&token, cbasn1.SEQUENCE) {
		return nil, errors.New("the test TSA answered without a token")
	}
	return token, nil
}

// TestSignRefusesInvalidTimestamp: a token that fails a check of
// internal/tstoken is not embedded; Sign at B-T says why.
func TestSignRefusesInvalidTimestamp(t *testing.T) {
	w := newLTVWorld(t)
	in := testcorpus.Base(t)["gs-letter"]
	notTSA := w.pki.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256, Subject: pkix.Name{CommonName: "Not a TSA"}})
	tsaID := w.tsa.Identity()
	for _, c := range []struct {
		name string
		tsa  *testpki.TSA
		want string
	}{
		{"certificate without timeStamping", testpki.NewTSA(notTSA, testpki.TSAOptions{}), "extended key usage"},
		{"imprint of another digest", testpki.NewTSA(tsaID, testpki.TSAOptions{WrongImprint: true}), "message imprint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
				Signer: w.signer.Key, Certificate: w.signer.Cert, Chain: w.signer.Chain,
				Level: signer.LevelT, Timestamper: &badTSA{t: t, tsa: c.tsa},
			})
			if !errors.Is(err, signer.ErrTimestamp) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrTimestamp naming the %s", err, c.want)
			}
		})
	}
	// The same path with the good TSA passes: the check is not what fails.
	var out bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
		Signer: w.signer.Key, Certificate: w.signer.Cert, Chain: w.signer.Chain,
		Level: signer.LevelT, Timestamper: &badTSA{t: t, tsa: w.tsa},
	}); err != nil {
		t.Fatalf("a valid token is refused: %v", err)
	}
}
