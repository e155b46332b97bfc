package trust

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// AddPEM adds as anchors the certificates in the PEM blocks of data. source
// names data in warnings and reports. Blocks of type "CERTIFICATE" (and
// OpenSSL's "TRUSTED CERTIFICATE", whose trust settings are ignored) are
// read; other blocks, certificates that cannot be parsed and malformed
// blocks are skipped with a warning naming source and the block's position.
// AddPEM returns the number of anchors added (duplicates are not counted).
func (p *Pool) AddPEM(data []byte, source string) (added int, warnings []string) {
	certs, warnings, found := parsePEM(data, source)
	if found == 0 {
		warnings = append(warnings, fmt.Sprintf("%s: no PEM certificate found", source))
	}
	return p.addAll(certs, source), warnings
}

func (p *Pool) addAll(certs []*x509.Certificate, source string) int {
	added := 0
	for _, c := range certs {
		if p.AddCert(c, source) {
			added++
		}
	}
	return added
}

// parseCerts reads the certificates of a file, PEM or DER. found counts the
// items that are or look like certificates, parsed or not.
func parseCerts(data []byte, source string) (certs []*x509.Certificate, warnings []string, found int) {
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		return parsePEM(data, source)
	}
	return parseDER(data, source)
}

func parsePEM(data []byte, source string) (certs []*x509.Certificate, warnings []string, found int) {
	rest := data
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		var der []byte
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			der = block.Bytes
		case "TRUSTED CERTIFICATE":
			// OpenSSL's form: the certificate followed by its trust
			// settings, which Segel does not use.
			s := cryptobyte.String(block.Bytes)
			var elem cryptobyte.String
			if !s.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
				found++
				warnings = append(warnings, fmt.Sprintf("%s: PEM block %d: skipped: malformed TRUSTED CERTIFICATE", source, n))
				continue
			}
			der = elem
		default:
			warnings = append(warnings, fmt.Sprintf("%s: PEM block %d: skipped: type %q is not a certificate", source, n, block.Type))
			continue
		}
		found++
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: PEM block %d: skipped: %v%s", source, n, err, describe(der)))
			continue
		}
		certs = append(certs, cert)
	}
	// pem.Decode passes over blocks it cannot decode in silence.
	if begins := bytes.Count(data, []byte("-----BEGIN ")); begins > n {
		warnings = append(warnings, fmt.Sprintf("%s: skipped %d malformed PEM block(s)", source, begins-n))
		found += begins - n
	}
	return certs, warnings, found
}

// parseDER reads one or more concatenated DER certificates. Data that does
// not begin with something shaped like a certificate gives found == 0.
func parseDER(data []byte, source string) (certs []*x509.Certificate, warnings []string, found int) {
	s := cryptobyte.String(data)
	for i := 1; !s.Empty(); i++ {
		var elem cryptobyte.String
		if !s.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
			if found > 0 {
				warnings = append(warnings, fmt.Sprintf("%s: skipped %d bytes of trailing data after DER certificate %d", source, len(s), i-1))
			}
			break
		}
		cert, err := x509.ParseCertificate(elem)
		if err != nil {
			if _, _, ok := looseParse(elem); !ok {
				if found > 0 {
					warnings = append(warnings, fmt.Sprintf("%s: DER item %d: skipped: not a certificate", source, i))
				}
				break
			}
			found++
			warnings = append(warnings, fmt.Sprintf("%s: DER certificate %d: skipped: %v%s", source, i, err, describe(elem)))
			continue
		}
		found++
		certs = append(certs, cert)
	}
	return certs, warnings, found
}

// describe returns what a loose reading of a certificate that crypto/x509
// refused can tell an operator, as a suffix for a warning.
func describe(der []byte) string {
	serial, subject, ok := looseParse(der)
	if !ok {
		return ""
	}
	s := fmt.Sprintf(" (subject %q, serial %s)", subject, serial)
	if serial.Sign() < 0 {
		s += "; Go refuses negative serial numbers unless GODEBUG=x509negativeserial=1"
	}
	return s
}

// looseParse reads the serial number and subject of a certificate without
// the checks of crypto/x509 (RFC 5280, section 4.1).
func looseParse(der []byte) (serial *big.Int, subject string, ok bool) {
	s := cryptobyte.String(der)
	var cert, tbs, issuer, validity, name cryptobyte.String
	serial = new(big.Int)
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1Integer(serial) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // signature
		!tbs.ReadASN1(&issuer, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1(&validity, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&name, cbasn1.SEQUENCE) {
		return nil, "", false
	}
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(name, &rdns); err != nil || len(rest) > 0 {
		return serial, "", true
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdns)
	return serial, n.String(), true
}
