//go:build cgo

package pkcs11

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"strings"

	"github.com/miekg/pkcs11"
)

// tokenSession is an open session on one token for a management call.
type tokenSession struct {
	c        *pkcs11.Ctx
	u        *URI
	slot     uint
	info     pkcs11.TokenInfo
	h        pkcs11.SessionHandle
	loggedIn bool
}

// eachToken runs fn on a session of every token matching the URI, logged
// in when the URI has a PIN. With single, exactly one token must match.
func eachToken(ctx context.Context, uri, modulePath string, rw, single bool, fn func(ts *tokenSession) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u, err := ParseURI(uri)
	if err != nil {
		return err
	}
	path := cmp.Or(u.ModulePath, modulePath)
	m, err := acquireModule(path)
	if err != nil {
		return err
	}
	defer m.release()
	pin, err := u.PIN()
	if err != nil {
		return err
	}
	defer clear(pin)

	m.mu.RLock()
	slots, infos, err := findSlots(m.ctx, identityOf(u), u)
	if err == nil && len(slots) == 0 && (u.Token != "" || u.Serial != "") {
		gen := m.gen
		m.mu.RUnlock()
		m.reinit(gen)
		m.mu.RLock()
		slots, infos, err = findSlots(m.ctx, identityOf(u), u)
	}
	defer m.mu.RUnlock()
	switch {
	case err != nil:
		return newError(ErrTokenUnavailable, rvErr(err), "module %q: cannot list slots", path)
	case len(slots) == 0:
		return newError(ErrNotFound, nil, "token %s not found in module %q", u.tokenDesc(), path)
	case single && len(slots) > 1:
		return newError(ErrNotFound, nil, "%d tokens match %s; add token= or serial= to the URI", len(slots), u.tokenDesc())
	}
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if rw {
		flags |= pkcs11.CKF_RW_SESSION
	}
	for i, slot := range slots {
		label := strings.TrimRight(infos[i].Label, " ")
		h, err := m.ctx.OpenSession(slot, flags)
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "open session on token %q", label)
		}
		ts := &tokenSession{c: m.ctx, u: u, slot: slot, info: infos[i], h: h}
		if pin != nil {
			if err := m.ensureLogin(h, pin, label); err != nil {
				m.ctx.CloseSession(h)
				return err
			}
			ts.loggedIn = true
		}
		err = fn(ts)
		m.ctx.CloseSession(h)
		if err != nil {
			return err
		}
	}
	return nil
}

func (ts *tokenSession) label() string { return strings.TrimRight(ts.info.Label, " ") }

// ListTokens lists the tokens matching uri (all tokens of the module for
// "pkcs11:?module-path=...") with their keys and certificates. With a PIN
// in the URI it logs in, so private keys are listed too. Object attributes
// of the URI (object, id, type) filter the objects.
func ListTokens(ctx context.Context, uri string, opts *Options) ([]TokenInfo, error) {
	o := opts.orZero()
	var out []TokenInfo
	err := eachToken(ctx, uri, o.ModulePath, false, false, func(ts *tokenSession) error {
		ti := TokenInfo{
			SlotID:       ts.slot,
			Label:        ts.label(),
			Manufacturer: strings.TrimRight(ts.info.ManufacturerID, " "),
			Model:        strings.TrimRight(ts.info.Model, " "),
			Serial:       strings.TrimRight(ts.info.SerialNumber, " "),
			LoggedIn:     ts.loggedIn,
		}
		objs, err := ts.objects()
		if err != nil {
			return err
		}
		ti.Objects = objs
		out = append(out, ti)
		return nil
	})
	return out, err
}

var classNames = map[uint]string{
	pkcs11.CKO_PRIVATE_KEY: "private-key", pkcs11.CKO_PUBLIC_KEY: "public-key",
	pkcs11.CKO_CERTIFICATE: "certificate", pkcs11.CKO_SECRET_KEY: "secret-key",
	pkcs11.CKO_DATA: "data",
}

