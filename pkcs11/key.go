//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/miekg/pkcs11"
)

// Signing modes of a key.
const (
	modeNormal   = iota // token PIN stored; login once per token
	modeContext         // CKA_ALWAYS_AUTHENTICATE: context-specific login per signature
	modeTokenPIN        // the passphrase is the token's user PIN: login, sign, logout
)

// keyState is where the key lives now. It changes when the token is found
// again after a loss.
type keyState struct {
	slot      uint
	gen       uint64 // module generation
	epoch     uint64 // bumped at each refresh
	handle    pkcs11.ObjectHandle
	hasHandle bool
}

// A Key is a private key on a PKCS#11 token, opened with [Open]. It is safe
// for concurrent use. It implements [crypto.Signer].
type Key struct {
	m     *module
	uri   *URI
	opts  Options
	pin   []byte // token PIN; nil for modeTokenPIN
	mode  int
	ident tokenIdentity

	id    []byte // CKA_ID of the private key
	label string // CKA_LABEL of the private key
	pub   crypto.PublicKey
	cert  *x509.Certificate
	chain []*x509.Certificate

	pool      *pool
	tokenLock *sync.Mutex // modeTokenPIN: serialises login-sign-logout

	closeMu sync.RWMutex // held for reading by calls, for writing by Close
	closed  bool

	mu         sync.Mutex // guards st, broken, needReinit
	st         keyState
	broken     bool
	needReinit bool

	signatures atomic.Uint64
	recoveries atomic.Uint64
	errs       [7]atomic.Uint64 // indexed like errorKinds
}

// Open opens the private key named by the RFC 7512 URI uri. The URI names
// the module (module-path, or opts.ModulePath), the token (token, serial,
// slot-id, …), the key (object and/or id) and usually the PIN (pin-value or
// pin-source). Without a PIN, or with opts.Personal, the key is a personal
// key: see [Key.SignWithPassphrase].
//
// Open fails with an error matching [ErrNotFound] when the module, token or
// key does not exist, [ErrPINIncorrect] for a wrong PIN and
// [ErrNoCertificate] when the key has no certificate and
// opts.AllowMissingCertificate is false. Call Close when done.
func Open(ctx context.Context, uri string, opts *Options) (*Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := opts.orZero()
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Type != "" && u.Type != "private" {
		return nil, newError(nil, nil, "URI names a %s object, not a private key", u.Type)
	}
	if u.Object == "" && len(u.ID) == 0 {
		return nil, newError(nil, nil, "URI names no key: give object= or id=")
	}
	path := u.ModulePath
	if path == "" {
		path = o.ModulePath
	}
	m, err := acquireModule(path)
	if err != nil {
		return nil, err
	}
	k := &Key{m: m, uri: u, opts: o, ident: identityOf(u)}
	if !o.Personal {
		if k.pin, err = u.PIN(); err != nil {
			m.release()
			return nil, err
		}
	}
	if err := k.open(); err != nil {
		clear(k.pin)
		m.release()
		return nil, err
	}
	return k, nil
}

// open finds the token, the key and its certificates.
func (k *Key) open() error {
	m, u := k.m, k.uri
	m.mu.RLock()
	slots, infos, err := findSlots(m.ctx, k.ident, u)
	if err == nil && len(slots) == 0 {
		// The token may have been created after the module was
		// initialised; SoftHSM only sees it after C_Initialize.
		gen := m.gen
		m.mu.RUnlock()
		m.reinit(gen)
		m.mu.RLock()
		slots, infos, err = findSlots(m.ctx, k.ident, u)
	}
	defer m.mu.RUnlock()
	switch {
	case err != nil:
		return newError(ErrTokenUnavailable, rvErr(err), "module %q: cannot list slots", m.path)
	case len(slots) == 0:
		return newError(ErrNotFound, nil, "token %s not found in module %q", u.tokenDesc(), m.path)
	case len(slots) > 1:
		return newError(ErrNotFound, nil, "%d tokens match %s; add serial= to the URI", len(slots), u.tokenDesc())
	}
	ti := infos[0]
	k.ident.label = strings.TrimRight(ti.Label, " ")
	k.ident.slotID = nil // slot ids change; find the token again by label (and serial if given)
	k.st = keyState{slot: slots[0], gen: m.gen, epoch: 1}
	k.mode = modeNormal
	if k.pin == nil {
		k.mode = modeTokenPIN
		k.tokenLock = m.tokenLock(k.ident.String())
	}

	size := k.opts.PoolSize
	if size <= 0 {
		size = max(4, 2*runtime.GOMAXPROCS(0))
		if n := ti.MaxSessionCount; n != pkcs11.CK_EFFECTIVELY_INFINITE && n != pkcs11.CK_UNAVAILABLE_INFORMATION && int(n) < size {
			size = int(n)
		}
	}
	k.pool = newPool(size)
	k.pool.sem <- struct{}{}
	s, err := k.newSession(k.st)
	if err != nil {
		return err
	}
	if err := k.findKey(s); err != nil {
		k.discard(s, true)
		return err
	}
	k.putSession(s) // keeps the login alive
	return nil
}

