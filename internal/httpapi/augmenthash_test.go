package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestAugmentAuditHashes: the audit entry of an augmentation holds the
// SHA-256 of the PDF posted and of the PDF answered, the latter hashed
// as it was written, resumed from the body's hash (spool.OutputHash):
// the answer begins with the body.
func TestAugmentAuditHashes(t *testing.T) {
	e := newEnv(t, nil, nil)
	resp, bb := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	resp, lt := e.do("POST", "/v1/augment?level=B-LT", "eoffice", bb, nil)
	if resp.StatusCode != 200 || len(lt) <= len(bb) || string(lt[:len(bb)]) != string(bb) {
		t.Fatalf("augment: %d, %d bytes for %d posted", resp.StatusCode, len(lt), len(bb))
	}
	entries, err := e.st.AuditEntries(context.Background(), 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	in, out := sha256.Sum256(bb), sha256.Sum256(lt)
	found := 0
	for _, a := range entries {
		if a.Operation != "augment" {
			continue
		}
		found++
		if a.Outcome != "ok" || a.InputSHA256 != hex.EncodeToString(in[:]) || a.OutputSHA256 != hex.EncodeToString(out[:]) {
			t.Errorf("audit entry %s %s in %s out %s; want the posted %x and the answered %x", a.Operation, a.Outcome, a.InputSHA256, a.OutputSHA256, in, out)
		}
	}
	if found != 1 {
		t.Errorf("%d augment entries in the audit log, want 1", found)
	}
}

// TestSignRecordsAnswerHash: the register's record of a signature and its
// audit entry hold the SHA-256 of the letter posted and of the signed PDF
// answered, for a letter spooled in memory and one in the temporary file
// (spool.OutputHash resumes from the body's hash in both).
func TestSignRecordsAnswerHash(t *testing.T) {
	for name, memory := range map[string]int64{"memory": 0, "file": -1} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil, func(o *httpapi.Options) { o.SpoolMemory = memory })
			resp, signed := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %s", resp.Status, signed)
			}
			doc, err := e.st.GetDocument(context.Background(), resp.Header.Get(httpapi.DocumentIDHeader))
			if err != nil {
				t.Fatal(err)
			}
			in, out := sha256.Sum256(e.letter), sha256.Sum256(signed)
			if doc.InputSHA256 != hex.EncodeToString(in[:]) || doc.OutputSHA256 != hex.EncodeToString(out[:]) {
				t.Errorf("recorded in %s out %s; want the posted %x and the answered %x", doc.InputSHA256, doc.OutputSHA256, in, out)
			}
		})
	}
}
