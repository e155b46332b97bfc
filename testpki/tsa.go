package testpki

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
)

// TSA is an RFC 3161 time-stamp authority for tests and the development
// mode: it answers TimeStampReq over HTTP POST with tokens signed by its
// identity (from PKI.IssueTSA). Its fields other than the identity may be
// changed between requests to make it misbehave.
type TSA struct {
	id     *Identity
	serial atomic.Int64

	mu sync.Mutex
	// behaviour, guarded by mu
	opts TSAOptions
}

// TSAOptions configure a TSA.
type TSAOptions struct {
	// Policy is the TSA policy OID; 1.3.6.1.4.1.99999.1 by default.
	Policy asn1.ObjectIdentifier
	// Now is the clock for genTime; time.Now by default.
	Now func() time.Time
	// Hash is the digest of the token's signature; SHA-256 by default.
	Hash crypto.Hash

	// Misbehaviour, for tests of clients:
	// Reject answers with status rejection (2).
	Reject bool
	// WrongNonce answers with another nonce.
	WrongNonce bool
	// WrongImprint stamps another digest.
	WrongImprint bool
	// Delay is slept before answering.
	Delay time.Duration
}

// NewTSA returns a TSA signing with id, whose certificate should come from
// PKI.IssueTSA.
func NewTSA(id *Identity, opts TSAOptions) *TSA {
	t := &TSA{id: id}
	t.Set(opts)
	return t
}

// Set replaces the TSA's options.
func (t *TSA) Set(opts TSAOptions) {
	if opts.Policy == nil {
		opts.Policy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Hash == 0 {
		opts.Hash = crypto.SHA256
	}
	t.mu.Lock()
	t.opts = opts
	t.mu.Unlock()
}

// Identity returns the TSA's certificate and key.
func (t *TSA) Identity() *Identity { return t.id }

// ServeHTTP answers a POST of application/timestamp-query.
func (t *TSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an application/timestamp-query", http.StatusMethodNotAllowed)
		return
	}
	req, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t.mu.Lock()
	delay := t.opts.Delay
	t.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	resp, err := t.Respond(r.Context(), req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

type tsReq struct {
	Version        int
	MessageImprint tsImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
	Extensions     asn1.RawValue         `asn1:"optional,tag:0"`
}

type tsImprint struct {
	HashAlgorithm tsAlg
	HashedMessage []byte
}

type tsAlg struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint tsImprint
	SerialNumber   *big.Int
	GenTime        time.Time `asn1:"generalized"`
	Accuracy       tsAccuracy
	Nonce          *big.Int `asn1:"optional"`
}

type tsAccuracy struct {
	Seconds int `asn1:"optional"`
}

type tsStatus struct {
	Status       int
	StatusString []string `asn1:"optional"`
}

type tsResp struct {
	Status tsStatus
	Token  asn1.RawValue `asn1:"optional"`
}

// tsReject is a TimeStampResp without a token.
type tsReject struct {
	Status tsStatus
}

// Respond returns the DER TimeStampResp for a DER TimeStampReq.
func (t *TSA) Respond(ctx context.Context, reqDER []byte) ([]byte, error) {
	t.mu.Lock()
	o := t.opts
	t.mu.Unlock()
	var req tsReq
	if rest, err := asn1.Unmarshal(reqDER, &req); err != nil || len(rest) > 0 {
		return asn1.Marshal(tsReject{Status: tsStatus{Status: 2, StatusString: []string{"bad request"}}})
	}
	if o.Reject {
		return asn1.Marshal(tsReject{Status: tsStatus{Status: 2, StatusString: []string{"rejected for the test"}}})
	}
	imprint := req.MessageImprint
	if o.WrongImprint {
		imprint.HashedMessage = append([]byte(nil), imprint.HashedMessage...)
		imprint.HashedMessage[0] ^= 0xff
	}
	nonce := req.Nonce
	if o.WrongNonce && nonce != nil {
		nonce = new(big.Int).Add(nonce, big.NewInt(1))
	}
	info, err := asn1.Marshal(tstInfo{
		Version:        1,
		Policy:         o.Policy,
		MessageImprint: imprint,
		SerialNumber:   big.NewInt(t.serial.Add(1)),
		GenTime:        o.Now().UTC().Truncate(time.Second),
		Accuracy:       tsAccuracy{Seconds: 1},
		Nonce:          nonce,
	})
	if err != nil {
		return nil, err
	}
	if t.id.Key == nil {
		return nil, errors.New("testpki: the TSA identity has no private key")
	}
	b, err := cms.NewBuilder(t.id.Cert, t.id.Key, cms.BuildOptions{
		Hash:         o.Hash,
		Certificates: t.id.Chain,
		ContentType:  oids.TSTInfo,
		Content:      info,
		Rand:         rand.Reader,
	})
	if err != nil {
		return nil, err
	}
	h := o.Hash.New()
	h.Write(info)
	token, err := b.Build(ctx, h.Sum(nil), nil)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(tsResp{Status: tsStatus{Status: 0}, Token: asn1.RawValue{FullBytes: token}})
}