// findKey finds the private key (or, without login, its public half or
// certificate), its public key, certificate and chain.
func (k *Key) findKey(s *session) error {
	c, u := k.m.ctx, k.uri
	var obj pkcs11.ObjectHandle
	class := uint(pkcs11.CKO_PRIVATE_KEY)
	if k.mode == modeTokenPIN {
		class = pkcs11.CKO_PUBLIC_KEY // private objects are hidden before login
	}
	hs, err := findObjects(c, s.h, objectTemplate(class, u.ID, u.Object))
	if err != nil {
		return newError(ErrTokenUnavailable, rvErr(err), "find key %s", u.keyDesc())
	}
	var certs []*x509.Certificate
	switch {
	case len(hs) > 1:
		return newError(ErrNotFound, nil, "%d keys match %s on token %q; add id= to the URI", len(hs), u.keyDesc(), k.ident.label)
	case len(hs) == 1:
		obj = hs[0]
	case k.mode == modeTokenPIN:
		// No public key object: a certificate may name the key.
		certs, _, err = certificates(c, s.h, u.ID, u.Object)
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "find certificate")
		}
		if len(certs) != 1 {
			return newError(ErrNotFound, nil, "key %s not found on token %q (a personal key needs its public key or certificate on the token)", u.keyDesc(), k.ident.label)
		}
	default:
		return newError(ErrNotFound, nil, "key %s not found on token %q", u.keyDesc(), k.ident.label)
	}
	if len(hs) == 1 {
		a, err := attrs(c, s.h, obj, pkcs11.CKA_ID, pkcs11.CKA_LABEL, pkcs11.CKA_ALWAYS_AUTHENTICATE, pkcs11.CKA_SIGN)
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "read key attributes")
		}
		if s, ok := a[pkcs11.CKA_SIGN]; ok && !boolAttr(s) {
			return newError(ErrUnsupported, nil, "key %s on token %q may not sign (CKA_SIGN is false)", u.keyDesc(), k.ident.label)
		}
		k.id, k.label = a[pkcs11.CKA_ID], string(a[pkcs11.CKA_LABEL])
		if k.mode == modeNormal && boolAttr(a[pkcs11.CKA_ALWAYS_AUTHENTICATE]) {
			k.mode = modeContext
		}
		pub, ok, err := publicKey(c, s.h, obj)
		if err != nil {
			return err
		}
		if ok {
			k.pub = pub
		} else if pub, err := k.publicObject(s); err != nil {
			return err
		} else {
			k.pub = pub
		}
	} else {
		k.id, k.label = certIDLabel(c, s.h, u)
	}

	// The certificate: CKA_ID links a key to its own certificate.
	if len(k.id) > 0 || k.label != "" {
		id, label := k.id, ""
		if len(id) == 0 {
			label = k.label
		}
		certs, _, err = certificates(c, s.h, id, label)
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "find certificate")
		}
	}
	for _, cert := range certs {
		if k.pub == nil || samePublicKey(cert.PublicKey, k.pub) {
			k.cert = cert
			break
		}
	}
	if k.pub == nil && k.cert != nil {
		k.pub = k.cert.PublicKey
	}
	if k.pub == nil {
		return newError(ErrNotFound, nil, "public key of key %s not found on token %q (no public key object or certificate)", u.keyDesc(), k.ident.label)
	}
	if err := checkKeyType(k.pub); err != nil {
		return err
	}
	if k.cert == nil {
		if !k.opts.AllowMissingCertificate {
			return newError(ErrNoCertificate, nil, "certificate of key %s not found on token %q", u.keyDesc(), k.ident.label)
		}
		return nil
	}
	all, _, err := certificates(c, s.h, nil, "")
	if err != nil {
		return newError(ErrTokenUnavailable, rvErr(err), "list certificates")
	}
	k.chain = buildChain(k.cert, all)
	return nil
}

