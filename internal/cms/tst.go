package cms

import (
	"crypto"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// MessageImprint is the hashed message of an RFC 3161 timestamp.
type MessageImprint struct {
	// HashAlgorithm is the hash algorithm identifier as encoded.
	HashAlgorithm AlgorithmIdentifier
	// Hash is the hash function, 0 when the OID is unknown.
	Hash crypto.Hash
	// HashedMessage is the hash of the timestamped data.
	HashedMessage []byte
}

// Accuracy is the accuracy of a timestamp's genTime.
type Accuracy struct {
	// Seconds, Millis and Micros add up to the accuracy.
	Seconds, Millis, Micros int
}

// Duration returns the accuracy as a duration.
func (a Accuracy) Duration() time.Duration {
	return time.Duration(a.Seconds)*time.Second + time.Duration(a.Millis)*time.Millisecond +
		time.Duration(a.Micros)*time.Microsecond
}

// TSTInfo is a parsed RFC 3161 TSTInfo.
type TSTInfo struct {
	// Raw is the DER TSTInfo.
	Raw []byte
	// Version is 1.
	Version int
	// Policy is the TSA policy.
	Policy asn1.ObjectIdentifier
	// MessageImprint is the timestamped hash.
	MessageImprint MessageImprint
	// SerialNumber is the token's serial number.
	SerialNumber *big.Int
	// GenTime is the time of the timestamp, in UTC, with its fraction.
	GenTime time.Time
	// Accuracy is nil when absent.
	Accuracy *Accuracy
	// Ordering is the ordering flag.
	Ordering bool
	// Nonce is nil when absent.
	Nonce *big.Int
	// TSA is the DER of the TSA's GeneralName, nil when absent.
	TSA []byte
	// Extensions is the raw DER of the [1] extensions, nil when absent.
	Extensions []byte
}

// maxGenTimeFraction is the longest fraction of a second accepted in
// genTime (nanoseconds).
const maxGenTimeFraction = 9

// ParseTSTInfo parses the eContent of an RFC 3161 timestamp token.
func ParseTSTInfo(eContent []byte) (*TSTInfo, error) {
	in := cryptobyte.String(eContent)
	var seq cryptobyte.String
	t := &TSTInfo{SerialNumber: new(big.Int)}
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, malformed("tstInfo")
	}
	t.Raw = eContent
	if !seq.ReadASN1Integer(&t.Version) {
		return nil, malformed("tstInfo.version")
	}
	if t.Version != 1 {
		return nil, malformed("tstInfo.version %d", t.Version)
	}
	if !seq.ReadASN1ObjectIdentifier(&t.Policy) {
		return nil, malformed("tstInfo.policy")
	}
	var mi, hm cryptobyte.String
	if !seq.ReadASN1(&mi, cbasn1.SEQUENCE) {
		return nil, malformed("tstInfo.messageImprint")
	}
	var err error
	if t.MessageImprint.HashAlgorithm, err = readAlgorithm(&mi); err != nil {
		return nil, malformed("tstInfo.messageImprint.hashAlgorithm")
	}
	t.MessageImprint.Hash, _ = HashForOID(t.MessageImprint.HashAlgorithm.Algorithm)
	if !mi.ReadASN1(&hm, cbasn1.OCTET_STRING) || !mi.Empty() {
		return nil, malformed("tstInfo.messageImprint.hashedMessage")
	}
	t.MessageImprint.HashedMessage = []byte(hm)
	if !seq.ReadASN1Integer(t.SerialNumber) {
		return nil, malformed("tstInfo.serialNumber")
	}
	var gt cryptobyte.String
	if !seq.ReadASN1(&gt, cbasn1.GeneralizedTime) {
		return nil, malformed("tstInfo.genTime")
	}
	if t.GenTime, err = parseGeneralizedTime(gt); err != nil {
		return nil, err
	}
	if seq.PeekASN1Tag(cbasn1.SEQUENCE) {
		var acc cryptobyte.String
		if !seq.ReadASN1(&acc, cbasn1.SEQUENCE) {
			return nil, malformed("tstInfo.accuracy")
		}
		var v [3]int64
		for i, tag := range []cbasn1.Tag{cbasn1.INTEGER, tagCtx0Prim, tagCtx1Prim} {
			if acc.PeekASN1Tag(tag) && !acc.ReadASN1Int64WithTag(&v[i], tag) {
				return nil, malformed("tstInfo.accuracy")
			}
		}
		if !acc.Empty() || v[0] < 0 || v[0] > 1<<30 || v[1] < 0 || v[1] > 999 || v[2] < 0 || v[2] > 999 {
			return nil, malformed("tstInfo.accuracy")
		}
		t.Accuracy = &Accuracy{Seconds: int(v[0]), Millis: int(v[1]), Micros: int(v[2])}
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) && !seq.ReadASN1Boolean(&t.Ordering) {
		return nil, malformed("tstInfo.ordering")
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		t.Nonce = new(big.Int)
		if !seq.ReadASN1Integer(t.Nonce) {
			return nil, malformed("tstInfo.nonce")
		}
	}
	if seq.PeekASN1Tag(tagCtx0) {
		var tsa, gn cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadASN1(&tsa, tagCtx0) || !tsa.ReadAnyASN1Element(&gn, &tag) || !tsa.Empty() {
			return nil, malformed("tstInfo.tsa")
		}
		t.TSA = []byte(gn)
	}
	if seq.PeekASN1Tag(tagCtx1) {
		var ext cryptobyte.String
		if !seq.ReadASN1Element(&ext, tagCtx1) {
			return nil, malformed("tstInfo.extensions")
		}
		t.Extensions = []byte(ext)
	}
	if !seq.Empty() {
		return nil, malformed("tstInfo: trailing data")
	}
	return t, nil
}

