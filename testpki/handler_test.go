package testpki

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func get(t *testing.T, url string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return body, resp.Header.Get("Content-Type")
}

func postOCSP(t *testing.T, url string, req []byte) []byte {
	t.Helper()
	resp, err := http.Post(url, "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/ocsp-response" {
		t.Errorf("POST %s: Content-Type %q", url, ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestHandler(t *testing.T) {
	p, srv := MustNewServer(t, Options{DelegatedOCSP: true})
	good := p.MustIssueSigner(t, SignerOptions{})
	bad := p.MustIssueSigner(t, SignerOptions{})
	if err := p.Revoke(bad.Cert, time.Time{}, ocsp.KeyCompromise); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(good.Cert.OCSPServer[0], srv.URL+"/ocsp/") {
		t.Fatalf("OCSP URL %q is not on the server %s", good.Cert.OCSPServer[0], srv.URL)
	}

	t.Run("OCSP POST", func(t *testing.T) {
		for _, tc := range []struct {
			id   *Identity
			want int
		}{{good, ocsp.Good}, {bad, ocsp.Revoked}} {
			req, err := ocsp.CreateRequest(tc.id.Cert, p.Issuing.Cert, nil)
			if err != nil {
				t.Fatal(err)
			}
			der := postOCSP(t, tc.id.Cert.OCSPServer[0], req)
			resp, err := ocsp.ParseResponseForCert(der, tc.id.Cert, p.Issuing.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.want {
				t.Errorf("status %d, want %d", resp.Status, tc.want)
			}
		}
	})
	t.Run("OCSP GET", func(t *testing.T) {
		req, err := ocsp.CreateRequest(bad.Cert, p.Issuing.Cert, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			der, _ := get(t, bad.Cert.OCSPServer[0]+"/"+url.PathEscape(enc.EncodeToString(req)))
			resp, err := ocsp.ParseResponseForCert(der, bad.Cert, p.Issuing.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != ocsp.Revoked || resp.RevocationReason != ocsp.KeyCompromise {
				t.Errorf("status %d reason %d, want revoked keyCompromise", resp.Status, resp.RevocationReason)
			}
		}
	})
	t.Run("OCSP errors", func(t *testing.T) {
		var re ocsp.ResponseError
		if _, err := ocsp.ParseResponse(postOCSP(t, srv.URL+"/ocsp/issuing", []byte("junk")), nil); !errors.As(err, &re) || re.Status != ocsp.Malformed {
			t.Errorf("junk request: %v, want malformed", err)
		}
		other := MustNew(t, Options{})
		stranger := other.MustIssueSigner(t, SignerOptions{})
		req, _ := ocsp.CreateRequest(stranger.Cert, other.Issuing.Cert, nil)
		if _, err := ocsp.ParseResponse(postOCSP(t, srv.URL+"/ocsp/issuing", req), nil); !errors.As(err, &re) || re.Status != ocsp.Unauthorized {
			t.Errorf("another PKI's request: %v, want unauthorized", err)
		}
		resp, err := http.Get(srv.URL + "/ocsp/nosuchca")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown CA: %s, want 404", resp.Status)
		}
	})
	t.Run("CRL", func(t *testing.T) {
		der, ct := get(t, bad.Cert.CRLDistributionPoints[0])
		if ct != "application/pkix-crl" {
			t.Errorf("Content-Type %q", ct)
		}
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		if err := crl.CheckSignatureFrom(p.Issuing.Cert); err != nil {
			t.Error(err)
		}
		if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(bad.Cert.SerialNumber) != 0 {
			t.Error("served CRL does not list the revoked certificate")
		}
		der, _ = get(t, p.Issuing.Cert.CRLDistributionPoints[0])
		if crl, err = x509.ParseRevocationList(der); err != nil || crl.CheckSignatureFrom(p.Root.Cert) != nil {
			t.Errorf("root CRL: %v", err)
		}
	})
	t.Run("CA certificate", func(t *testing.T) {
		der, ct := get(t, good.Cert.IssuingCertificateURL[0])
		if ct != "application/pkix-cert" || !bytes.Equal(der, p.Issuing.Cert.Raw) {
			t.Errorf("caIssuers served %q, %d bytes; want the issuing CA", ct, len(der))
		}
	})
}
