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
	h := sha256.Sum256([]byte(key))
	return h[:]
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
		c, err := s.client(r.Context(), KeyHash(key))
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
		ci, _ := r.Context().Value(keyClient).(*clientInfo)
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

// client finds the client of an API key hash, from the cache when it was
// found less than Options.KeyCache ago. Unknown keys are not cached, so guessing
// cannot fill the cache.
func (s *Server) client(ctx context.Context, hash []byte) (*store.Client, error) {
	k := string(hash)
	if v, ok := s.clients.Load(k); ok {
		if cc := v.(cachedClient); time.Since(cc.at) < s.opts.KeyCache {
			return cc.c, nil
		}
		s.clients.Delete(k)
	}
	c, err := s.opts.Store.ClientByKeyHash(ctx, hash)
	if err == nil {
		s.clients.Store(k, cachedClient{c: c, at: time.Now()})
	}
	return c, err
}

func clientOf(r *http.Request) *clientInfo {
	c, _ := r.Context().Value(keyClient).(*clientInfo)
	return c
}
