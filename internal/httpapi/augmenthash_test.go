package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
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
