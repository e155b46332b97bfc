//go:build cgo

package pkcs11

import (
	"errors"
	"os"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// minReinitInterval limits how often a module is finalized and initialized
// again while a token stays away.
const minReinitInterval = 200 * time.Millisecond

// A module is a loaded PKCS#11 library, shared by every key and management
// call using the same path.
//
// Every call into the library holds mu for reading; initialisation,
// re-initialisation and finalisation hold it for writing, so they never run
// while a call is in flight. gen changes each time the library is
// (re)initialised: sessions and object handles from an older generation are
// dead and must not be used or closed (their handle numbers may be reused).
type module struct {
	path string
	ctx  *pkcs11.Ctx

	mu          sync.RWMutex
	gen         uint64
	initialized bool
	ownInit     bool // we initialised it, so we may finalise it
	lastReinit  time.Time

	refs int // guarded by registry.mu

	tokenLocks sync.Map // token identity → *sync.Mutex, for personal tokens

	// pinHashes maps a token label to an HMAC of the PIN this process
	// logged it in with, under pinKey (random per module).
	pinHashes  sync.Map
	pinKeyOnce sync.Once
	pinKey     []byte
}

var registry struct {
	mu   sync.Mutex
	mods map[string]*module
}

// acquireModule loads and initialises the module at path, or returns the
// already loaded one. Each call must be matched by release.
func acquireModule(path string) (*module, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	m := registry.mods[path]
	if m == nil {
		if path == "" {
			return nil, newError(ErrNotFound, nil, "no module: give module-path in the URI")
		}
		if _, err := os.Stat(path); err != nil {
			return nil, newError(ErrNotFound, nil, "module %q not found", path)
		}
		ctx := pkcs11.New(path)
		if ctx == nil {
			return nil, newError(ErrNotFound, nil, "module %q cannot be loaded (not a PKCS#11 library?)", path)
		}
		m = &module{path: path, ctx: ctx}
		if registry.mods == nil {
			registry.mods = map[string]*module{}
		}
		registry.mods[path] = m
	}
	if !m.initialized {
		m.mu.Lock()
		err := m.ctx.Initialize()
		m.ownInit = err == nil
		if err != nil && !isCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
			m.mu.Unlock()
			return nil, newError(nil, rvErr(err), "module %q: C_Initialize failed", path)
		}
		m.initialized = true
		m.gen++
		m.mu.Unlock()
	}
	m.refs++
	return m, nil
}

// release drops a reference; the last one finalises the module (the
// library stays loaded, so it can be initialised again cheaply).
func (m *module) release() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	m.mu.Lock()
	if m.initialized && m.ownInit {
		m.ctx.Finalize()
		m.initialized = false
		m.gen++
	}
	m.mu.Unlock()
}

var errReinitTooSoon = errors.New("module was re-initialised moments ago")

// reinit finalises and initialises the module again so that it scans its
// tokens anew, unless that already happened since generation seen. It waits
// for all calls in flight to finish first.
func (m *module) reinit(seen uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != seen {
		return nil // someone else did it
	}
	if time.Since(m.lastReinit) < minReinitInterval {
		return errReinitTooSoon
	}
	m.lastReinit = time.Now()
	m.ctx.Finalize()
	m.gen++
	if err := m.ctx.Initialize(); err != nil && !isCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		m.initialized = false
		return rvErr(err)
	}
	m.initialized = true
	return nil
}

// tokenLock returns the mutex that serialises personal-key calls on the
// token with the given identity.
func (m *module) tokenLock(id string) *sync.Mutex {
	v, _ := m.tokenLocks.LoadOrStore(id, new(sync.Mutex))
	return v.(*sync.Mutex)
}
