package citizen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/verify"
)

// compared is the answer to POST /v/{id}: whether the copy is the issued
// file, and the verdict, whose headline is the mismatch when the copy is
// another file (docs/decisions.md, "Citizens' verdicts"). The copy is read
// from up, which must still be open.
func compared(l lang, d *store.Document, up *upload, rep *verify.Report, loc *time.Location) (*compareView, *verdictView) {
	c := &compareView{SHA256: up.sha256, Size: humanSize(up.size)}
	v := verdictOf(l, rep, loc)
	want := strings.ToLower(strings.TrimSpace(d.OutputSHA256))
	if want == "" {
		c.Text = words["nocompare"].in(l)
		return c, v
	}
	c.Known, c.Issued = true, want
	switch {
	case want == up.sha256:
		c.Identical = true
		c.Text = words["identical"].in(l)
		return c, v
	case d.Size > 0 && up.size > d.Size && prefixSHA256(up.f, d.Size) == want:
		// The issued file with incremental updates after it (validation
		// data, a timestamp, a further signature): the same letter, and
		// what was added is for the verification to judge.
		c.Extends = true
		c.Text, c.Help = words["extends"].in(l), words["extendshelp"].in(l)
		return c, v
	}
	c.Text, c.Help = words["different"].in(l), words["differenthelp"].in(l)
	if d.Size > 0 {
		// An issued file that was only added to would have matched above.
		c.Help = words["notextended"].in(l)
	}
	// A broken signature keeps its own red headline; anything else (above
	// all a valid signature on some other letter) is headed by the
	// mismatch, with what the signatures say below it.
	if v.Indication == string(verify.TotalFailed) {
		return c, v
	}
	ref := d.Number
	if ref == "" {
		ref = d.ID
	}
	sub := words["notregsigok"].in(l)
	if v.Class != "ok" {
		sub = fmt.Sprintf(words["notregsig"].in(l), v.Headline)
	}
	v.Headline, v.Sub = fmt.Sprintf(words["notregistered"].in(l), ref), sub
	v.Class, v.Icon = "bad", "✗"
	for i := range v.Sigs {
		if v.Sigs[i].Class == "ok" {
			// The signature is valid, but it is not the register's
			// letter: not a green box on this page.
			v.Sigs[i].Class = "warn"
		}
	}
	return c, v
}

// prefixSHA256 is the lower-case hex SHA-256 of the first n bytes of f, or
// "" when they cannot be read.
func prefixSHA256(f io.ReaderAt, n int64) string {
	if f == nil {
		return ""
	}
	h := sha256.New()
	if m, err := io.Copy(h, io.NewSectionReader(f, 0, n)); err != nil || m != n {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
