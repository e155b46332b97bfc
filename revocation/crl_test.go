package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/oids"
)

func TestCheckCRL(t *testing.T) {
	now := time.Now()
	ca := newCA(t, "Segel Test CA")
	impostor := newCA(t, "Segel Test CA")
	otherCA := newCA(t, "Other CA")
	leaf, _ := ca.issue(t, leafOpts{crl: []string{"http://crl.example/ca.crl"}})
	subCA, _ := ca.issue(t, leafOpts{cn: "Sub CA", isCA: true})

	withExt := func(ext pkix.Extension, revoked ...*big.Int) []byte {
		return ca.crlWith(t, &x509.RevocationList{ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour), ExtraExtensions: []pkix.Extension{ext}}, revoked...)
	}
	idp := func(v issuingDistributionPoint) pkix.Extension {
		der, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return pkix.Extension{Id: oids.IssuingDistributionPoint, Critical: true, Value: der}
	}
	uri := func(u string) distributionPointName {
		return distributionPointName{FullName: []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(u)}}}
	}

	for _, tc := range []struct {
		name  string
		crl   []byte
		cert  *x509.Certificate
		want  State
		error string
	}{
		{name: "good", crl: ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour), big.NewInt(7)), want: Good},
		{name: "revoked", crl: ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour), big.NewInt(7), leaf.SerialNumber), want: Revoked},
		{name: "PEM", crl: pemEncode("X509 CRL", ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour), leaf.SerialNumber)), want: Revoked},
		{name: "IDP naming the certificate's URL", crl: withExt(idp(issuingDistributionPoint{DistributionPoint: uri("http://crl.example/ca.crl"), OnlyContainsUserCerts: true})), want: Good},
		{name: "IDP of CA certificates, for a CA", crl: withExt(idp(issuingDistributionPoint{OnlyContainsCACerts: true})), cert: subCA, want: Good},

		{name: "expired", crl: ca.crl(t, now.Add(-2*time.Hour), now.Add(-time.Hour)), error: "stale"},
		{name: "not yet valid", crl: ca.crl(t, now.Add(time.Hour), now.Add(2*time.Hour)), error: "not yet valid"},
		{name: "signed by an impostor with the same name", crl: impostor.crl(t, now.Add(-time.Minute), now.Add(time.Hour)), error: "signature does not verify"},
		{name: "issued by another CA", crl: otherCA.crl(t, now.Add(-time.Minute), now.Add(time.Hour)), error: "is issued by"},
		{name: "delta CRL", crl: withExt(pkix.Extension{Id: oids.DeltaCRLIndicator, Critical: true, Value: []byte{2, 1, 1}}), error: "delta"},
		{name: "indirect CRL", crl: withExt(idp(issuingDistributionPoint{IndirectCRL: true})), error: "indirect"},
		{name: "partitioned by reason", crl: withExt(idp(issuingDistributionPoint{OnlySomeReasons: asn1.BitString{Bytes: []byte{0x40}, BitLength: 2}})), error: "partitioned"},
		{name: "IDP of CA certificates, for an end entity", crl: withExt(idp(issuingDistributionPoint{OnlyContainsCACerts: true})), error: "only CA"},
		{name: "IDP of end entities, for a CA", crl: withExt(idp(issuingDistributionPoint{OnlyContainsUserCerts: true})), cert: subCA, error: "only end-entity"},
		{name: "IDP naming another URL", crl: withExt(idp(issuingDistributionPoint{DistributionPoint: uri("http://crl.example/part2.crl")})), error: "issuing distribution point"},
		{name: "unknown critical extension", crl: withExt(pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3}, Critical: true, Value: asn1.NullBytes}), error: "unsupported critical"},
		{name: "PEM of another type", crl: pemEncode("CERTIFICATE", leaf.Raw), error: "PEM block"},
		{name: "garbage", crl: []byte("not a CRL"), error: "malformed CRL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert := tc.cert
			if cert == nil {
				cert = leaf
			}
			st, err := CheckCRL(tc.crl, cert, ca.cert, nil)
			if tc.error != "" {
				if err == nil {
					t.Fatalf("accepted: %+v", st)
				}
				t.Log(err)
				if !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), tc.error) || !strings.HasPrefix(err.Error(), "revocation: crl: invalid response: ") {
					t.Fatalf("error %q, want ErrInvalidResponse saying %q", err, tc.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.State != tc.want || st.Source != CRL || st.ThisUpdate.IsZero() {
				t.Fatalf("got %+v", st)
			}
			if tc.want == Revoked && (st.Reason != ReasonKeyCompromise || st.RevokedAt.IsZero()) {
				t.Errorf("revocation details: reason %d at %v", st.Reason, st.RevokedAt)
			}
			if _, err := x509.ParseRevocationList(st.Raw); err != nil {
				t.Errorf("Raw is not a DER CRL: %v", err)
			}
		})
	}
}

