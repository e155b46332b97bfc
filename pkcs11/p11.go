//go:build cgo

package pkcs11

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"

	"github.com/miekg/pkcs11"

	"github.com/segel-id/segel/internal/oids"
)

// ckrError is a PKCS#11 return value. Its text is the CKR_ name alone; it
// unwraps to the miekg/pkcs11 Error.
type ckrError struct{ e pkcs11.Error }

func (c ckrError) Error() string {
	s := c.e.Error()
	if i := strings.Index(s, "CKR_"); i >= 0 {
		return s[i:]
	}
	return s
}

func (c ckrError) Unwrap() error { return c.e }

// rvErr wraps a miekg/pkcs11 error so that it prints without a second
// "pkcs11:" prefix.
func rvErr(err error) error {
	var e pkcs11.Error
	if errors.As(err, &e) {
		return ckrError{e}
	}
	return err
}

func isCode(err error, codes ...uint) bool {
	var e pkcs11.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if uint(e) == c {
			return true
		}
	}
	return false
}

// lossCodes mean the session, the login, the token or the module is gone.
var lossCodes = []uint{
	pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED,
	pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT,
	pkcs11.CKR_USER_NOT_LOGGED_IN, pkcs11.CKR_OBJECT_HANDLE_INVALID,
	pkcs11.CKR_KEY_HANDLE_INVALID, pkcs11.CKR_TOKEN_NOT_RECOGNIZED,
	pkcs11.CKR_SLOT_ID_INVALID, pkcs11.CKR_DEVICE_ERROR,
	pkcs11.CKR_DEVICE_MEMORY, pkcs11.CKR_GENERAL_ERROR,
	pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED, pkcs11.CKR_FUNCTION_FAILED,
	pkcs11.CKR_SESSION_COUNT,
	// Open refuses keys that may not sign, so this only happens when the
	// key was replaced or is being re-created under us.
	pkcs11.CKR_KEY_FUNCTION_NOT_PERMITTED,
}

// isLoss reports whether err means the token must be found again.
func isLoss(err error) bool {
	return errors.Is(err, ErrTokenUnavailable) || isCode(err, lossCodes...)
}

// sessionGone reports whether the session handle is already dead, so it
// must not be closed (its number may belong to another session by now).
func sessionGone(err error) bool {
	return isCode(err, pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED,
		pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED, pkcs11.CKR_DEVICE_REMOVED,
		pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_SLOT_ID_INVALID)
}

func isPINError(err error) bool {
	return isCode(err, pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_LEN_RANGE,
		pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_EXPIRED)
}

// loginError turns a failed C_Login into an error of the right kind.
// passphrase selects ErrPassphraseRejected over ErrPINIncorrect.
func loginError(err error, passphrase bool, token string) error {
	switch {
	case isCode(err, pkcs11.CKR_PIN_LOCKED):
		return newError(ErrPINLocked, rvErr(err), "login to token %q", token)
	case isPINError(err) && passphrase:
		return newError(ErrPassphraseRejected, rvErr(err), "login to token %q", token)
	case isPINError(err):
		return newError(ErrPINIncorrect, rvErr(err), "login to token %q", token)
	case isLoss(err):
		return newError(ErrTokenUnavailable, rvErr(err), "login to token %q", token)
	}
	return newError(nil, rvErr(err), "login to token %q", token)
}

// findObjects returns the handles of the objects matching tmpl.
func findObjects(c *pkcs11.Ctx, s pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := c.FindObjectsInit(s, tmpl); err != nil {
		return nil, err
	}
	var all []pkcs11.ObjectHandle
	for {
		hs, _, err := c.FindObjects(s, 64)
		if err != nil {
			c.FindObjectsFinal(s)
			return nil, err
		}
		all = append(all, hs...)
		if len(hs) == 0 {
			break
		}
	}
	return all, c.FindObjectsFinal(s)
}

// objectTemplate returns the search template for objects of class with
// the URI's id and label.
func objectTemplate(class uint, id []byte, label string) []*pkcs11.Attribute {
	t := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if len(id) > 0 {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	}
	if label != "" {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label))
	}
	return t
}

// attrs reads the attributes types of o; attributes the object lacks are
// left out of the map.
func attrs(c *pkcs11.Ctx, s pkcs11.SessionHandle, o pkcs11.ObjectHandle, types ...uint) (map[uint][]byte, error) {
	out := map[uint][]byte{}
	for _, t := range types {
		a, err := c.GetAttributeValue(s, o, []*pkcs11.Attribute{pkcs11.NewAttribute(t, nil)})
		if err != nil {
			if isCode(err, pkcs11.CKR_ATTRIBUTE_TYPE_INVALID, pkcs11.CKR_ATTRIBUTE_SENSITIVE) {
				continue
			}
			return nil, err
		}
		out[t] = a[0].Value
	}
	return out, nil
}

// ulong decodes a CK_ULONG attribute value (native byte order).
func ulong(b []byte) uint {
	var v uint
	for i := len(b) - 1; i >= 0; i-- { // little endian on the platforms Go supports with cgo here
		v = v<<8 | uint(b[i])
	}
	return v
}

func boolAttr(b []byte) bool { return len(b) > 0 && b[0] != 0 }

func curveFromParams(params []byte) (elliptic.Curve, error) {
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(params, &oid); err != nil {
		return nil, newError(ErrUnsupported, nil, "EC parameters are not a named curve")
	}
	switch {
	case oid.Equal(oids.P256):
		return elliptic.P256(), nil
	case oid.Equal(oids.P384):
		return elliptic.P384(), nil
	case oid.Equal(oids.P521):
		return elliptic.P521(), nil
	}
	return nil, newError(ErrUnsupported, nil, "EC curve %s is not supported", oid)
}