// certIDLabel returns the id and label of the certificate or public key
// the URI names (personal keys, before login).
func certIDLabel(c *pkcs11.Ctx, s pkcs11.SessionHandle, u *URI) ([]byte, string) {
	hs, err := findObjects(c, s, objectTemplate(pkcs11.CKO_CERTIFICATE, u.ID, u.Object))
	if err != nil || len(hs) != 1 {
		return u.ID, u.Object
	}
	a, err := attrs(c, s, hs[0], pkcs11.CKA_ID, pkcs11.CKA_LABEL)
	if err != nil {
		return u.ID, u.Object
	}
	return a[pkcs11.CKA_ID], string(a[pkcs11.CKA_LABEL])
}

// publicObject reads the public key from the public key object with the
// key's id, if there is one.
func (k *Key) publicObject(s *session) (crypto.PublicKey, error) {
	if len(k.id) == 0 {
		return nil, nil
	}
	hs, err := findObjects(k.m.ctx, s.h, objectTemplate(pkcs11.CKO_PUBLIC_KEY, k.id, ""))
	if err != nil {
		return nil, newError(ErrTokenUnavailable, rvErr(err), "find public key")
	}
	if len(hs) != 1 {
		return nil, nil
	}
	pub, ok, err := publicKey(k.m.ctx, s.h, hs[0])
	if err != nil || !ok {
		return nil, err
	}
	return pub, nil
}

func checkKeyType(pub crypto.PublicKey) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if p.Curve == elliptic.P256() || p.Curve == elliptic.P384() {
			return nil
		}
		return newError(ErrUnsupported, nil, "unsupported key type: EC curve %s (P-256 and P-384 only)", p.Curve.Params().Name)
	}
	return newError(ErrUnsupported, nil, "unsupported key type %T (RSA and ECDSA only)", pub)
}

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Certificate returns the key's certificate (the certificate object with
// the key's CKA_ID), or nil when it has none.
func (k *Key) Certificate() *x509.Certificate { return k.cert }

// CertificateOrErr returns the key's certificate, or an error matching
// [ErrNoCertificate] when it has none.
func (k *Key) CertificateOrErr() (*x509.Certificate, error) {
	if k.cert == nil {
		return nil, newError(ErrNoCertificate, nil, "key %s on token %q has no certificate", k.uri.keyDesc(), k.ident.label)
	}
	return k.cert, nil
}

// Chain returns the key's certificate followed by its issuers found on the
// token by subject and issuer name: signer → intermediate → … → root, as far
// as the token holds them. It returns nil when the key has no certificate.
func (k *Key) Chain() []*x509.Certificate {
	return append([]*x509.Certificate(nil), k.chain...)
}

// ID returns the key's CKA_ID.
func (k *Key) ID() []byte { return append([]byte(nil), k.id...) }

// Label returns the key's CKA_LABEL.
func (k *Key) Label() string { return k.label }

// Personal reports whether the key must sign with SignWithPassphrase.
func (k *Key) Personal() bool { return k.mode != modeNormal }

// URI returns the key's URI with the PIN redacted.
func (k *Key) URI() string { return k.uri.String() }

// Healthy checks cheaply that the token is present and a session works,
// finding the token again if it was lost. It returns nil when the key can
// sign (for personal keys: when the token is there).
func (k *Key) Healthy(ctx context.Context) error {
	return k.do(ctx, func(s *session, st keyState) error {
		if _, err := k.m.ctx.GetTokenInfo(st.slot); err != nil {
			return err
		}
		_, err := k.m.ctx.GetSessionInfo(s.h)
		return err
	})
}

// Stats returns the key's counters.
func (k *Key) Stats() Stats {
	st := Stats{
		Signatures: k.signatures.Load(),
		Errors:     map[string]uint64{},
		PoolWaits:  k.pool.waits.Load(),
		Recoveries: k.recoveries.Load(),
		Sessions:   int(k.pool.open.Load()),
		PoolSize:   cap(k.pool.sem),
	}
	for i, name := range errorKinds {
		if n := k.errs[i].Load(); n > 0 {
			st.Errors[name] = n
		}
	}
	return st
}

