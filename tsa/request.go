package tsa

import (
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/segel-id/segel/internal/cms"
)

// request is an RFC 3161 TimeStampReq.
type request struct {
	Version        int
	MessageImprint messageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
}

type messageImprint struct {
	HashAlgorithm algorithmIdentifier
	HashedMessage []byte
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

// newRequest returns a DER TimeStampReq for digest (made with h), with a
// fresh 64-bit random nonce and certReq set.
func newRequest(digest []byte, h crypto.Hash, policy asn1.ObjectIdentifier) ([]byte, *big.Int, error) {
	oid, err := cms.OIDForHash(h)
	if err != nil {
		return nil, nil, err
	}
	if len(digest) != h.Size() {
		return nil, nil, fmt.Errorf("tsa: digest of %d bytes for %v", len(digest), h)
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, err
	}
	req := request{
		Version: 1,
		MessageImprint: messageImprint{
			HashAlgorithm: algorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
			HashedMessage: digest,
		},
		ReqPolicy: policy,
		Nonce:     nonce,
		CertReq:   true,
	}
	der, err := asn1.Marshal(req)
	return der, nonce, err
}

// response is an RFC 3161 TimeStampResp.
type response struct {
	Status         pkiStatusInfo
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

type pkiStatusInfo struct {
	Status       int
	StatusString []string       `asn1:"optional,utf8"`
	FailInfo     asn1.BitString `asn1:"optional"`
}

// failInfoNames names the PKIFailureInfo bits.
var failInfoNames = map[int]string{
	0: "badAlg", 2: "badRequest", 5: "badDataFormat", 14: "timeNotAvailable",
	15: "unacceptedPolicy", 16: "unacceptedExtension", 17: "addInfoNotAvailable", 25: "systemFailure",
}
