package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	wantAugmentAudited(t, e, bb)
}

// wantAugmentAudited augments signed to B-LT and fails unless the answer
// begins with signed and the audit log holds one "ok" augment entry with
// the SHA-256 of the PDF posted and of the PDF answered.
func wantAugmentAudited(t *testing.T, e *env, signed []byte) {
	t.Helper()
	resp, lt := e.do("POST", "/v1/augment?level=B-LT", "eoffice", signed, nil)
	if resp.StatusCode != 200 || len(lt) <= len(signed) || string(lt[:len(signed)]) != string(signed) {
		t.Fatalf("augment: %d, %d bytes for %d posted", resp.StatusCode, len(lt), len(signed))
	}
	entries, err := e.st.AuditEntries(context.Background(), 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	in, out := sha256.Sum256(signed), sha256.Sum256(lt)
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

// TestSignRecordsAnswerHash: the register's record of a signature holds
// the SHA-256 of the letter posted and of the signed PDF answered, and
// the augmentation of that PDF is audited with its own two, wherever the
// spool keeps the letter: in memory, in the temporary file, and at the
// spool's limits (the per-spool memory at, one below and one above the
// letter's size, and with the output's room; the memory budget used up,
// so that the body is in the file). spool.OutputHash resumes from the
// body's hash only for a body wholly in memory.
func TestSignRecordsAnswerHash(t *testing.T) {
	n := int64(len(newEnv(t, nil, nil).letter))
	for _, c := range []struct{ per, total int64 }{
		{0, 0}, {-1, 0},
		{n, 0}, {n - 1, 0}, {n + 1, 0}, {n + 32<<10, 0}, {n + 32<<10 - 1, 0}, {n + 64<<10, 0},
		{256 << 10, 8 << 10}, {256 << 10, 16 << 10}, {256 << 10, 64 << 10},
	} {
		t.Run(fmt.Sprintf("memory=%d,total=%d", c.per, c.total), func(t *testing.T) {
			e := newEnv(t, nil, func(o *httpapi.Options) { o.SpoolMemory, o.SpoolMemoryTotal = c.per, c.total })
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
			wantAugmentAudited(t, e, signed)
		})
	}
}
