package revocation

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults for the zero values of [Options].
const (
	// DefaultTimeout bounds one HTTP request.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseSize bounds an OCSP response: real ones are a few
	// KiB, a responder's certificate chain included.
	DefaultMaxResponseSize = 1 << 20
	// DefaultMaxCRLSize bounds a CRL. National CAs' CRLs reach a few MiB.
	DefaultMaxCRLSize = 10 << 20
	// DefaultNoNextUpdateTTL is how long an answer without nextUpdate is
	// reused: short, as such an answer promises nothing about the future.
	DefaultNoNextUpdateTTL = time.Minute
	// DefaultMaxCacheEntries bounds the cache.
	DefaultMaxCacheEntries = 4096
)

// Options configure a [Checker]. The zero value is ready to use.
type Options struct {
	// HTTPClient sends the requests. If nil, http.DefaultClient is used.
	HTTPClient *http.Client

	// Timeout bounds each HTTP request, whatever the caller's context
	// allows. If zero or negative, DefaultTimeout is used.
	Timeout time.Duration

	// MaxResponseSize bounds an OCSP response body, in bytes. If zero or
	// negative, DefaultMaxResponseSize is used.
	MaxResponseSize int64

	// MaxCRLSize bounds a CRL body, in bytes. If zero or negative,
	// DefaultMaxCRLSize is used.
	MaxCRLSize int64

	// Now returns the current time, against which thisUpdate and nextUpdate
	// are checked and cache entries expire. If nil, time.Now is used.
	Now func() time.Time

	// Skew is the clock skew allowed between Segel and the responders and
	// CRL issuers. If zero, DefaultSkew is used; a negative value allows
	// none.
	Skew time.Duration

	// MaxAge, when positive, rejects answers whose thisUpdate is older than
	// MaxAge, even before their nextUpdate, and stops reusing them then.
	MaxAge time.Duration

	// Offline forbids the network: every method that would fetch returns an
	// error matching ErrOffline instead.
	Offline bool

	// PreferCRL asks the CRL distribution points before the OCSP responders.
	PreferCRL bool

	// OCSPGet sends OCSP requests whose encoding is short (RFC 5019: less
	// than 255 bytes) with HTTP GET, which HTTP caches can answer, and falls
	// back to POST if that fails. If false, requests are POSTed.
	OCSPGet bool

	// OCSPNonce sends a random nonce with each OCSP request; a response that
	// echoes a nonce must echo this one. Many responders (those that
	// pre-sign their answers) ignore nonces, which is allowed.
	OCSPNonce bool

	// NoNextUpdateTTL is how long an answer without nextUpdate is reused.
	// If zero, DefaultNoNextUpdateTTL is used; a negative value disables
	// caching of such answers.
	NoNextUpdateTTL time.Duration

	// CacheTTL, when positive, bounds how long any answer is reused, even
	// before its nextUpdate.
	CacheTTL time.Duration

	// MaxCacheEntries bounds the number of cached answers. If zero,
	// DefaultMaxCacheEntries is used; a negative value disables the cache.
	MaxCacheEntries int

	// AllowedHosts, when not empty, are the only hosts fetched from
	// (responders, CRL distribution points and the targets of their
	// redirects): exact host names, or "*.example.go.id" for every name
	// under example.go.id; case does not matter. Any other URL is refused
	// with ErrRefused, without a connection. Empty: any host.
	AllowedHosts []string
}

// maxRedirects bounds the redirects followed for one request.
const maxRedirects = 5

// Checker fetches, checks and caches revocation data. Create it with [New];
// it is safe for concurrent use. The cache lives in memory only, for the
// Checker's life.
type Checker struct {
	client          *http.Client
	timeout         time.Duration
	maxResponseSize int64
	maxCRLSize      int64
	now             func() time.Time
	skew            time.Duration
	maxAge          time.Duration
	offline         bool
	preferCRL       bool
	ocspGet         bool
	ocspNonce       bool
	noNextUpdateTTL time.Duration
	cacheTTL        time.Duration

	cache  *cache
	flight *singleflight.Group
	stats  *stats
	// allowedHosts is Options.AllowedHosts, lower-cased.
	allowedHosts []string
	// trusted, when set (TrustedOnly), limits fetching to certificates
	// issued by a trusted issuer.
	trusted *trustGate
}

