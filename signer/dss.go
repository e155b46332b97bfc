package signer

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/revocation"
)

// ErrValidationData reports validation data (OCSP responses, CRLs) that
// could not be had for a B-LT or B-LTA signature: Segel never returns a
// lower level than asked.
var ErrValidationData = errors.New("validation data for long-term validation is not available")

// ErrRevoked reports a signing certificate (or one of its CAs) that its
// CA says is revoked.
var ErrRevoked = errors.New("the certificate is revoked")

// validationData is what a VRI entry holds: certificates and revocation
// data (DER).
type validationData struct {
	certs       []*x509.Certificate
	ocsps, crls [][]byte
}

func (v *validationData) add(o *validationData) {
	v.certs = append(v.certs, o.certs...)
	v.ocsps = append(v.ocsps, o.ocsps...)
	v.crls = append(v.crls, o.crls...)
}

// gather fetches the revocation data of every certificate of chain (leaf
// first, each certificate followed by its issuer) but a self-signed root.
// A certificate that names no revocation source contributes only itself;
// any other failure is an error. With mustBeGood, a revoked certificate is
// an error too (ErrRevoked).
func gather(ctx context.Context, checker *revocation.Checker, chain []*x509.Certificate, mustBeGood bool) (*validationData, error) {
	vd := &validationData{}
	for i, cert := range chain {
		vd.certs = append(vd.certs, cert)
		if certpath.SelfSigned(cert) {
			continue
		}
		if i+1 >= len(chain) {
			return nil, fmt.Errorf("%w: the issuer of %q is not in the chain; give the whole chain up to the root",
				ErrValidationData, cert.Subject.CommonName)
		}
		st, err := checker.Check(ctx, cert, chain[i+1])
		if errors.Is(err, revocation.ErrNoSources) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrValidationData, cert.Subject.CommonName, err)
		}
		if mustBeGood && st.State == revocation.Revoked {
			return nil, fmt.Errorf("%w: %q, on %s", ErrRevoked, cert.Subject.CommonName, st.RevokedAt.UTC().Format("2006-01-02"))
		}
		switch st.Source {
		case revocation.OCSP:
			vd.ocsps = append(vd.ocsps, st.Raw)
		default:
			vd.crls = append(vd.crls, st.Raw)
		}
		if st.Responder != nil {
			vd.certs = append(vd.certs, st.Responder)
		}
	}
	return vd, nil
}

