package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
)

// entry is a certificate in a pool and where it came from.
type entry struct {
	cert   *x509.Certificate
	source string
}

// role says what a pool holds a certificate as.
type role int

const (
	roleAnchor role = iota + 1
	roleIntermediate
)

// Pool is a set of trust anchors and of intermediate certificates, each with
// the source it was loaded from. The zero value is an empty pool ready to
// use. A Pool is not safe for concurrent use while it is being modified;
// once built, its read methods may be called concurrently.
type Pool struct {
	anchors       []entry
	intermediates []entry
	roles         map[[32]byte]role // by SHA-256 of the DER certificate
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{} }

// AddCert adds cert as a trust anchor: a root, or any CA or end-entity
// certificate pinned as trusted. source says where it came from, such as a
// file path, for reports. An intermediate already in the pool becomes an
// anchor. AddCert reports whether cert was not already an anchor.
func (p *Pool) AddCert(cert *x509.Certificate, source string) bool {
	fp := sha256.Sum256(cert.Raw)
	switch p.roles[fp] {
	case roleAnchor:
		return false
	case roleIntermediate:
		for i, e := range p.intermediates {
			if e.cert.Equal(cert) {
				p.intermediates = append(p.intermediates[:i], p.intermediates[i+1:]...)
				break
			}
		}
	}
	p.setRole(fp, roleAnchor)
	p.anchors = append(p.anchors, entry{cert: cert, source: source})
	return true
}

// AddIntermediate adds cert as an intermediate: a candidate for building
// paths to the anchors, not trusted by itself. It reports whether cert was
// not already in the pool (as anchor or intermediate).
func (p *Pool) AddIntermediate(cert *x509.Certificate, source string) bool {
	fp := sha256.Sum256(cert.Raw)
	if p.roles[fp] != 0 {
		return false
	}
	p.setRole(fp, roleIntermediate)
	p.intermediates = append(p.intermediates, entry{cert: cert, source: source})
	return true
}

func (p *Pool) setRole(fp [32]byte, r role) {
	if p.roles == nil {
		p.roles = map[[32]byte]role{}
	}
	p.roles[fp] = r
}

// Merge adds the anchors and intermediates of other to p, keeping their
// sources.
func (p *Pool) Merge(other *Pool) {
	if other == nil {
		return
	}
	for _, e := range other.anchors {
		p.AddCert(e.cert, e.source)
	}
	for _, e := range other.intermediates {
		p.AddIntermediate(e.cert, e.source)
	}
}

// Len returns the number of anchors in p.
func (p *Pool) Len() int { return len(p.anchors) }

// Anchors returns the trust anchors of p in the order they were added.
func (p *Pool) Anchors() []*x509.Certificate { return certs(p.anchors) }

// Intermediates returns the intermediate certificates of p in the order
// they were added.
func (p *Pool) Intermediates() []*x509.Certificate { return certs(p.intermediates) }

func certs(entries []entry) []*x509.Certificate {
	out := make([]*x509.Certificate, len(entries))
	for i, e := range entries {
		out[i] = e.cert
	}
	return out
}

// Contains reports whether cert is a trust anchor of p.
func (p *Pool) Contains(cert *x509.Certificate) bool {
	return cert != nil && p.roles[sha256.Sum256(cert.Raw)] == roleAnchor
}

// Source returns where the anchor or intermediate cert was loaded from, and
// whether p holds it at all.
func (p *Pool) Source(cert *x509.Certificate) (string, bool) {
	if cert == nil {
		return "", false
	}
	for _, list := range [][]entry{p.anchors, p.intermediates} {
		for _, e := range list {
			if e.cert.Equal(cert) {
				return e.source, true
			}
		}
	}
	return "", false
}

// CertPool returns a new x509.CertPool of p's anchors, for
// x509.VerifyOptions.Roots.
func (p *Pool) CertPool() *x509.CertPool { return certPool(p.anchors) }

// IntermediatePool returns a new x509.CertPool of p's intermediates, for
// x509.VerifyOptions.Intermediates.
func (p *Pool) IntermediatePool() *x509.CertPool { return certPool(p.intermediates) }

func certPool(entries []entry) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, e := range entries {
		pool.AddCert(e.cert)
	}
	return pool
}

// Fingerprint returns the SHA-256 fingerprint of cert's DER encoding in the
// form OpenSSL prints: uppercase hexadecimal pairs joined by colons.
func Fingerprint(cert *x509.Certificate) string {
	return fingerprintOf(cert.Raw)
}

func fingerprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}
