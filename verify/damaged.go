package verify

import (
	"fmt"
	"strconv"

	"github.com/segel-id/segel/internal/pdf"
)

// damagedReason is the error of a signature whose signed revision is
// followed by a part of the file whose structure is broken.
const damagedReason = "the document was damaged or extended after signing in a way that cannot be analysed"

// damageWarning is the report's warning for a repaired file.
func damageWarning(r *pdf.Reader) string {
	return fmt.Sprintf("the file's cross-reference is broken (%v); Segel reconstructed it by scanning the file, as PDF viewers do, and the file is damaged from byte %d", r.RepairCause(), r.DamagedFrom())
}

// checkDamage judges a signature of a file whose cross-reference had to
// be reconstructed (docs/decisions.md, "Broken or truncated final
// cross-reference"). A signature whose ranges end before the end of the
// file has the damaged part after it: what a viewer shows there cannot
// be analysed, so it is TOTAL_FAILED / MODIFIED_AFTER_SIGNING. A
// signature that covers the whole file signed the damage itself: nothing
// changed after it, so it is judged as usual, with a warning (as EU DSS
// does, whose PDF reader repairs the xref silently).
func (v *verifier) checkDamage(rep *SignatureReport) {
	if !v.r.Repaired() || len(rep.ByteRange) != 4 {
		return
	}
	end := rep.ByteRange[2] + rep.ByteRange[3]
	if end >= v.r.FileSize() {
		rep.warn(note(CodeDamageSigned), "the file's cross-reference is damaged, but this signature covers the whole file: the damage was signed, not added later")
		return
	}
	from := max(v.r.DamagedFrom(), end)
	rep.ModifiedAfterSigning = append(rep.ModifiedAfterSigning,
		fmt.Sprintf("bytes %d to %d (the end of the file), whose structure is damaged", from, v.r.FileSize()))
	rep.fail(ModifiedAfterSigning, note(CodeDamagedAfter, "from", strconv.FormatInt(from, 10)), damagedReason)
}

// damagedRevision returns the revision a signature whose ranges end at
// end belongs to in a repaired file when no intact revision ends there:
// the reconstructed last one, when end lies in the damaged part.
func damagedRevision(r *pdf.Reader, end int64, revs []pdf.Revision) (int, bool) {
	if !r.Repaired() || end <= r.DamagedFrom() || end > r.FileSize() || len(revs) == 0 {
		return 0, false
	}
	return len(revs) - 1, true
}
