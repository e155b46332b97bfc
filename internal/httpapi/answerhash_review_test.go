package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestReviewSignAndAugmentHashesAtLimits: the recorded hashes are those of
// the bytes posted and answered with the per-spool memory at, one below
// and one above the letter's size and the letter's size with the output's
// room, and with the memory budget used up (the body in the file).
func TestReviewSignAndAugmentHashesAtLimits(t *testing.T) {
	e0 := newEnv(t, nil, nil)
	n := int64(len(e0.letter))
	for _, c := range []struct{ per, total int64 }{
		{n, 0}, {n - 1, 0}, {n + 1, 0}, {n + 32<<10, 0}, {n + 32<<10 - 1, 0}, {n + 64<<10, 0},
		{256 << 10, 8 << 10}, {256 << 10, 16 << 10}, {256 << 10, 64 << 10},
	} {
		t.Run(fmt.Sprintf("%d-%d", c.per, c.total), func(t *testing.T) {
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
				t.Errorf("sign: recorded in %s out %s; want %x and %x", doc.InputSHA256, doc.OutputSHA256, in, out)
			}
			resp, lt := e.do("POST", "/v1/augment?level=B-LT", "eoffice", signed, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("augment: %s: %s", resp.Status, lt)
			}
			entries, err := e.st.AuditEntries(context.Background(), 1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			in, out = sha256.Sum256(signed), sha256.Sum256(lt)
			for _, a := range entries {
				if a.Operation == "augment" && (a.InputSHA256 != hex.EncodeToString(in[:]) || a.OutputSHA256 != hex.EncodeToString(out[:])) {
					t.Errorf("augment: audited in %s out %s; want %x and %x", a.InputSHA256, a.OutputSHA256, in, out)
				}
			}
		})
	}
}
