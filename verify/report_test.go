package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestNotPDF: input that cannot be read as a PDF is an error wrapping
// ErrNotPDF, never a report. (A truncated or damaged PDF is a PDF: see
// TestDamagedAfterSigning and TestTruncatedSigned.)
func TestNotPDF(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	for name, data := range map[string][]byte{
		"empty":            {},
		"garbage":          bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1000),
		"html":             []byte("<!DOCTYPE html><html><body>%PDF-1.7 is not here</body></html>"),
		"header only":      []byte("%PDF-1.7\n"),
		"zip":              append([]byte("PK\x03\x04"), make([]byte, 100)...),
		"header then junk": append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 5000)...),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), &verify.Options{Trust: anchors(p.Root.Cert)})
			if !errors.Is(err, verify.ErrNotPDF) || rep != nil {
				t.Errorf("Verify = %v, %v; want ErrNotPDF", rep, err)
			}
		})
	}
}

// TestTruncatedSigned: a signed file cut short is repaired and reported,
// never TOTAL_PASSED.
func TestTruncatedSigned(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	signed := signPDF(t, letterPDF(t), optsFor(signerID(t, p, testpki.ECDSAP256)))
	for name, data := range map[string][]byte{
		"truncated half": signed[:len(signed)/2],
		"truncated tail": signed[:len(signed)-20],
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), &verify.Options{Trust: anchors(p.Root.Cert)})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if rep.Indication == verify.TotalPassed {
				t.Errorf("a truncated file passes")
			}
		})
	}
}

// TestContextCanceled: a canceled context ends Verify with its error.
func TestContextCanceled(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	signed := signPDF(t, letterPDF(t), optsFor(signerID(t, p, testpki.ECDSAP256)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := verify.Verify(ctx, bytes.NewReader(signed), int64(len(signed)), &verify.Options{Trust: anchors(p.Root.Cert)})
	if !errors.Is(err, context.Canceled) || rep != nil {
		t.Errorf("Verify = %v, %v; want context.Canceled", rep, err)
	}
}

// TestReportJSON: the JSON contract of docs/contracts.md ("Report JSON"): key
// names, and lists that are [] rather than null.
func TestReportJSON(t *testing.T) {
	t.Parallel()
	p := onlinePKIFor(t)
	o := optsFor(signerID(t, p, testpki.ECDSAP256))
	o.Level = signer.LevelT
	o.Timestamper = newTestTSA(t, p, nil)
	signed := signPDF(t, letterPDF(t), o)
	bad := append([]byte{}, signed...)
	bad[sigsOf(t, bad)[0].BR[1]-1] ^= 1 // breaks the /Contents key: a FORMAT_FAILURE
	for name, data := range map[string][]byte{"passed": signed, "format failure": bad} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep := verifyPDF(t, data, &verify.Options{Trust: anchors(p.Root.Cert)})
			raw, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"indication", "signatures", "warnings", "sha256", "size", "validationTime"} {
				if _, ok := doc[k]; !ok {
					t.Errorf("document: no %q in %s", k, raw)
				}
			}
			sigs, _ := doc["signatures"].([]any)
			if len(sigs) != 1 {
				t.Fatalf("signatures %v", doc["signatures"])
			}
			s := sigs[0].(map[string]any)
			for _, k := range []string{"field", "type", "indication", "level", "subFilter", "signer", "coversWholeDocument"} {
				if _, ok := s[k]; !ok {
					t.Errorf("signature: no %q in %s", k, raw)
				}
			}
			for _, k := range []string{"modifiedAfterSigning", "errors", "warnings"} {
				if _, ok := s[k].([]any); !ok {
					t.Errorf("signature: %q is %v, want a list", k, s[k])
				}
			}
			if name == "passed" {
				signer, _ := s["signer"].(map[string]any)
				for _, k := range []string{"commonName", "subject", "issuer", "serialNumber"} {
					if v, _ := signer[k].(string); v == "" {
						t.Errorf("signer.%s empty in %s", k, raw)
					}
				}
				ts, _ := s["timestamp"].(map[string]any)
				if ts["time"] == nil || ts["tsa"] == nil {
					t.Errorf("timestamp %v", s["timestamp"])
				}
				if s["level"] != "PAdES-BASELINE-T" || s["claimedSigningTime"] == nil || (s["subIndication"] != nil && s["subIndication"] != "") {
					t.Errorf("level %v claimed %v sub %v", s["level"], s["claimedSigningTime"], s["subIndication"])
				}
			} else if s["indication"] != "TOTAL_FAILED" || s["subIndication"] != "FORMAT_FAILURE" {
				t.Errorf("%v/%v", s["indication"], s["subIndication"])
			}
		})
	}
}
