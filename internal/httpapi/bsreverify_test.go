package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// bsreVerifyAnswer is BSrE's verification answer, read strictly: a field
// renamed or missing fails the decode or the checks.
type bsreVerifyAnswer struct {
	SignatureCount        int    `json:"signatureCount"`
	Conclusion            string `json:"conclusion"`
	Description           string `json:"description"`
	SignatureInformations []struct {
		ID                  int            `json:"id"`
		SignatureFormat     string         `json:"signatureFormat"`
		SignerName          string         `json:"signerName"`
		SignatureDate       string         `json:"signatureDate"`
		FieldName           string         `json:"fieldName"`
		Reason              string         `json:"reason"`
		Location            string         `json:"location"`
		DigestAlgorithm     string         `json:"digestAlgorithm"`
		IntegrityValid      bool           `json:"integrityValid"`
		CertificateTrusted  bool           `json:"certificateTrusted"`
		Modified            bool           `json:"modified"`
		LTV                 bool           `json:"ltv"`
		TimestampInfomation map[string]any `json:"timestampInfomation"`
		Indication          string         `json:"indication"`
		SubIndication       string         `json:"subIndication"`
		Description         string         `json:"description"`
	} `json:"signatureInformations"`
}

func bsreVerifyBoth(t *testing.T, c bsreClient, pdf []byte) bsreVerifyAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"file": base64.StdEncoding.EncodeToString(pdf)})
	resp, b2 := c.post("/api/v2/verify/pdf", "application/json", body)
	ct, form := bsreForm(nil, "signed_file", pdf)
	resp1, b1 := c.post("/api/sign/verify", ct, form)
	if resp.StatusCode != 200 || resp1.StatusCode != 200 || !bytes.Equal(b1, b2) {
		t.Fatalf("verify: v2 %d, v1 %d; v1 and v2 differ:\n%s\n%s", resp.StatusCode, resp1.StatusCode, b1, b2)
	}
	var a bsreVerifyAnswer
	dec := json.NewDecoder(bytes.NewReader(b2))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("%v: %s", err, b2)
	}
	if a.SignatureCount != len(a.SignatureInformations) || a.Description == "" {
		t.Errorf("count %d for %d entries, description %q", a.SignatureCount, len(a.SignatureInformations), a.Description)
	}
	return a
}

// TestBSrEVerifyShape: the verify answer in BSrE's shape, from the
// verify.Report, failing closed: a signer from a CA this gateway does not
// trust is certificateTrusted false and never VALID, a broken file is
// integrityValid false, a letter without signatures is NO_SIGNATURE.
func TestBSrEVerifyShape(t *testing.T) {
	tweak := func(o *httpapi.Options) { o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic" }
	e := newEnv(t, nil, tweak)
	c := bsreClient{t: t, url: e.url}
	resp, signed := e.do("POST", "/v1/sign?profile=sekda&reason=Disetujui&location=Serang", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d", resp.StatusCode)
	}

	a := bsreVerifyBoth(t, c, signed)
	if a.Conclusion != "VALID" || a.SignatureCount != 1 {
		t.Fatalf("valid: %+v", a)
	}
	s := a.SignatureInformations[0]
	if !s.IntegrityValid || !s.CertificateTrusted || s.Modified || s.SignerName == "" || s.SignatureDate == "" ||
		s.Reason != "Disetujui" || s.Location != "Serang" || s.FieldName == "" || s.ID != 1 || s.Indication != "TOTAL_PASSED" {
		t.Errorf("valid signature: %+v", s)
	}

	// Another gateway, with its own CA: the same file's signer is unknown.
	other := newEnv(t, nil, tweak)
	a = bsreVerifyBoth(t, bsreClient{t: t, url: other.url}, signed)
	s = a.SignatureInformations[0]
	if a.Conclusion == "VALID" || s.CertificateTrusted || s.LTV || s.Description != "Jangan dipercaya: penerbit sertifikat tidak dikenal" {
		t.Errorf("untrusted signer: %s %q, %+v", a.Conclusion, a.Description, s)
	}

	// One byte of the signed part changed.
	broken := bytes.Clone(signed)
	i := bytes.Index(broken, []byte("/Producer"))
	if i < 0 {
		i = bytes.Index(broken, []byte("/Type"))
	}
	broken[i+2] ^= 0x20
	a = bsreVerifyBoth(t, c, broken)
	if a.Conclusion == "VALID" || a.SignatureCount != 1 || a.SignatureInformations[0].IntegrityValid || a.SignatureInformations[0].CertificateTrusted && a.Conclusion == "VALID" {
		t.Errorf("broken: %+v", a)
	}

	a = bsreVerifyBoth(t, c, e.letter)
	if a.Conclusion != "NO_SIGNATURE" || a.SignatureCount != 0 {
		t.Errorf("unsigned: %+v", a)
	}
}

// TestBSrEVerifyDamaged: a signed letter cut short is described as a
// damaged or incomplete file, never as one without a signature; the
// conclusion still fails closed (NO_SIGNATURE when nothing of the
// signature survives, INVALID when its /ByteRange runs past the end).
func TestBSrEVerifyDamaged(t *testing.T) {
	tweak := func(o *httpapi.Options) { o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic" }
	e := newEnv(t, nil, tweak)
	c := bsreClient{t: t, url: e.url}
	resp, signed := e.do("POST", "/v1/sign?profile=sekda&reason=Disetujui&location=Serang", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d", resp.StatusCode)
	}
	a := bsreVerifyBoth(t, c, signed[:len(signed)/3])
	if a.Conclusion != "NO_SIGNATURE" || !strings.HasPrefix(a.Description, "Berkas rusak atau tidak lengkap") {
		t.Errorf("first third: %s %q", a.Conclusion, a.Description)
	}
	a = bsreVerifyBoth(t, c, signed[:len(signed)-200])
	if a.Conclusion != "INVALID" || a.SignatureCount != 1 || a.SignatureInformations[0].IntegrityValid ||
		a.Description != "Tanda tangan tidak sah: berkas terpotong atau tidak lengkap, sehingga tanda tangan tidak dapat diperiksa" {
		t.Errorf("cut in its last bytes: %s %q %+v", a.Conclusion, a.Description, a.SignatureInformations)
	}
}
