package main

import (
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
)

// loadTrust builds the trust pool of a command: the national bundle
// (unless noDefault) and every --trust path, printing the warnings of
// certificates that were skipped.
func loadTrust(paths []string, noDefault bool, stderr io.Writer) (*trust.Pool, error) {
	pool := trust.NewPool()
	if !noDefault {
		national, err := trust.National()
		if err != nil {
			return nil, err
		}
		pool.Merge(national)
	}
	for _, p := range paths {
		_, warnings, err := pool.Load(p)
		if err != nil {
			return nil, usagef("--trust %s: %v", p, err)
		}
		for _, w := range warnings {
			fmt.Fprintf(stderr, "segel: warning: %s\n", w)
		}
	}
	return pool, nil
}

// newTSAClient returns a client for the --tsa URLs whose TSA certificates
// must chain to pool. Credentials come from $SEGEL_TSA_USERNAME and
// $SEGEL_TSA_PASSWORD, or $SEGEL_TSA_TOKEN.
func newTSAClient(urls []string, pool *trust.Pool) (*tsa.Client, error) {
	return tsa.New(tsa.Options{
		URLs:          urls,
		Roots:         pool.CertPool(),
		Intermediates: pool.Intermediates(),
		Username:      os.Getenv("SEGEL_TSA_USERNAME"),
		Password:      os.Getenv("SEGEL_TSA_PASSWORD"),
		BearerToken:   os.Getenv("SEGEL_TSA_TOKEN"),
		Timeout:       15 * time.Second,
	})
}

// timestamper returns ts as a signer.Timestamper, nil when there is none.
func timestamper(ts *tsa.Client) signer.Timestamper {
	if ts == nil {
		return nil
	}
	return ts
}

// poolCerts returns the certificates of pool for completing chains.
func poolCerts(pool *trust.Pool) []*x509.Certificate {
	if pool == nil {
		return nil
	}
	return slices.Concat(pool.Anchors(), pool.Intermediates())
}
