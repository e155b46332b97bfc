package verify

import (
	"crypto/x509"

	"github.com/segel-id/segel/internal/pdf"
)

// validationData is validation data embedded in a document.
type validationData struct {
	certs       []*x509.Certificate
	ocsps, crls [][]byte
}

// maxDSSItem bounds one certificate, OCSP response or CRL of the DSS.
const maxDSSItem = 16 << 20

// readDSS reads the document security store (/DSS in the catalog): its
// certificates are path candidates, its OCSP responses and CRLs the first
// source of revocation status. Items that cannot be read are skipped: they
// can only make a status unknown, never make one up.
func (v *verifier) readDSS() {
	cat, err := v.r.Catalog()
	if err != nil {
		return
	}
	dss, err := v.r.GetDict(cat.Get("DSS"))
	if err != nil || dss.Len() == 0 {
		return
	}
	v.dssRevision = -1
	if ref, ok := cat.Get("DSS").(pdf.Ref); ok {
		for i := range v.r.Revisions() {
			entries, err := v.r.RevisionEntries(i)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if e.Num == ref.Num {
					v.dssRevision = i
				}
			}
		}
	}
	items := func(key pdf.Name) [][]byte {
		arr, err := v.r.GetArray(dss.Get(key))
		if err != nil {
			return nil
		}
		var out [][]byte
		for _, o := range arr {
			st, err := v.r.GetStream(o)
			if err != nil {
				continue
			}
			data, err := st.Decode(maxDSSItem)
			if err != nil {
				continue
			}
			out = append(out, data)
		}
		return out
	}
	for _, der := range items("Certs") {
		if c, err := x509.ParseCertificate(der); err == nil {
			v.dss.certs = append(v.dss.certs, c)
		}
	}
	v.dss.ocsps = items("OCSPs")
	v.dss.crls = items("CRLs")
}