func (k *Key) countError(err error) {
	kind := kindOf(err)
	for i, name := range errorKinds {
		if name == kind {
			k.errs[i].Add(1)
		}
	}
}

// Close closes the key's sessions and releases the module. Calls in flight
// finish first; later calls fail with [ErrClosed].
func (k *Key) Close() error {
	k.closeMu.Lock()
	defer k.closeMu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	k.m.mu.RLock()
	k.drain()
	k.m.mu.RUnlock()
	clear(k.pin)
	k.m.release()
	return nil
}

// do runs fn on a session of the key, finding the token again and retrying
// once when the token was lost. Errors from a lost token match
// ErrTokenUnavailable.
func (k *Key) do(ctx context.Context, fn func(s *session, st keyState) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		var gen uint64
		gen, err = k.tryOnce(ctx, fn)
		if err == nil || !isLoss(err) {
			return err
		}
		if ctx.Err() != nil || !k.recover(gen) {
			break
		}
	}
	if !errors.Is(err, ErrTokenUnavailable) {
		err = newError(ErrTokenUnavailable, rvErr(err), "token %q", k.ident.label)
	}
	return err
}

// tryOnce runs fn once on a pooled session.
func (k *Key) tryOnce(ctx context.Context, fn func(s *session, st keyState) error) (uint64, error) {
	k.closeMu.RLock()
	defer k.closeMu.RUnlock()
	if k.closed {
		return 0, ErrClosed
	}
	m := k.m
	m.mu.RLock()
	defer m.mu.RUnlock()
	gen := m.gen
	if !m.initialized {
		k.setNeedReinit()
		return gen, newError(ErrTokenUnavailable, nil, "module %q is not initialised", m.path)
	}
	st, err := k.state(gen)
	if err != nil {
		return gen, err
	}
	s, err := k.getSession(ctx, st)
	if err != nil {
		if isLoss(err) {
			k.markBroken(st.epoch)
		}
		return gen, err
	}
	if err := fn(s, st); err != nil {
		if isLoss(err) {
			k.markBroken(st.epoch)
		}
		k.discard(s, !sessionGone(err))
		return gen, err
	}
	k.putSession(s)
	return gen, nil
}

// state returns the key's state for module generation gen, finding the
// token again when the state is stale. The caller holds the module's read
// lock.
func (k *Key) state(gen uint64) (keyState, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.st.gen == gen && !k.broken {
		return k.st, nil
	}
	slots, _, err := findSlots(k.m.ctx, k.ident, nil)
	if err != nil {
		k.needReinit = true
		return keyState{}, newError(ErrTokenUnavailable, rvErr(err), "module %q: cannot list slots", k.m.path)
	}
	if len(slots) != 1 {
		k.needReinit = true
		return keyState{}, newError(ErrTokenUnavailable, nil, "token %q not present", k.ident.label)
	}
	k.st = keyState{slot: slots[0], gen: gen, epoch: k.st.epoch + 1}
	k.broken = false
	k.recoveries.Add(1)
	return k.st, nil
}

// keyHandle returns the private key's handle in session s, finding it
// after a refresh and checking it is still the key that was opened.
func (k *Key) keyHandle(s *session) (pkcs11.ObjectHandle, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.st.epoch != s.epoch || k.st.gen != s.gen {
		return 0, newError(ErrTokenUnavailable, nil, "token %q changed", k.ident.label)
	}
	if k.st.hasHandle {
		return k.st.handle, nil
	}
	h, err := k.findPrivate(s)
	if err != nil {
		if errors.Is(err, ErrTokenUnavailable) {
			k.needReinit = true
		}
		return 0, err
	}
	k.st.handle, k.st.hasHandle = h, true
	return h, nil
}