var uriTypes = map[string]uint{
	"private": pkcs11.CKO_PRIVATE_KEY, "public": pkcs11.CKO_PUBLIC_KEY,
	"cert": pkcs11.CKO_CERTIFICATE, "secret-key": pkcs11.CKO_SECRET_KEY, "data": pkcs11.CKO_DATA,
}

// objects describes the objects on the token that match the URI.
func (ts *tokenSession) objects() ([]ObjectInfo, error) {
	c, u := ts.c, ts.u
	var tmpl []*pkcs11.Attribute
	if u.Type != "" {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_CLASS, uriTypes[u.Type]))
	}
	if len(u.ID) > 0 {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, u.ID))
	}
	if u.Object != "" {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object))
	}
	hs, err := findObjects(c, ts.h, tmpl)
	if err != nil {
		return nil, newError(ErrTokenUnavailable, rvErr(err), "list objects on token %q", ts.label())
	}
	var out []ObjectInfo
	for _, h := range hs {
		a, err := attrs(c, ts.h, h, pkcs11.CKA_CLASS, pkcs11.CKA_LABEL, pkcs11.CKA_ID, pkcs11.CKA_KEY_TYPE,
			pkcs11.CKA_MODULUS_BITS, pkcs11.CKA_MODULUS, pkcs11.CKA_EC_PARAMS, pkcs11.CKA_ALWAYS_AUTHENTICATE, pkcs11.CKA_VALUE_LEN)
		if err != nil {
			return nil, newError(ErrTokenUnavailable, rvErr(err), "read object on token %q", ts.label())
		}
		class := ulong(a[pkcs11.CKA_CLASS])
		oi := ObjectInfo{Class: cmp.Or(classNames[class], "other"), Label: string(a[pkcs11.CKA_LABEL]), ID: a[pkcs11.CKA_ID]}
		switch class {
		case pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY:
			oi.AlwaysAuthenticate = boolAttr(a[pkcs11.CKA_ALWAYS_AUTHENTICATE])
			switch ulong(a[pkcs11.CKA_KEY_TYPE]) {
			case pkcs11.CKK_RSA:
				oi.KeyType = "RSA"
				if b := a[pkcs11.CKA_MODULUS_BITS]; len(b) > 0 {
					oi.Bits = int(ulong(b))
				}
				if oi.Bits == 0 {
					oi.Bits = len(bytes.TrimLeft(a[pkcs11.CKA_MODULUS], "\x00")) * 8
				}
			case pkcs11.CKK_EC:
				oi.KeyType = "EC"
				if curve, err := curveFromParams(a[pkcs11.CKA_EC_PARAMS]); err == nil {
					oi.Bits = curve.Params().BitSize
				}
			default:
				oi.KeyType = "other"
			}
		case pkcs11.CKO_SECRET_KEY:
			oi.KeyType = "secret"
			oi.Bits = int(ulong(a[pkcs11.CKA_VALUE_LEN])) * 8
		case pkcs11.CKO_CERTIFICATE:
			v, err := attrs(c, ts.h, h, pkcs11.CKA_VALUE)
			if err == nil {
				if cert, err := x509.ParseCertificate(v[pkcs11.CKA_VALUE]); err == nil {
					oi.Subject = cert.Subject.String()
					oi.Issuer = cert.Issuer.String()
					oi.NotAfter = cert.NotAfter
				}
			}
		}
		out = append(out, oi)
	}
	order := map[string]int{"private-key": 0, "public-key": 1, "certificate": 2}
	slices.SortStableFunc(out, func(x, y ObjectInfo) int {
		ox, okx := order[x.Class]
		oy, oky := order[y.Class]
		if !okx {
			ox = 3
		}
		if !oky {
			oy = 3
		}
		return cmp.Or(cmp.Compare(ox, oy), cmp.Compare(x.Label, y.Label), bytes.Compare(x.ID, y.ID))
	})
	return out, nil
}

