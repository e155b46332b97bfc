package cms

import (
	"crypto"
	_ "crypto/sha1" // registers SHA-1 for crypto.Hash.New
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// HashForOID returns the hash function of a digest algorithm OID. It returns
// an error wrapping ErrUnsupportedAlgorithm for unknown OIDs.
func HashForOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	if h, ok := oids.Hash(oid); ok {
		return h, nil
	}
	return 0, unsupported("digest algorithm %v", oid)
}

// OIDForHash returns the digest algorithm OID of a hash function. It returns
// an error wrapping ErrUnsupportedAlgorithm for hashes without one here.
func OIDForHash(h crypto.Hash) (asn1.ObjectIdentifier, error) {
	if oid := oids.ForHash(h); oid != nil {
		return oid, nil
	}
	return nil, unsupported("hash %v", h)
}

// rsaPKCS1OIDs maps shaXWithRSAEncryption OIDs to their hash.
var rsaPKCS1OIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{oids.SHA1WithRSA, crypto.SHA1},
	{oids.SHA224WithRSA, crypto.SHA224},
	{oids.SHA256WithRSA, crypto.SHA256},
	{oids.SHA384WithRSA, crypto.SHA384},
	{oids.SHA512WithRSA, crypto.SHA512},
}

// ecdsaOIDs maps ecdsa-with-X OIDs to their hash.
var ecdsaOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{oids.ECDSAWithSHA1, crypto.SHA1},
	{oids.ECDSAWithSHA224, crypto.SHA224},
	{oids.ECDSAWithSHA256, crypto.SHA256},
	{oids.ECDSAWithSHA384, crypto.SHA384},
	{oids.ECDSAWithSHA512, crypto.SHA512},
}

func ecdsaOIDForHash(h crypto.Hash) asn1.ObjectIdentifier {
	for _, e := range ecdsaOIDs {
		if e.hash == h {
			return e.oid
		}
	}
	return nil
}