// vriKey returns the key of a signature's VRI entry: the upper-case hex
// SHA-1 of its /Contents string (ETSI EN 319 142-1, 5.4.2.2).
func vriKey(contents []byte) string {
	sum := sha1.Sum(contents)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// dssUpdate builds the incremental update that adds validation data to
// the document security store (/DSS): /Certs, /OCSPs and /CRLs of the
// whole document, and one /VRI entry per signature keyed by vriKey.
// Existing DSS content is kept; data already there is not repeated.
func dssUpdate(r *pdf.Reader, vri map[string]*validationData) (*pdf.Result, error) {
	u := pdf.NewUpdate(r)
	catalog, err := r.Catalog()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	dssRef, _ := catalog.Get("DSS").(pdf.Ref)
	old, _ := r.GetDict(catalog.Get("DSS"))
	dss := pdf.NewDict()
	if old.Len() > 0 {
		dss = old.Clone()
	}
	dss.Set("Type", pdf.Name("DSS"))

	// Streams already in the DSS, by content, so nothing is stored twice.
	known := map[[32]byte]pdf.Ref{}
	lists := map[pdf.Name]pdf.Array{}
	for _, key := range []pdf.Name{"Certs", "OCSPs", "CRLs"} {
		arr, _ := r.GetArray(dss.Get(key))
		lists[key] = append(pdf.Array(nil), arr...)
		for _, o := range arr {
			ref, ok := o.(pdf.Ref)
			if !ok {
				continue
			}
			st, err := r.GetStream(ref)
			if err != nil {
				continue
			}
			data, err := st.Decode(16 << 20)
			if err != nil {
				continue
			}
			known[sha256.Sum256(data)] = ref
		}
	}
	store := func(list pdf.Name, data []byte) pdf.Ref {
		sum := sha256.Sum256(data)
		if ref, ok := known[sum]; ok {
			return ref
		}
		ref := u.Alloc()
		u.SetStream(ref, pdf.NewDict(), data)
		known[sum] = ref
		lists[list] = append(lists[list], ref)
		return ref
	}

	vriDict, _ := r.GetDict(dss.Get("VRI"))
	if vriDict.Len() > 0 {
		vriDict = vriDict.Clone()
	} else {
		vriDict = pdf.NewDict()
	}
	keys := make([]string, 0, len(vri))
	for k := range vri {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vd := vri[k]
		entry := pdf.NewDict()
		var certs, ocsps, crls pdf.Array
		for _, c := range vd.certs {
			certs = appendUnique(certs, store("Certs", c.Raw))
		}
		for _, o := range vd.ocsps {
			ocsps = appendUnique(ocsps, store("OCSPs", o))
		}
		for _, c := range vd.crls {
			crls = appendUnique(crls, store("CRLs", c))
		}
		if len(certs) > 0 {
			entry.Set("Cert", certs)
		}
		if len(ocsps) > 0 {
			entry.Set("OCSP", ocsps)
		}
		if len(crls) > 0 {
			entry.Set("CRL", crls)
		}
		vriDict.Set(pdf.Name(k), entry)
	}
	for _, key := range []pdf.Name{"Certs", "OCSPs", "CRLs"} {
		if len(lists[key]) > 0 {
			dss.Set(key, lists[key])
		}
	}
	dss.Set("VRI", vriDict)

	if !dssRef.IsZero() {
		u.Set(dssRef, dss)
	} else {
		ref := u.Alloc()
		u.Set(ref, dss)
		catalog = catalog.Clone()
		catalog.Set("DSS", ref)
		if !catalog.Has("Extensions") {
			// ETSI EN 319 142-1, 5.4: the ESIC extension level of PAdES.
			esic := pdf.NewDict()
			esic.Set("BaseVersion", pdf.Name("1.7"))
			esic.Set("ExtensionLevel", int64(5))
			ext := pdf.NewDict()
			ext.Set("ESIC", esic)
			catalog.Set("Extensions", ext)
		}
		u.Set(r.CatalogRef(), catalog)
	}
	res, err := u.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	return res, nil
}

func appendUnique(a pdf.Array, ref pdf.Ref) pdf.Array {
	for _, x := range a {
		if x == ref {
			return a
		}
	}
	return append(a, ref)
}

// addValidationData completes the VRI data of a signature with its
// signature timestamp's TSA chain, and appends the DSS update.
func addValidationData(ctx context.Context, app *appender, opts *Options, vri map[string]*validationData, der []byte) error {
	sd, err := cms.Parse(der)
	if err != nil || len(sd.SignerInfos) != 1 {
		return fmt.Errorf("signer: internal error: reading back the signature: %v", err)
	}
	var data *validationData
	for _, v := range vri {
		data = v
	}
	for _, tok := range sd.SignerInfos[0].TimeStampTokens() {
		td, err := tokenValidationData(ctx, opts.revocation(), tok, opts.Certificates)
		if err != nil {
			return err
		}
		data.add(td)
	}
	r, err := app.reader()
	if err != nil {
		return err
	}
	res, err := dssUpdate(r, vri)
	if err != nil {
		return err
	}
	return app.write(res.Data)
}

// tokenValidationData gathers the validation data of a timestamp token's
// TSA chain.
func tokenValidationData(ctx context.Context, checker *revocation.Checker, token []byte, extra []*x509.Certificate) (*validationData, error) {
	sd, err := cms.Parse(token)
	if err != nil || len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("%w: the timestamp token cannot be read: %v", ErrValidationData, err)
	}
	certs := sd.ParsedCertificates()
	tsa, err := sd.SignerInfos[0].FindCertificate(certs)
	if err != nil {
		return nil, fmt.Errorf("%w: the timestamp token lacks its TSA certificate", ErrValidationData)
	}
	chain := append([]*x509.Certificate{tsa}, certpath.Issuers(tsa, slices.Concat(certs, extra))...)
	return gather(ctx, checker, chain, false)
}