// TSTInfo parses the eContent of a timestamp token; the eContentType must be
// id-ct-TSTInfo.
func (sd *SignedData) TSTInfo() (*TSTInfo, error) {
	if !sd.EContentType.Equal(oids.TSTInfo) {
		return nil, malformed("eContentType %v is not id-ct-TSTInfo", sd.EContentType)
	}
	if !sd.HasEContent {
		return nil, malformed("timestamp token without eContent")
	}
	return ParseTSTInfo(sd.EContent)
}

// parseGeneralizedTime parses YYYYMMDDHHMMSS[.f+]Z as RFC 3161 and RFC 5280
// require (UTC, no leap seconds beyond what time.Date normalises away),
// accepting trailing zeros in the fraction.
func parseGeneralizedTime(b []byte) (time.Time, error) {
	bad := func() (time.Time, error) { return time.Time{}, malformed("GeneralizedTime %q", b) }
	if len(b) < 15 || b[len(b)-1] != 'Z' {
		return bad()
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var f [6]int
	widths := [6]int{4, 2, 2, 2, 2, 2}
	pos := 0
	for i, w := range widths {
		v, ok := num(b[pos : pos+w])
		if !ok {
			return bad()
		}
		f[i] = v
		pos += w
	}
	nanos := 0
	rest := b[pos : len(b)-1]
	if len(rest) > 0 {
		if rest[0] != '.' && rest[0] != ',' {
			return bad()
		}
		frac := rest[1:]
		if len(frac) == 0 || len(frac) > maxGenTimeFraction {
			return bad()
		}
		v, ok := num(frac)
		if !ok {
			return bad()
		}
		for i := len(frac); i < 9; i++ {
			v *= 10
		}
		nanos = v
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nanos, time.UTC)
	if t.Year() != f[0] || int(t.Month()) != f[1] || t.Day() != f[2] || t.Hour() != f[3] ||
		t.Minute() != f[4] || t.Second() != f[5] {
		return bad()
	}
	return t, nil
}
