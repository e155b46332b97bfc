package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"

	"github.com/segel-id/segel/internal/cms"
)

// Prepared signs documents with one key, certificate and chain, for
// callers that sign many (a gateway's signing profile, a batch). The
// parts of the CMS SignedData that are the same for every signature
// with that key (the certificates, algorithm identifiers, signer
// identifier and the layout of the signed attributes) are encoded once,
// at the first signature, instead of at every Sign call: about a tenth
// of Segel's own work per letter (docs/decisions.md, "Signing through
// SoftHSM: overhead (issue 12)"). A Prepared is safe for concurrent use
// and holds nothing that depends on a document.
type Prepared struct {
	key     crypto.Signer
	cert    *x509.Certificate
	chain   []*x509.Certificate
	hash    crypto.Hash
	pss     bool
	rand    io.Reader
	builder *cms.Builder
}

// Prepare returns a Prepared for the key of opts: its Signer,
// Certificate, Chain, Hash, PSS and Rand, which are checked as Sign
// checks them (the key must belong to the certificate). The other
// fields of opts are not used: each document's options are given to
// Prepared.Sign. The certificate's validity is checked at each
// signature, at its signing time.
func Prepare(opts *Options) (*Prepared, error) {
	if err := opts.checkKeyFields(); err != nil {
		return nil, err
	}
	if err := opts.checkHash(); err != nil {
		return nil, err
	}
	if err := checkKey(opts.Certificate, opts.Signer); err != nil {
		return nil, err
	}
	b, err := newBuilder(opts)
	if err != nil {
		return nil, err
	}
	return &Prepared{key: opts.Signer, cert: opts.Certificate, chain: opts.Chain,
		hash: opts.hash(), pss: opts.PSS, rand: opts.Rand, builder: b}, nil
}

// Sign signs src as [Sign] does, with p's key, certificate and chain;
// opts gives the rest (level, field, appearance, reason, time…). The key
// fields of opts (Signer, Certificate, Chain, Hash, PSS and Rand) must
// be left zero: they are p's. The output is what Sign makes with the
// same options.
func (p *Prepared) Sign(ctx context.Context, src io.ReaderAt, size int64, dst io.Writer, opts *Options) (*Result, error) {
	if opts == nil {
		return nil, fmt.Errorf("%w: no options", ErrOptions)
	}
	if opts.Signer != nil || opts.Certificate != nil || opts.Chain != nil || opts.Hash != 0 || opts.PSS || opts.Rand != nil {
		return nil, fmt.Errorf("%w: the key, certificate, chain, hash, PSS and Rand of a prepared signer are set by Prepare", ErrOptions)
	}
	o := *opts
	o.Signer, o.Certificate, o.Chain, o.Hash, o.PSS, o.Rand = p.key, p.cert, p.chain, p.hash, p.pss, p.rand
	res, err := sign(ctx, src, size, dst, &o, p.builder)
	if opts.Revocation == nil && o.Revocation != nil {
		// As with Sign, the checker made for B-LT is kept in the caller's
		// options for its next signature.
		opts.Revocation = o.Revocation
	}
	return res, err
}
