// Package certpath orders certificates into issuer chains without
// judging trust: for embedding chains and validation data, never for
// deciding whether a signer is trusted (that is package verify's work).
package certpath

import (
	"bytes"
	"crypto/x509"
)

// Issuers returns the issuers of leaf found in pool, nearest first, each
// one's signature checked against the next; it stops at a self-signed
// certificate or when no issuer is found. pool may contain leaf and
// certificates that are not on the path.
func Issuers(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	used := make([]bool, len(pool))
	cur := leaf
	for len(chain) < len(pool) && !SelfSigned(cur) {
		next := -1
		for i, c := range pool {
			if !used[i] && !c.Equal(cur) && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		cur = pool[next]
		chain = append(chain, cur)
	}
	return chain
}

// Order returns the issuers of leaf found in pool, nearest first (see
// Issuers), followed by the certificates of pool that are not on the
// path, in their order; leaf itself is left out.
func Order(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain := Issuers(leaf, pool)
	for _, c := range pool {
		if c.Equal(leaf) || contains(chain, c) {
			continue
		}
		chain = append(chain, c)
	}
	return chain
}

// SelfSigned reports whether c is issued by itself (its subject is its
// issuer and its own key verifies it): the top of a chain.
func SelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

func contains(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range list {
		if x.Equal(c) {
			return true
		}
	}
	return false
}
