package testpki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"
)

// Load rebuilds a PKI from the two CAs of one that [New] built earlier and
// that were saved (their certificates and keys, such as the PEM files of
// [Identity.CertPEM] and [Identity.KeyPEM]): the development mode of
// `segel serve --dev` keeps its PKI in a directory and serves it again on
// every start. opts.Name, KeyType, NotBefore, NotAfter and DelegatedOCSP
// are ignored (the CAs exist already); BaseURL, Now and the validities
// apply as for [New].
//
// The loaded PKI knows no certificate the CAs issued before: record them
// with [PKI.Record], or OCSP answers "unknown" for them. Its CRL numbers
// continue from the clock's Unix time, so that they keep increasing from
// one process to the next.
func Load(root, issuing Identity, opts Options) (*PKI, error) {
	if opts.BaseURL != "" && !strings.HasPrefix(opts.BaseURL, "http://") && !strings.HasPrefix(opts.BaseURL, "https://") {
		return nil, fmt.Errorf("testpki: Options.BaseURL %q is not an http(s) URL", opts.BaseURL)
	}
	for _, c := range []struct {
		what   string
		id     Identity
		parent *x509.Certificate
	}{{"root", root, root.Cert}, {"issuing", issuing, root.Cert}} {
		if c.id.Cert == nil || c.id.Key == nil || !c.id.Cert.IsCA {
			return nil, fmt.Errorf("testpki: Load: the %s CA needs a CA certificate and its key", c.what)
		}
		if err := c.id.Cert.CheckSignatureFrom(c.parent); err != nil {
			return nil, fmt.Errorf("testpki: Load: the %s CA is not signed by the root: %w", c.what, err)
		}
		if err := sameKey(c.id); err != nil {
			return nil, fmt.Errorf("testpki: Load: the %s CA: %w", c.what, err)
		}
	}
	p := &PKI{
		opts:   opts,
		name:   opts.Name,
		issued: map[string]issued{},
		state:  map[*CA]*caState{},
		byName: map[string]*CA{},
	}
	root.Chain = nil
	issuing.Chain = []*x509.Certificate{root.Cert}
	p.Root = &CA{Identity: root, Name: RootName}
	p.Issuing = &CA{Identity: issuing, Name: IssuingName}
	first := p.now().Unix()
	for _, ca := range []*CA{p.Root, p.Issuing} {
		p.addCA(ca)
		p.state[ca].crlNumber = first
	}
	if err := p.Record(issuing.Cert); err != nil {
		return nil, err
	}
	return p, nil
}

// Record makes p know cert, which one of its CAs issued in an earlier
// process (the signature is checked): OCSP then answers "good" for it and
// [PKI.Revoke] accepts it. Certificates that p's own methods issue are
// recorded already.
func (p *PKI) Record(cert *x509.Certificate) error {
	if cert == nil {
		return fmt.Errorf("testpki: Record: certificate is nil")
	}
	for _, ca := range []*CA{p.Root, p.Issuing} {
		if !bytes.Equal(cert.RawIssuer, ca.Cert.RawSubject) || cert.CheckSignatureFrom(ca.Cert) != nil {
			continue
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.issued[serialKey(cert.SerialNumber)] = issued{cert: cert, ca: ca}
		return nil
	}
	return fmt.Errorf("testpki: Record: certificate %q was not issued by a CA of this PKI", cert.Subject.CommonName)
}

// sameKey checks that id.Key is the key of id.Cert.
func sameKey(id Identity) error {
	pub, ok := id.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(id.Cert.PublicKey) {
		return fmt.Errorf("the key is not the certificate's")
	}
	return nil
}