func curveParams(c elliptic.Curve) []byte {
	oid := oids.P256
	if c == elliptic.P384() {
		oid = oids.P384
	}
	b, _ := asn1.Marshal(oid)
	return b
}

// ecPublic decodes CKA_EC_PARAMS and CKA_EC_POINT (DER OCTET STRING or raw).
func ecPublic(params, point []byte) (*ecdsa.PublicKey, error) {
	curve, err := curveFromParams(params)
	if err != nil {
		return nil, err
	}
	var raw []byte
	if _, err := asn1.Unmarshal(point, &raw); err != nil {
		raw = point
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, raw)
	if err != nil {
		return nil, newError(nil, err, "bad EC point on token")
	}
	return pub, nil
}

// publicKey reads the public key of key object o (a private or public key):
// RSA from its modulus and exponent, EC from its point. ok is false when
// the object does not carry it (EC private keys).
func publicKey(c *pkcs11.Ctx, s pkcs11.SessionHandle, o pkcs11.ObjectHandle) (crypto.PublicKey, bool, error) {
	a, err := attrs(c, s, o, pkcs11.CKA_KEY_TYPE, pkcs11.CKA_MODULUS, pkcs11.CKA_PUBLIC_EXPONENT,
		pkcs11.CKA_EC_PARAMS, pkcs11.CKA_EC_POINT)
	if err != nil {
		return nil, false, err
	}
	switch ulong(a[pkcs11.CKA_KEY_TYPE]) {
	case pkcs11.CKK_RSA:
		n, e := a[pkcs11.CKA_MODULUS], a[pkcs11.CKA_PUBLIC_EXPONENT]
		if len(n) == 0 || len(e) == 0 {
			return nil, false, nil
		}
		exp := new(big.Int).SetBytes(e)
		if !exp.IsInt64() || exp.Int64() > 1<<31 {
			return nil, false, newError(ErrUnsupported, nil, "RSA public exponent too large")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, true, nil
	case pkcs11.CKK_EC:
		if len(a[pkcs11.CKA_EC_POINT]) == 0 {
			if _, err := curveFromParams(a[pkcs11.CKA_EC_PARAMS]); err != nil {
				return nil, false, err
			}
			return nil, false, nil
		}
		pub, err := ecPublic(a[pkcs11.CKA_EC_PARAMS], a[pkcs11.CKA_EC_POINT])
		return pub, err == nil, err
	}
	return nil, false, newError(ErrUnsupported, nil, "key type 0x%x is not supported (RSA and EC only)", ulong(a[pkcs11.CKA_KEY_TYPE]))
}

// certificates returns the X.509 certificates on the token matching tmpl,
// skipping any that do not parse.
func certificates(c *pkcs11.Ctx, s pkcs11.SessionHandle, id []byte, label string) ([]*x509.Certificate, []pkcs11.ObjectHandle, error) {
	hs, err := findObjects(c, s, append(objectTemplate(pkcs11.CKO_CERTIFICATE, id, label),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509)))
	if err != nil {
		return nil, nil, err
	}
	var certs []*x509.Certificate
	var handles []pkcs11.ObjectHandle
	for _, h := range hs {
		a, err := attrs(c, s, h, pkcs11.CKA_VALUE)
		if err != nil {
			return nil, nil, err
		}
		cert, err := x509.ParseCertificate(a[pkcs11.CKA_VALUE])
		if err != nil {
			continue
		}
		certs = append(certs, cert)
		handles = append(handles, h)
	}
	return certs, handles, nil
}

// tokenIdentity is what finds a token again after its slot changed.
type tokenIdentity struct {
	label, serial, manufacturer, model string
	slotID                             *uint // only used before the token was first found
}

func (t tokenIdentity) String() string {
	if t.serial != "" {
		return t.label + "/" + t.serial
	}
	return t.label
}

// findSlots returns the slots whose token matches id.
func findSlots(c *pkcs11.Ctx, id tokenIdentity, u *URI) ([]uint, []pkcs11.TokenInfo, error) {
	slots, err := c.GetSlotList(true)
	if err != nil {
		return nil, nil, err
	}
	var out []uint
	var infos []pkcs11.TokenInfo
	for _, slot := range slots {
		if id.slotID != nil && slot != *id.slotID {
			continue
		}
		ti, err := c.GetTokenInfo(slot)
		if err != nil {
			continue // token went away between the calls
		}
		if ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			continue
		}
		if !match(id.label, ti.Label) || !match(id.serial, ti.SerialNumber) ||
			!match(id.manufacturer, ti.ManufacturerID) || !match(id.model, ti.Model) {
			continue
		}
		if u != nil && (u.SlotDescription != "" || u.SlotManufacturer != "") {
			si, err := c.GetSlotInfo(slot)
			if err != nil || !match(u.SlotDescription, si.SlotDescription) || !match(u.SlotManufacturer, si.ManufacturerID) {
				continue
			}
		}
		out = append(out, slot)
		infos = append(infos, ti)
	}
	return out, infos, nil
}

func match(want, have string) bool {
	return want == "" || want == strings.TrimRight(have, " \x00")
}

func identityOf(u *URI) tokenIdentity {
	return tokenIdentity{label: u.Token, serial: u.Serial, manufacturer: u.Manufacturer, model: u.Model, slotID: u.SlotID}
}