func TestCheckOverCRL(t *testing.T) {
	now := time.Now()
	ca := newCA(t, "Segel Test CA")
	srv := newBytesServer(t, nil)
	leaf, _ := ca.issue(t, leafOpts{crl: []string{"ldap://ldap.example/cn=CA?certificateRevocationList", srv.URL + "/ca.crl"}})

	srv.set(ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour), leaf.SerialNumber), http.StatusOK)
	st, err := New(Options{}).Check(context.Background(), leaf, ca.cert)
	if err != nil || st.State != Revoked || st.URL != srv.URL+"/ca.crl" {
		t.Fatalf("got %+v, %v", st, err)
	}

	srv.set(bytes.Repeat([]byte{0x30}, 5000), http.StatusOK)
	_, err = New(Options{MaxCRLSize: 4096}).Check(context.Background(), leaf, ca.cert)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("oversize CRL: %v", err)
	}

	srv.set(ca.crl(t, now.Add(-2*time.Hour), now.Add(-time.Hour)), http.StatusOK)
	_, err = New(Options{}).Check(context.Background(), leaf, ca.cert)
	if !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), "stale") || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("expired CRL: %v", err)
	}
}

func TestFallbackAndPreference(t *testing.T) {
	w := newWorld(t, func(_ *world, rw http.ResponseWriter, _ *http.Request, _ *ocspRequest) {
		http.Error(rw, "down", http.StatusBadGateway)
	})
	st, err := New(Options{}).Check(context.Background(), w.leaf, w.ca.cert)
	if err != nil || st.State != Good || st.Source != CRL {
		t.Fatalf("fallback: %+v, %v", st, err)
	}
	if w.ocsp.requests.Load() != 1 || w.crl.requests.Load() != 1 {
		t.Fatalf("requests: ocsp %d, crl %d", w.ocsp.requests.Load(), w.crl.requests.Load())
	}
	st, err = New(Options{PreferCRL: true}).Check(context.Background(), w.leaf, w.ca.cert)
	if err != nil || st.Source != CRL || w.ocsp.requests.Load() != 1 {
		t.Fatalf("PreferCRL asked OCSP first: %+v, %v", st, err)
	}
}

func TestNoSourcesAndOffline(t *testing.T) {
	ca := newCA(t, "Segel Test CA")
	bare, _ := ca.issue(t, leafOpts{crl: []string{"ldap://ldap.example/cn=CA"}})
	_, err := New(Options{}).Check(context.Background(), bare, ca.cert)
	if !errors.Is(err, ErrNoSources) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("no sources: %v", err)
	}
	if _, err := New(Options{}).FetchOCSP(context.Background(), bare, ca.cert); !errors.Is(err, ErrNoSources) {
		t.Fatalf("FetchOCSP without AIA: %v", err)
	}

	w := newWorld(t, respondFresh(0))
	c := New(Options{Offline: true})
	_, err = c.Check(context.Background(), w.leaf, w.ca.cert)
	if !errors.Is(err, ErrOffline) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("offline: %v", err)
	}
	if _, err := c.FetchCRL(context.Background(), w.crl.URL, w.ca.cert); !errors.Is(err, ErrOffline) {
		t.Fatalf("offline FetchCRL: %v", err)
	}
	if n := w.ocsp.requests.Load() + w.crl.requests.Load(); n != 0 {
		t.Fatalf("%d requests while offline", n)
	}

	other := newCA(t, "Other CA")
	if _, err := New(Options{}).Check(context.Background(), w.leaf, other.cert); err == nil || !strings.Contains(err.Error(), "issued by") {
		t.Fatalf("wrong issuer: %v", err)
	}
}

func TestFetchCRL(t *testing.T) {
	w := newWorld(t, respondFresh(0))
	c := New(Options{})
	list, err := c.FetchCRL(context.Background(), w.crl.URL, w.ca.cert)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Raw) == 0 || list.Issuer.CommonName != "Segel Test CA" {
		t.Fatalf("got %+v", list)
	}
	other := newCA(t, "Segel Test CA")
	if _, err := c.FetchCRL(context.Background(), w.crl.URL, other.cert); !errors.Is(err, ErrInvalidResponse) {
		t.Fatalf("CRL checked against another issuer: %v", err)
	}
}
