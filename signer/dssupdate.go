package signer

import (
	"crypto/sha256"
	"fmt"

	"github.com/segel-id/segel/internal/pdf"
)

// The DSS keys that hold validation data, each an array of streams.
var dssLists = []pdf.Name{"Certs", "OCSPs", "CRLs"}

// dssUpdate builds the incremental update that adds validation data to
// the document security store (/DSS): its /Certs, /OCSPs and /CRLs. It
// returns nil when the DSS already holds all of it.
//
// The update is as small as a verifier can clear at a glance: the new
// streams, each array that grew (in place when it is an indirect object),
// the DSS dictionary only when one of its own entries changed, and the
// catalog only when the document had no DSS (then /DSS and the ESIC
// /Extensions entry are added). Nothing already there is rewritten or
// removed: an existing /VRI stays as it is, and Segel writes none
// (docs/decisions.md, "The signer's own incremental updates").
func dssUpdate(r *pdf.Reader, data ...*validationData) (*pdf.Result, error) {
	catalog, err := r.Catalog()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	u := pdf.NewUpdate(r)
	dssRef, _ := catalog.Get("DSS").(pdf.Ref)
	obj, err := r.Resolve(catalog.Get("DSS"))
	if err != nil {
		return nil, fmt.Errorf("%w: /DSS: %w", ErrInvalidPDF, err)
	}
	var old pdf.Dict
	switch v := obj.(type) {
	case nil:
		// No DSS, or a reference to an object the file does not define:
		// the new DSS defines it.
	case pdf.Dict:
		old = v
	default:
		return nil, fmt.Errorf("%w: /DSS is not a dictionary", ErrInvalidPDF)
	}
	created := old.Len() == 0
	dss := pdf.NewDict()
	if created {
		dss.Set("Type", pdf.Name("DSS"))
	} else {
		dss = old.Clone()
	}

	// The streams already in the DSS, by content, so that nothing is
	// stored twice.
	known := map[[32]byte]bool{}
	lists := map[pdf.Name]pdf.Array{}
	for _, key := range dssLists {
		arr, _ := r.GetArray(dss.Get(key))
		lists[key] = arr
		for _, o := range arr {
			st, err := r.GetStream(o)
			if err != nil {
				continue
			}
			if b, err := st.Decode(16 << 20); err == nil {
				known[sha256.Sum256(b)] = true
			}
		}
	}
	added := map[pdf.Name]pdf.Array{}
	store := func(key pdf.Name, b []byte) {
		sum := sha256.Sum256(b)
		if known[sum] {
			return
		}
		known[sum] = true
		ref := u.Alloc()
		u.SetStream(ref, pdf.NewDict(), b)
		added[key] = append(added[key], ref)
	}
	for _, vd := range data {
		if vd == nil {
			continue
		}
		for _, c := range vd.certs {
			store("Certs", c.Raw)
		}
		for _, o := range vd.ocsps {
			store("OCSPs", o)
		}
		for _, c := range vd.crls {
			store("CRLs", c)
		}
	}
	if len(added) == 0 {
		return nil, nil
	}

	dssDirty := created
	for _, key := range dssLists {
		if len(added[key]) == 0 {
			continue
		}
		list := append(append(make(pdf.Array, 0, len(lists[key])+len(added[key])), lists[key]...), added[key]...)
		if ref, ok := dss.Get(key).(pdf.Ref); ok {
			if _, err := r.GetArray(ref); err == nil {
				u.Set(ref, list) // the indirect array grows in place
				continue
			}
		}
		dss.Set(key, list)
		dssDirty = true
	}
	switch {
	case !dssDirty:
	case !dssRef.IsZero():
		u.Set(dssRef, dss) // in place, or defining a dangling reference
	default:
		// A new DSS, or one held directly in the catalog: the catalog's
		// /DSS entry changes.
		catalog = catalog.Clone()
		if created {
			ref := u.Alloc()
			u.Set(ref, dss)
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
		} else {
			catalog.Set("DSS", dss)
		}
		if r.CatalogRef().IsZero() {
			return nil, fmt.Errorf("%w: the trailer has no /Root reference", ErrInvalidPDF)
		}
		u.Set(r.CatalogRef(), catalog)
	}
	res, err := u.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	return res, nil
}

// addDSS appends the DSS update that adds data to the document as
// written so far, and reports whether there was anything new to add.
func (a *appender) addDSS(data ...*validationData) (bool, error) {
	r, err := a.reader()
	if err != nil {
		return false, err
	}
	res, err := dssUpdate(r, data...)
	if err != nil || res == nil {
		return false, err
	}
	return true, a.write(res.Data)
}
