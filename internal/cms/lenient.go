package cms

import (
	"crypto/x509"
	"errors"
	"math/big"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ParseCertificate parses a DER certificate like x509.ParseCertificate,
// and also accepts what old CA software issued and Go refuses by default:
// a negative serial number. Such a certificate is parsed from a copy whose
// serial is made positive, then given back its own Raw, RawTBSCertificate
// and SerialNumber, so that signatures over it still verify and it still
// equals itself.
func ParseCertificate(der []byte) (*x509.Certificate, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil || !strings.Contains(err.Error(), "negative serial number") {
		return c, err
	}
	patched, serial, tbs, perr := positiveSerial(der)
	if perr != nil {
		return nil, err
	}
	c, err2 := x509.ParseCertificate(patched)
	if err2 != nil {
		return nil, err
	}
	c.Raw = der
	c.RawTBSCertificate = tbs
	c.SerialNumber = serial
	return c, nil
}

// positiveSerial returns der with its serial number's content prefixed by
// a zero byte (making it positive), the original serial, and the
// original TBSCertificate.
func positiveSerial(der []byte) ([]byte, *big.Int, []byte, error) {
	in := cryptobyte.String(der)
	var cert, tbsFull, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, nil, nil, errors.New("cms: certificate is not a SEQUENCE")
	}
	if !cert.ReadASN1Element(&tbsFull, cbasn1.SEQUENCE) {
		return nil, nil, nil, errors.New("cms: no TBSCertificate")
	}
	rest := cert // signatureAlgorithm, signatureValue
	t := tbsFull
	if !t.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, nil, nil, errors.New("cms: bad TBSCertificate")
	}
	var version cryptobyte.String
	hasVersion := tbs.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific())
	if hasVersion && !tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, nil, nil, errors.New("cms: bad version")
	}
	var serialBytes cryptobyte.String
	if !tbs.ReadASN1(&serialBytes, cbasn1.INTEGER) || len(serialBytes) == 0 {
		return nil, nil, nil, errors.New("cms: bad serial number")
	}
	serial := new(big.Int).SetBytes(serialBytes)
	if serialBytes[0]&0x80 != 0 {
		// Two's complement: value - 2^(8·len).
		serial.Sub(serial, new(big.Int).Lsh(big.NewInt(1), uint(8*len(serialBytes))))
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(version)
			b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				b.AddBytes(serialBytes)
			})
			b.AddBytes(tbs)
		})
		b.AddBytes(rest)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, nil, nil, err
	}
	return out, serial, []byte(tbsFull), nil
}