// findPrivate finds the private key by its id and label, and checks that
// its public key is the one the key was opened with, so that a key
// replaced on a re-created token never signs in its place. The caller
// holds k.mu or the token lock.
func (k *Key) findPrivate(s *session) (pkcs11.ObjectHandle, error) {
	c := k.m.ctx
	hs, err := findObjects(c, s.h, objectTemplate(pkcs11.CKO_PRIVATE_KEY, k.id, k.label))
	if err != nil {
		return 0, err
	}
	if len(hs) != 1 {
		return 0, newError(ErrTokenUnavailable, nil, "key %s not on token %q", k.uri.keyDesc(), k.ident.label)
	}
	if a, err := attrs(c, s.h, hs[0], pkcs11.CKA_SIGN); err != nil {
		return 0, err
	} else if v, ok := a[pkcs11.CKA_SIGN]; ok && !boolAttr(v) {
		// Only seen while the token is being re-created: Open refuses keys
		// that may not sign.
		return 0, newError(ErrTokenUnavailable, nil, "key %s on token %q may not sign yet", k.uri.keyDesc(), k.ident.label)
	}
	pub, ok, err := publicKey(c, s.h, hs[0])
	if err != nil {
		return 0, err
	}
	if !ok {
		pub, err = k.publicObject(s)
		if err != nil {
			return 0, err
		}
	}
	if pub != nil && !samePublicKey(pub, k.pub) {
		return 0, newError(ErrTokenUnavailable, nil, "key %s on token %q is not the key that was opened", k.uri.keyDesc(), k.ident.label)
	}
	return hs[0], nil
}

func (k *Key) markBroken(epoch uint64) {
	k.mu.Lock()
	if k.st.epoch == epoch {
		k.broken = true
	}
	k.mu.Unlock()
}

func (k *Key) setNeedReinit() {
	k.mu.Lock()
	k.needReinit = true
	k.mu.Unlock()
}

// recover prepares a retry after a loss seen in generation gen. It reports
// whether a retry may succeed.
func (k *Key) recover(gen uint64) bool {
	m := k.m
	k.mu.Lock()
	k.broken = true
	reinit := k.needReinit
	k.needReinit = false
	k.mu.Unlock()

	m.mu.RLock()
	if m.gen != gen {
		m.mu.RUnlock()
		return true // the module was re-initialised meanwhile
	}
	if !reinit {
		slots, _, err := findSlots(m.ctx, k.ident, nil)
		if err == nil && len(slots) == 1 {
			m.mu.RUnlock()
			return true // the token is there: a fresh session will do
		}
	}
	m.mu.RUnlock()
	if err := m.reinit(gen); err != nil {
		return false
	}
	k.recoveries.Add(1)
	return true
}

// openSession opens a session on st's slot and, for keys with a stored
// PIN, makes sure the token is logged in. The caller holds the module's
// read lock.
func (k *Key) openSession(st keyState) (*session, error) {
	c := k.m.ctx
	h, err := c.OpenSession(st.slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, rvErr(err)
	}
	if k.mode != modeTokenPIN && k.pin != nil {
		if err := k.m.ensureLogin(h, k.pin, k.ident.label); err != nil {
			c.CloseSession(h)
			return nil, err
		}
	}
	return &session{h: h, gen: st.gen, epoch: st.epoch}, nil
}

// ensureLogin logs the token in as user unless it already is (login state
// is per token, shared by all sessions). When this process logged the
// token in before, the PIN must be the one used then: PKCS#11 would
// otherwise accept any PIN for a token another key already opened.
func (m *module) ensureLogin(h pkcs11.SessionHandle, pin []byte, token string) error {
	c := m.ctx
	info, err := c.GetSessionInfo(h)
	if err != nil {
		return rvErr(err)
	}
	if info.State == pkcs11.CKS_RO_USER_FUNCTIONS || info.State == pkcs11.CKS_RW_USER_FUNCTIONS {
		return m.samePIN(pin, token)
	}
	err = c.Login(h, pkcs11.CKU_USER, string(pin))
	if err == nil {
		m.rememberPIN(pin, token)
		return nil
	}
	if isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		return m.samePIN(pin, token)
	}
	return loginError(err, false, token)
}

// rememberPIN keeps a keyed hash (never the PIN) of the PIN that logged
// token in.
func (m *module) rememberPIN(pin []byte, token string) {
	m.pinHashes.Store(token, m.pinHash(pin))
}

// samePIN checks pin against the one that logged token in, when this
// process did.
func (m *module) samePIN(pin []byte, token string) error {
	v, ok := m.pinHashes.Load(token)
	if !ok {
		return nil
	}
	if !hmac.Equal(v.([]byte), m.pinHash(pin)) {
		return newError(ErrPINIncorrect, nil, "login to token %q: the token is logged in with another PIN", token)
	}
	return nil
}

func (m *module) pinHash(pin []byte) []byte {
	m.pinKeyOnce.Do(func() {
		m.pinKey = make([]byte, 32)
		rand.Read(m.pinKey)
	})
	mac := hmac.New(sha256.New, m.pinKey)
	mac.Write(pin)
	return mac.Sum(nil)
}