// GenerateKey makes a key pair on the token named by uri, which must give
// the new key's label (object=) and the user PIN; keyType is [RSA2048],
// [RSA3072], [ECP256] or [ECP384]. Both halves get the label and the id
// (id= from the URI, or 16 random bytes); the private key is a token object
// that is sensitive and not extractable. It fails if a key with the label
// or id already exists.
func GenerateKey(ctx context.Context, uri, keyType string, opts *GenerateOptions) (*GeneratedKey, error) {
	var o GenerateOptions
	if opts != nil {
		o = *opts
	}
	var out *GeneratedKey
	err := eachToken(ctx, uri, o.ModulePath, true, true, func(ts *tokenSession) error {
		u := ts.u
		if u.Object == "" {
			return newError(nil, nil, "generate: the URI must name the new key with object=")
		}
		if !ts.loggedIn {
			return newError(nil, nil, "generate: the URI must give the token's user PIN")
		}
		var mech uint
		var pubT []*pkcs11.Attribute
		switch keyType {
		case RSA2048, RSA3072:
			bits := 2048
			if keyType == RSA3072 {
				bits = 3072
			}
			mech = pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN
			pubT = []*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_RSA),
				pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, bits),
				pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}),
			}
		case ECP256, ECP384:
			curve := elliptic.P256()
			if keyType == ECP384 {
				curve = elliptic.P384()
			}
			mech = pkcs11.CKM_EC_KEY_PAIR_GEN
			pubT = []*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC),
				pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, curveParams(curve)),
			}
		default:
			return newError(ErrUnsupported, nil, "unsupported key type %q (rsa-2048, rsa-3072, ec-p256 or ec-p384)", keyType)
		}
		id := u.ID
		if len(id) == 0 {
			id = make([]byte, 16)
			rand.Read(id)
		}
		for _, t := range [][]*pkcs11.Attribute{
			objectTemplate(pkcs11.CKO_PRIVATE_KEY, nil, u.Object),
			objectTemplate(pkcs11.CKO_PRIVATE_KEY, id, ""),
		} {
			hs, err := findObjects(ts.c, ts.h, t)
			if err != nil {
				return newError(ErrTokenUnavailable, rvErr(err), "search token %q", ts.label())
			}
			if len(hs) > 0 {
				return newError(nil, nil, "a key with label %q or id %x already exists on token %q", u.Object, id, ts.label())
			}
		}
		common := func(class uint) []*pkcs11.Attribute {
			return []*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
				pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
				pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object),
				pkcs11.NewAttribute(pkcs11.CKA_ID, id),
			}
		}
		pubT = append(append(common(pkcs11.CKO_PUBLIC_KEY), pubT...),
			pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
			pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false))
		privT := append(common(pkcs11.CKO_PRIVATE_KEY),
			pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
			pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
			pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
			pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false))
		if o.AlwaysAuthenticate {
			privT = append(privT, pkcs11.NewAttribute(pkcs11.CKA_ALWAYS_AUTHENTICATE, true))
		}
		pubH, _, err := ts.c.GenerateKeyPair(ts.h, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, pubT, privT)
		if err != nil {
			return newError(nil, rvErr(err), "generate %s key on token %q", keyType, ts.label())
		}
		pub, _, err := publicKey(ts.c, ts.h, pubH)
		if err != nil {
			return err
		}
		nu := *u
		nu.ID, nu.PINValue, nu.Type = id, "", ""
		if nu.Token == "" {
			nu.Token = ts.label()
		}
		out = &GeneratedKey{Public: pub, Label: u.Object, ID: id, URI: nu.format(false)}
		return nil
	})
	return out, err
}

