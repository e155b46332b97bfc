package cms

import (
	"bytes"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// tagged constructs cryptobyte tags for context-specific classes.
var (
	tagCtx0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagCtx1 = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagCtx2 = cbasn1.Tag(2).ContextSpecific().Constructed()
	tagCtx3 = cbasn1.Tag(3).ContextSpecific().Constructed()
	// tagCtx0Prim is [0] IMPLICIT on a primitive type (subjectKeyIdentifier).
	tagCtx0Prim = cbasn1.Tag(0).ContextSpecific()
	tagCtx1Prim = cbasn1.Tag(1).ContextSpecific()
	tagCtx4     = cbasn1.Tag(4).ContextSpecific().Constructed()
)

// addAlgorithm appends an AlgorithmIdentifier.
func addAlgorithm(b *cryptobyte.Builder, a AlgorithmIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.Algorithm)
		if a.Parameters != nil {
			b.AddBytes(a.Parameters)
		}
	})
}

// isSingleElement reports whether der is exactly one DER element.
func isSingleElement(der []byte) bool {
	s := cryptobyte.String(der)
	var elem cryptobyte.String
	var tag cbasn1.Tag
	return s.ReadAnyASN1Element(&elem, &tag) && s.Empty()
}

// derSetOf sorts DER encodings as X.690 11.6 requires for SET OF and
// returns their concatenation.
func derSetOf(elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return bytes.Join(sorted, nil)
}

// Marshal returns the DER encoding of the attribute (its values sorted as
// DER SET OF requires). It fails when a value is not one DER element.
func (a Attribute) Marshal() ([]byte, error) {
	if len(a.Type) == 0 {
		return nil, fmt.Errorf("cms: attribute without type")
	}
	if len(a.Values) == 0 {
		return nil, fmt.Errorf("cms: attribute %v has no value", a.Type)
	}
	for i, v := range a.Values {
		if !isSingleElement(v) {
			return nil, fmt.Errorf("cms: attribute %v value %d is not one DER element", a.Type, i)
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.Type)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			b.AddBytes(derSetOf(a.Values))
		})
	})
	return b.Bytes()
}

// marshalAttributes returns the concatenated DER SET OF content of attrs.
func marshalAttributes(attrs []Attribute) ([]byte, error) {
	enc := make([][]byte, 0, len(attrs))
	for _, a := range attrs {
		e, err := a.Marshal()
		if err != nil {
			return nil, err
		}
		enc = append(enc, e)
	}
	return derSetOf(enc), nil
}

// derHeaderLen returns the length of a DER tag+length header for a
// single-byte tag and n content bytes.
func derHeaderLen(n int) int {
	switch {
	case n < 0x80:
		return 2
	case n <= 0xff:
		return 3
	case n <= 0xffff:
		return 4
	case n <= 0xffffff:
		return 5
	default:
		return 6
	}
}

// derElementLen returns the length of a DER element with n content bytes.
func derElementLen(n int) int { return derHeaderLen(n) + n }
