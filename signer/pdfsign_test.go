package signer_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
)

// pdfsignData returns digitorus/pdfsign options for an approval signature
// by id (pdfsign's default is a certification with P=1).
func pdfsignData(id *testpki.Identity) sign.SignData {
	return sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.ApprovalSignature,
			Info: sign.SignDataSignatureInfo{
				Name:     "Rina Wulandari",
				Location: "Kabupaten Sleman",
				Reason:   "Paraf",
				Date:     time.Now().Add(-time.Minute),
			},
		},
		Signer:            id.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       id.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{id.Cert}, id.Chain...)},
	}
}

// pdfsignBytes signs src with digitorus/pdfsign.
func pdfsignBytes(src []byte, data sign.SignData) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfsign panicked: %v", r)
		}
	}()
	rd := bytes.NewReader(src)
	r, err := pdf.NewReader(rd, int64(len(src)))
	if err != nil {
		return nil, fmt.Errorf("pdfsign: reading: %w", err)
	}
	var buf bytes.Buffer
	if err := sign.Sign(rd, &buf, r, int64(len(src)), data); err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	return buf.Bytes(), nil
}

// TestPdfsignThenSegel signs with digitorus/pdfsign, then with Segel: both
// signatures must be valid, the pdfsign output a prefix of Segel's.
func TestPdfsignThenSegel(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.RSA2048)
	corpus := testcorpus.All(t)
	for _, name := range []string{"gs-letter", "cairo-letter", "gs-pdf13", "qpdf-merged", "form-2page", "gs-letter/no-objstm", "gs-letter/qdf", "gs-letter/objstm", "gs-letter/linearize"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first, err := pdfsignBytes(corpus[name], pdfsignData(id))
			if err != nil {
				// pdfsign's own limits (its reader) are not Segel's
				// concern; the base files must work.
				if !strings.Contains(name, "/") {
					t.Fatal(err)
				}
				testenv.SkipLocally(t, "pdfsign cannot sign this input: %v", err)
			}
			checkExternal(t, first, nil, []bool{false})
			out, res := signBytes(t, first, optionsFor(identity(t, testpki.ECDSAP256)))
			checkExternal(t, out, res, []bool{false, true})
			qpdfCheck(t, out)
			ps, _ := runPdfsig(t, out)
			if ps[0].SubFilter != "adbe.pkcs7.detached" {
				t.Errorf("pdfsig: the first signature is %q, want pdfsign's adbe.pkcs7.detached", ps[0].SubFilter)
			}
		})
	}
}

// TestSegelThenPdfsign signs with Segel, then with digitorus/pdfsign.
// pdfsign rebuilds the catalog's /AcroForm with only the signature
// fields it finds, so its output may break what came before: that is
// recorded, not failed.
func TestSegelThenPdfsign(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.RSA2048)
	bases := testcorpus.Base(t)
	for _, name := range []string{"gs-letter", "cairo-letter", "form-2page"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first, res := signBytes(t, bases[name], optionsFor(identity(t, testpki.ECDSAP256)))
			checkExternal(t, first, res, allSegel(1))
			out, err := pdfsignBytes(first, pdfsignData(id))
			if err != nil {
				t.Logf("pdfsign fails on a Segel-signed file (pdfsign's bug): %v", err)
				return
			}
			if !bytes.HasPrefix(out, first) {
				t.Logf("pdfsign did not keep the Segel-signed file as a prefix")
			}
			// Segel's signature must still verify over its own revision.
			sigs := scanSignatures(t, out)
			if len(sigs) != 2 {
				t.Logf("pdfsign output: %d signatures found, want 2", len(sigs))
				return
			}
			if err := opensslVerify(t, out, sigs[0].ByteRange, sigs[0].DER, rootPEM(t)); err != nil {
				t.Errorf("Segel's signature no longer verifies: %v", err)
			}
			ps, report := runPdfsig(t, out)
			valid := len(ps) == 2
			for _, s := range ps {
				valid = valid && strings.Contains(s.Text, "Signature is Valid")
			}
			if !valid {
				t.Logf("pdfsig after pdfsign (pdfsign's rebuilt AcroForm):\n%s", report)
			}
			if want := fieldNames(t, first); !containsAll(fieldNames(t, out), want) {
				t.Logf("pdfsign dropped form fields: before %q, after %q (pdfsign rebuilds /AcroForm /Fields from signature fields only)", want, fieldNames(t, out))
			}
		})
	}
}

func containsAll(have, want []string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}