// ImportCertificate stores cert on the token as the certificate of the key
// named by uri: with the key's CKA_ID and CKA_LABEL, and CKA_SUBJECT,
// CKA_ISSUER and CKA_SERIAL_NUMBER set. cert must hold the key's public
// key. The chain's CA certificates are stored as their own objects
// (labelled by subject, with their subject key id as CKA_ID). Certificates
// already on the token are skipped; a different certificate under the key's
// id is an error.
func ImportCertificate(ctx context.Context, uri string, opts *Options, cert *x509.Certificate, chain ...*x509.Certificate) error {
	o := opts.orZero()
	return eachToken(ctx, uri, o.ModulePath, true, true, func(ts *tokenSession) error {
		u, c := ts.u, ts.c
		if u.Object == "" && len(u.ID) == 0 {
			return newError(nil, nil, "import: the URI must name the key with object= or id=")
		}
		class := uint(pkcs11.CKO_PRIVATE_KEY)
		if !ts.loggedIn {
			class = pkcs11.CKO_PUBLIC_KEY
		}
		hs, err := findObjects(c, ts.h, objectTemplate(class, u.ID, u.Object))
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "find key on token %q", ts.label())
		}
		if len(hs) == 0 && class == pkcs11.CKO_PRIVATE_KEY {
			hs, err = findObjects(c, ts.h, objectTemplate(pkcs11.CKO_PUBLIC_KEY, u.ID, u.Object))
			if err != nil {
				return newError(ErrTokenUnavailable, rvErr(err), "find key on token %q", ts.label())
			}
		}
		switch {
		case len(hs) == 0:
			return newError(ErrNotFound, nil, "key %s not found on token %q", u.keyDesc(), ts.label())
		case len(hs) > 1:
			return newError(ErrNotFound, nil, "%d keys match %s on token %q", len(hs), u.keyDesc(), ts.label())
		}
		a, err := attrs(c, ts.h, hs[0], pkcs11.CKA_ID, pkcs11.CKA_LABEL)
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "read key on token %q", ts.label())
		}
		id, label := a[pkcs11.CKA_ID], string(a[pkcs11.CKA_LABEL])
		pub, ok, err := publicKey(c, ts.h, hs[0])
		if err != nil {
			return err
		}
		if !ok && len(id) > 0 {
			if ph, err := findObjects(c, ts.h, objectTemplate(pkcs11.CKO_PUBLIC_KEY, id, "")); err == nil && len(ph) == 1 {
				pub, ok, _ = publicKey(c, ts.h, ph[0])
			}
		}
		if ok && !samePublicKey(pub, cert.PublicKey) {
			return newError(nil, nil, "certificate %q does not hold the public key of key %s", cert.Subject.CommonName, u.keyDesc())
		}
		present, _, err := certificates(c, ts.h, nil, "")
		if err != nil {
			return newError(ErrTokenUnavailable, rvErr(err), "list certificates on token %q", ts.label())
		}
		has := func(x *x509.Certificate) bool { return slices.ContainsFunc(present, x.Equal) }
		if !has(cert) {
			if len(id) > 0 {
				mine, _, err := certificates(c, ts.h, id, "")
				if err != nil {
					return newError(ErrTokenUnavailable, rvErr(err), "list certificates on token %q", ts.label())
				}
				if len(mine) > 0 {
					return newError(nil, nil, "key %s already has a different certificate (%q) on token %q; delete it first",
						u.keyDesc(), mine[0].Subject.CommonName, ts.label())
				}
			}
			if err := createCert(c, ts.h, cert, label, id, false); err != nil {
				return newError(nil, rvErr(err), "store certificate on token %q", ts.label())
			}
		}
		for _, ca := range chain {
			if ca == nil || has(ca) || ca.Equal(cert) {
				continue
			}
			caID := ca.SubjectKeyId
			if bytes.Equal(caID, id) {
				caID = nil
			}
			if err := createCert(c, ts.h, ca, cmp.Or(ca.Subject.CommonName, ca.Subject.String()), caID, true); err != nil {
				return newError(nil, rvErr(err), "store CA certificate on token %q", ts.label())
			}
			present = append(present, ca)
		}
		return nil
	})
}

func createCert(c *pkcs11.Ctx, s pkcs11.SessionHandle, cert *x509.Certificate, label string, id []byte, authority bool) error {
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return err
	}
	category := 1 // token user
	if authority {
		category = 2
	}
	t := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
		pkcs11.NewAttribute(pkcs11.CKA_ISSUER, cert.RawIssuer),
		pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, serial),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_CATEGORY, category),
	}
	if len(id) > 0 {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	}
	_, err = c.CreateObject(s, t)
	return err
}

var _ crypto.Signer = (*Key)(nil)