// New returns a Checker configured by opts.
func New(opts Options) *Checker {
	c := &Checker{
		client:          opts.HTTPClient,
		timeout:         opts.Timeout,
		maxResponseSize: opts.MaxResponseSize,
		maxCRLSize:      opts.MaxCRLSize,
		now:             opts.Now,
		skew:            opts.Skew,
		maxAge:          opts.MaxAge,
		offline:         opts.Offline,
		preferCRL:       opts.PreferCRL,
		ocspGet:         opts.OCSPGet,
		ocspNonce:       opts.OCSPNonce,
		noNextUpdateTTL: opts.NoNextUpdateTTL,
		cacheTTL:        opts.CacheTTL,
		cache:           newCache(opts.MaxCacheEntries),
		flight:          &singleflight.Group{},
		stats:           &stats{},
	}
	for _, h := range opts.AllowedHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			c.allowedHosts = append(c.allowedHosts, h)
		}
	}
	if c.client == nil {
		c.client = http.DefaultClient
	}
	c.client = c.guardRedirects(c.client)
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxResponseSize <= 0 {
		c.maxResponseSize = DefaultMaxResponseSize
	}
	if c.maxCRLSize <= 0 {
		c.maxCRLSize = DefaultMaxCRLSize
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.skew == 0 {
		c.skew = DefaultSkew
	} else if c.skew < 0 {
		c.skew = 0
	}
	if c.noNextUpdateTTL == 0 {
		c.noNextUpdateTTL = DefaultNoNextUpdateTTL
	}
	return c
}

// verifyOptions returns the options to check data with at the current time.
func (c *Checker) verifyOptions(nonce []byte) *VerifyOptions {
	skew := c.skew
	if skew == 0 {
		skew = -1 // VerifyOptions spells "none" as negative
	}
	return &VerifyOptions{CurrentTime: c.now(), Skew: skew, MaxAge: c.maxAge, Nonce: nonce}
}

// Check returns the revocation status of cert, issued by issuer, now: it asks
// the OCSP responders of cert's Authority Information Access, then its HTTP
// CRL distribution points (the other way round with [Options.PreferCRL]),
// and returns the first answer that passes every check. An OCSP answer of
// Unknown is returned only if no CRL gives a status either.
//
// When no source gives a status, the error is a [*CheckError] that matches
// ErrUnavailable and/or ErrInvalidResponse (or ErrOffline); when cert names
// no source at all, it matches ErrNoSources.
//
// WARNING: Check does not verify that issuer is trusted or that cert chains
// to it; it answers only "did issuer revoke cert?".
func (c *Checker) Check(ctx context.Context, cert, issuer *x509.Certificate) (*Status, error) {
	if err := checkPair(cert, issuer); err != nil {
		return nil, fmt.Errorf("revocation: %w", err.Err)
	}
	if err := c.checkTrusted(cert, issuer); err != nil {
		return nil, err
	}
	ocspURLs, crlURLs := httpURLs(cert.OCSPServer), httpURLs(cert.CRLDistributionPoints)
	if len(ocspURLs) == 0 && len(crlURLs) == 0 {
		return nil, noSources(cert, "no OCSP responder and no HTTP CRL distribution point")
	}
	type source struct {
		kind Source
		urls []string
	}
	order := []source{{OCSP, ocspURLs}, {CRL, crlURLs}}
	if c.preferCRL {
		order[0], order[1] = order[1], order[0]
	}
	var (
		errs    []*SourceError
		unknown *Status
	)
	for _, src := range order {
		for _, u := range src.urls {
			var (
				st  *Status
				err *SourceError
			)
			if src.kind == OCSP {
				st, err = c.ocspStatus(ctx, u, cert, issuer)
			} else {
				st, err = c.crlStatus(ctx, u, cert, issuer)
			}
			if err != nil {
				errs = append(errs, err)
				if ctx.Err() != nil {
					return nil, &CheckError{Cert: cert, Errors: errs}
				}
				continue
			}
			if st.State == Unknown {
				if unknown == nil {
					unknown = st
				}
				continue
			}
			return st, nil
		}
	}
	if unknown != nil {
		return unknown, nil
	}
	return nil, &CheckError{Cert: cert, Errors: errs}
}

