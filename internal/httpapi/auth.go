package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// NewAPIKey returns a new API key ("sgl_" and 32 random bytes, base64url)
// and the hash under which the store keeps it. The key itself is shown
// once and never stored.
func NewAPIKey() (key string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	key = "sgl_" + base64.RawURLEncoding.EncodeToString(b[:])
	return key, KeyHash(key)
}

// KeyHash returns the hash of an API key as the store keeps it.
func KeyHash(key string) []byte {
	h := keyHash(key)
	return h[:]
}

// keyHash is KeyHash as an array, without an allocation for a key of
// the usual length: the key cache's index.
func keyHash(key string) [sha256.Size]byte {
	var buf [128]byte
	return sha256.Sum256(append(buf[:0], key...))
}

// clientInfo is the authenticated client of a request.
type clientInfo struct {
	name       string
	profiles   []string
	operations []string
}

func (c *clientInfo) may(op string) bool { return op == "" || slices.Contains(c.operations, op) }

// OperatorScope is the operation that lets a client read every document's
// register record (GET /v1/documents/{id}), not only those it signed.
const OperatorScope = "operator"

func (c *clientInfo) mayUse(profile string) bool { return slices.Contains(c.profiles, profile) }

// authorized authenticates the request's bearer key and checks that the
// client may perform op.
func (s *Server) authorized(op string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 9110, 11.1): "bearer" and
		// "BEARER" are Bearer.
		scheme, key, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		key = strings.TrimSpace(key)
		if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="segel"`)
			writeProblem(w, r, newProblem("unauthorized", "send Authorization: Bearer <API key>"))
			return
		}
		c, err := s.client(r.Context(), keyHash(key))
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="segel", error="invalid_token"`)
			writeProblem(w, r, newProblem("unauthorized", "the API key is not known"))
			return
		}
		if err != nil {
			s.opts.Logger.Error("store", "request_id", requestID(r.Context()), "error", err)
			writeProblem(w, r, newProblem("internal", ""))
			return
		}
		ci := clientOf(r)
		if ci == nil {
			ci = &clientInfo{}
		}
		ci.name, ci.profiles, ci.operations = c.Name, c.Profiles, c.Operations
		if !ci.may(op) {
			writeProblem(w, r, newProblem("operation-forbidden", "client "+c.Name+" may not "+op))
			return
		}
		next(w, r)
	}
}

// DefaultKeyCache is how long a known API key is remembered unless
// Options.KeyCache says otherwise: a store query per request costs more
// than a signature's PDF work, and a disabled, removed or re-keyed
// client's old key is refused at most this long after the change.
const DefaultKeyCache = 10 * time.Second

type cachedClient struct {
	c  *store.Client
	at time.Time
}

// keyCache remembers the clients of known API keys, by the key's hash
// (Options.KeyCache). An array index: no string made of the hash per
// request, as a sync.Map's key needed.
type keyCache struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]cachedClient
}

// client finds the client of an API key hash, from the cache when it was
// found less than Options.KeyCache ago. Unknown keys are not cached, so guessing
// cannot fill the cache.
func (s *Server) client(ctx context.Context, hash [sha256.Size]byte) (*store.Client, error) {
	kc := &s.clients
	kc.mu.RLock()
	cc, ok := kc.m[hash]
	kc.mu.RUnlock()
	if ok {
		if time.Since(cc.at) < s.opts.KeyCache {
			return cc.c, nil
		}
		kc.mu.Lock()
		if kc.m[hash] == cc {
			delete(kc.m, hash)
		}
		kc.mu.Unlock()
	}
	// A copy for the store (its slice escapes): hash itself stays on the
	// caller's stack for the hits.
	miss := hash
	c, err := s.opts.Store.ClientByKeyHash(ctx, miss[:])
	if err == nil {
		kc.mu.Lock()
		if kc.m == nil {
			kc.m = map[[sha256.Size]byte]cachedClient{}
		}
		kc.m[hash] = cachedClient{c: c, at: time.Now()}
		kc.mu.Unlock()
	}
	return c, err
}

// clientOf returns the client of r, nil outside the middleware when no
// handler has put one in its context.
func clientOf(r *http.Request) *clientInfo {
	if st := stateOf(r.Context()); st != nil {
		return &st.client
	}
	c, _ := r.Context().Value(keyClient).(*clientInfo)
	return c
}
