package revocation

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/internal/oids"
)

// A throwaway PKI built with crypto/x509, so that every test controls the
// names, keys, extensions and URLs it needs.

type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var serialCounter atomic.Int64

func init() { serialCounter.Store(0x1000) }

func nextSerial() *big.Int { return big.NewInt(serialCounter.Add(1)) }

func newKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newCA returns a self-signed CA named cn.
func newCA(t testing.TB, cn string) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Segel Test"}, Country: []string{"ID"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key}
}

type leafOpts struct {
	cn       string
	ocsp     []string
	crl      []string
	eku      []x509.ExtKeyUsage
	noCheck  bool
	isCA     bool
	serial   *big.Int
	notAfter time.Time
}

// issue returns a certificate issued by ca and its key.
func (ca *testCA) issue(t testing.TB, o leafOpts) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key := newKey(t)
	if o.cn == "" {
		o.cn = "Pejabat Uji"
	}
	if o.serial == nil {
		o.serial = nextSerial()
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(12 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          o.serial,
		Subject:               pkix.Name{CommonName: o.cn, Country: []string{"ID"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              o.notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           o.eku,
		OCSPServer:            o.ocsp,
		CRLDistributionPoints: o.crl,
		BasicConstraintsValid: true,
		IsCA:                  o.isCA,
	}
	if o.isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	if o.noCheck {
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oids.OCSPNoCheck, Value: asn1.NullBytes}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// responderCert returns a delegated OCSP responder certificate of ca.
func (ca *testCA) responder(t testing.TB) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	return ca.issue(t, leafOpts{cn: "OCSP Responder", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, noCheck: true})
}

// ocspResponse signs a response about cert with x/crypto/ocsp: by the CA
// itself when signer is nil, else by signer (embedded).
func (ca *testCA) ocspResponse(t testing.TB, serial *big.Int, status int, thisUpdate, nextUpdate time.Time, signer *x509.Certificate, key crypto.Signer) []byte {
	t.Helper()
	tmpl := ocsp.Response{
		Status:       status,
		SerialNumber: serial,
		ThisUpdate:   thisUpdate,
		NextUpdate:   nextUpdate,
	}
	if status == ocsp.Revoked {
		tmpl.RevokedAt = thisUpdate.Add(-time.Hour).Truncate(time.Second)
		tmpl.RevocationReason = ocsp.KeyCompromise
	}
	respCert, respKey := ca.cert, ca.key
	if signer != nil {
		respCert, respKey = signer, key
		tmpl.Certificate = signer
	}
	der, err := ocsp.CreateResponse(ca.cert, respCert, tmpl, respKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// crl returns a DER CRL of ca listing the given serials as revoked.
func (ca *testCA) crl(t testing.TB, thisUpdate, nextUpdate time.Time, revoked ...*big.Int) []byte {
	t.Helper()
	return ca.crlWith(t, &x509.RevocationList{ThisUpdate: thisUpdate, NextUpdate: nextUpdate}, revoked...)
}

func (ca *testCA) crlWith(t testing.TB, tmpl *x509.RevocationList, revoked ...*big.Int) []byte {
	t.Helper()
	if tmpl.Number == nil {
		tmpl.Number = nextSerial()
	}
	for _, s := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber:   s,
			RevocationTime: tmpl.ThisUpdate.Add(-time.Hour).UTC().Truncate(time.Second),
			ReasonCode:     ReasonKeyCompromise,
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// respBuilder builds OCSP responses field by field, for what
// ocsp.CreateResponse cannot do: nonces, several single responses, chosen
// CertIDs and producedAt.
type respBuilder struct {
	singles    []singleResponse
	producedAt time.Time
	extensions []pkix.Extension
	signerName []byte // responder ID by name
	key        crypto.Signer
	certs      [][]byte
}

func certIDFor(t testing.TB, issuer *x509.Certificate, serial *big.Int, h crypto.Hash) certID {
	t.Helper()
	name, key, err := issuerHashes(issuer, h)
	if err != nil {
		t.Fatal(err)
	}
	oid := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: oids.SHA1, crypto.SHA256: oids.SHA256}[h]
	return certID{
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
		NameHash:      name, IssuerKeyHash: key, SerialNumber: serial,
	}
}

func goodSingle(id certID, thisUpdate, nextUpdate time.Time) singleResponse {
	return singleResponse{CertID: id, Good: true, ThisUpdate: thisUpdate.UTC().Truncate(time.Second), NextUpdate: nextUpdate.UTC().Truncate(time.Second)}
}

func (b *respBuilder) build(t testing.TB) []byte {
	t.Helper()
	if b.producedAt.IsZero() {
		b.producedAt = time.Now()
	}
	tbs := responseData{
		RawResponderID:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: b.signerName},
		ProducedAt:         b.producedAt.UTC().Truncate(time.Second),
		Responses:          b.singles,
		ResponseExtensions: b.extensions,
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(tbsDER)
	sig, err := b.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	basic := basicResponse{
		TBSResponseData:    responseData{Raw: tbsDER},
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oids.ECDSAWithSHA256},
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	}
	for _, c := range b.certs {
		basic.Certificates = append(basic.Certificates, asn1.RawValue{FullBytes: c})
	}
	basicDER, err := asn1.Marshal(basic)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(responseASN1{Response: responseBytes{ResponseType: oids.OCSPBasic, Response: basicDER}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ocspServer is an OCSP responder over HTTP that answers with respond.
type ocspServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	methods  []string
	nonces   [][]byte
	respond  func(w http.ResponseWriter, r *http.Request, req *ocspRequest)
}

func newOCSPServer(t testing.TB, respond func(w http.ResponseWriter, r *http.Request, req *ocspRequest)) *ocspServer {
	t.Helper()
	s := &ocspServer{respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *ocspServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	var raw []byte
	var err error
	switch r.Method {
	case http.MethodPost:
		if r.Header.Get("Content-Type") != "application/ocsp-request" {
			http.Error(w, "bad content type", http.StatusUnsupportedMediaType)
			return
		}
		raw, err = io.ReadAll(r.Body)
	case http.MethodGet:
		seg := r.URL.EscapedPath()
		seg = seg[strings.LastIndex(seg, "/")+1:]
		if seg, err = url.PathUnescape(seg); err == nil {
			raw, err = base64.StdEncoding.DecodeString(seg)
		}
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	var req ocspRequest
	if err == nil {
		_, err = asn1.Unmarshal(raw, &req)
	}
	if err != nil || len(req.TBSRequest.RequestList) != 1 {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	s.mu.Lock()
	s.methods = append(s.methods, r.Method)
	for _, ext := range req.TBSRequest.RequestExtensions {
		if ext.Id.Equal(oids.OCSPNonce) {
			s.nonces = append(s.nonces, ext.Value)
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/ocsp-response")
	s.respond(w, r, &req)
}

// bytesServer serves body (with status) and counts requests.
type bytesServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	body     []byte
	status   int
}

func newBytesServer(t testing.TB, body []byte) *bytesServer {
	t.Helper()
	s := &bytesServer{body: body, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		body, status := s.body, s.status
		s.mu.Unlock()
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *bytesServer) set(body []byte, status int) {
	s.mu.Lock()
	s.body, s.status = body, status
	s.mu.Unlock()
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func pemEncode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