// FetchOCSP asks the OCSP responders of cert's Authority Information Access
// in turn and returns the first checked answer (Unknown included), for the
// signer to embed Status.Raw and Status.Responder. Errors are as for
// [Checker.Check].
func (c *Checker) FetchOCSP(ctx context.Context, cert, issuer *x509.Certificate) (*Status, error) {
	if err := checkPair(cert, issuer); err != nil {
		return nil, fmt.Errorf("revocation: %w", err.Err)
	}
	if err := c.checkTrusted(cert, issuer); err != nil {
		return nil, err
	}
	urls := httpURLs(cert.OCSPServer)
	if len(urls) == 0 {
		return nil, noSources(cert, "no OCSP responder")
	}
	var errs []*SourceError
	for _, u := range urls {
		st, err := c.ocspStatus(ctx, u, cert, issuer)
		if err == nil {
			return st, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, &CheckError{Cert: cert, Errors: errs}
}

// FetchCRL fetches the CRL at url (DER or PEM) and checks that issuer signed
// it, that it names issuer and that it is current; the returned list may be
// shared through the cache and must not be modified. Its Raw field is the
// DER to embed in a PDF's DSS. Errors are [*SourceError] values.
func (c *Checker) FetchCRL(ctx context.Context, url string, issuer *x509.Certificate) (*x509.RevocationList, error) {
	if issuer == nil {
		return nil, errors.New("revocation: nil issuer")
	}
	if err := c.checkTrusted(nil, issuer); err != nil {
		return nil, err
	}
	crl, err := c.crl(ctx, url, issuer)
	if err != nil {
		return nil, err
	}
	return crl.list, nil
}

// ocspStatus returns the checked OCSP answer about cert from url, from the
// cache when it can.
func (c *Checker) ocspStatus(ctx context.Context, url string, cert, issuer *x509.Certificate) (*Status, *SourceError) {
	// The answer is about the certificate, whichever responder gave it.
	key := "ocsp\x00" + issuerKey(issuer) + "\x00" + cert.SerialNumber.String()
	v, serr := c.cached(ctx, &c.stats.ocsp, OCSP, url, key, func(ctx context.Context) (any, time.Time, *SourceError) {
		st, err := c.fetchOCSP(ctx, url, cert, issuer)
		if err != nil {
			return nil, time.Time{}, err
		}
		return st, c.expiry(st.ThisUpdate, st.NextUpdate), nil
	})
	if serr != nil {
		return nil, serr
	}
	st := *v.(*Status) // a copy: callers may change the fields, not Raw
	return &st, nil
}

// crlStatus returns what the CRL at url says about cert.
func (c *Checker) crlStatus(ctx context.Context, url string, cert, issuer *x509.Certificate) (*Status, *SourceError) {
	crl, err := c.crl(ctx, url, issuer)
	if err != nil {
		return nil, err
	}
	st, err := crl.status(cert)
	if err != nil {
		err.Source, err.URL = CRL, url
		return nil, err
	}
	st.URL = url
	return st, nil
}

// crl returns the checked CRL at url for issuer, from the cache when it can.
func (c *Checker) crl(ctx context.Context, url string, issuer *x509.Certificate) (*checkedCRL, *SourceError) {
	key := "crl\x00" + issuerKey(issuer) + "\x00" + url
	v, serr := c.cached(ctx, &c.stats.crl, CRL, url, key, func(ctx context.Context) (any, time.Time, *SourceError) {
		body, err := c.get(ctx, &c.stats.crl, url, c.maxCRLSize)
		if err != nil {
			return nil, time.Time{}, err
		}
		crl, err := parseCRL(body, issuer, c.verifyOptions(nil))
		if err != nil {
			return nil, time.Time{}, err
		}
		return crl, c.expiry(crl.list.ThisUpdate, crl.list.NextUpdate), nil
	})
	if serr != nil {
		return nil, serr
	}
	return v.(*checkedCRL), nil
}

// cached returns the value under key, or fetches it from url once for all
// concurrent callers and caches it until the expiry fetch returns. The fetch runs with
// the Checker's timeout, detached from the cancellation of the caller who
// started it, so that one caller giving up does not fail the others; each
// caller waits no longer than its own context allows.
func (c *Checker) cached(ctx context.Context, s *kindStats, source Source, url, key string,
	fetch func(context.Context) (any, time.Time, *SourceError)) (any, *SourceError) {
	if v, ok := c.cache.get(key, c.now()); ok {
		s.cacheHits.Add(1)
		return v, nil
	}
	s.cacheMisses.Add(1)
	if c.offline {
		return nil, &SourceError{Source: source, URL: url, Kind: ErrOffline, Err: errors.New("network access is disabled")}
	}
	if err := ctx.Err(); err != nil {
		return nil, &SourceError{Source: source, URL: url, Kind: ErrUnavailable, Err: err}
	}
	ch := c.flight.DoChan(key+"\x00"+url, func() (any, error) {
		// Another caller's fetch may have filled the cache meanwhile.
		if v, ok := c.cache.get(key, c.now()); ok {
			return v, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		v, exp, serr := fetch(fctx)
		if serr != nil {
			s.errors.Add(1)
			return nil, serr
		}
		c.cache.put(key, v, exp, c.now())
		return v, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, asSourceError(r.Err, source, url)
		}
		return r.Val, nil
	case <-ctx.Done():
		return nil, &SourceError{Source: source, URL: url, Kind: ErrUnavailable, Err: ctx.Err()}
	}
}

// expiry returns when an answer with these times stops being reused.
func (c *Checker) expiry(thisUpdate, nextUpdate time.Time) time.Time {
	now := c.now()
	exp := nextUpdate
	if exp.IsZero() {
		if c.noNextUpdateTTL < 0 {
			return now
		}
		exp = now.Add(c.noNextUpdateTTL)
	}
	if c.cacheTTL > 0 && now.Add(c.cacheTTL).Before(exp) {
		exp = now.Add(c.cacheTTL)
	}
	if c.maxAge > 0 && thisUpdate.Add(c.maxAge).Before(exp) {
		exp = thisUpdate.Add(c.maxAge)
	}
	return exp
}

// Stats returns a snapshot of the Checker's counters.
func (c *Checker) Stats() Stats {
	return Stats{OCSP: c.stats.ocsp.snapshot(), CRL: c.stats.crl.snapshot()}
}

// issuerKey identifies an issuer by its name and public key.
func issuerKey(issuer *x509.Certificate) string {
	h := sha256.New()
	h.Write(issuer.RawSubject)
	h.Write(issuer.RawSubjectPublicKeyInfo)
	return string(h.Sum(nil))
}

// httpURLs returns the http and https URLs of urls (LDAP and others are
// skipped).
func httpURLs(urls []string) []string {
	var out []string
	for _, u := range urls {
		l := strings.ToLower(u)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			out = append(out, u)
		}
	}
	return out
}

func noSources(cert *x509.Certificate, what string) error {
	return fmt.Errorf("%w: certificate serial %s (%q) names %s", ErrNoSources, serialString(cert), cert.Subject, what)
}
