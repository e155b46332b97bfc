package verify

import (
	"context"
	"strconv"

	"github.com/segel-id/segel/internal/pdf"
)

// checkModifications runs the difference analysis (diff.go) between the
// signed revision and the current document and turns it into the
// verdict: the changes a signature's permissions allow are reported, the
// others fail it with MODIFIED_AFTER_SIGNING. Without certification,
// form filling, signing and annotations are permitted; DocMDP P=1 allows
// only validation data and document timestamps, P=2 also form filling
// and signing, P=3 also annotations. A FieldMDP lock fails the signature
// when a field it locks changed. OTHER always fails.
func (v *verifier) checkModifications(ctx context.Context, rep *SignatureReport, s *sigDict) {
	if rep.Indication == TotalFailed {
		return
	}
	if rep.CoversWholeDocument {
		rep.ModificationLevel = LevelNone
		return
	}
	docMDP, locks := v.r.Transforms(s.dict)
	if len(locks) == 0 {
		// The field's /Lock names what the signer meant to lock when no
		// FieldMDP reference says it.
		if _, fd, err := v.r.FieldByName(s.field); err == nil {
			if l, ok := v.r.FieldLockOf(dictOrEmpty(v.r, fd.Get("Lock"))); ok {
				locks = append(locks, l)
			}
		}
	}
	changes, err := v.analyse(ctx, s, docMDP)
	if err != nil {
		if ctx.Err() != nil {
			rep.fail(UnsupportedFeature, note(CodeChangesStopped, "detail", err.Error()), "the analysis of the changes after the signature was stopped: %v", err)
			return
		}
		rep.fail(UnsupportedFeature, note(CodeChangesUnanalysed, "detail", err.Error()), "the changes after the signature cannot be analysed: %v", err)
		return
	}
	level := modLevel(changes)
	rep.ModificationLevel = level
	rep.Changes = changes
	allowed := LevelAnnotations
	switch docMDP {
	case 1:
		allowed = LevelLTA
	case 2:
		allowed = LevelFormFilling
	}
	for _, c := range changes {
		// Housekeeping is listed only when it fails the signature.
		if !c.quiet || c.Level.Exceeds(allowed) {
			rep.ModifiedAfterSigning = append(rep.ModifiedAfterSigning, c.String())
		}
	}
	failed := 0
	for _, c := range changes {
		if !c.Level.Exceeds(allowed) && c.Level != LevelOther {
			continue
		}
		if failed++; failed > maxFailures {
			continue
		}
		if c.Level.rank() >= LevelOther.rank() {
			rep.fail(ModifiedAfterSigning, note(CodeChanged, "level", string(c.Level), "object", c.Object, "change", c.String()), "the document was changed after this signature: %s", c)
		} else {
			rep.fail(ModifiedAfterSigning, note(CodeDocMDPForbids, "p", strconv.Itoa(docMDP), "level", string(c.Level), "object", c.Object, "change", c.String()), "the certification (DocMDP P=%d) does not permit this change (%s): %s", docMDP, c.Level, c)
		}
	}
	if failed > maxFailures {
		rep.fail(ModifiedAfterSigning, note(CodeMoreChanges, "n", strconv.Itoa(failed-maxFailures)), "and %d more changes that are not permitted", failed-maxFailures)
	}
	for _, c := range changes {
		if c.Field == "" || c.Field == s.field {
			continue
		}
		for _, l := range locks {
			if l.Locks(c.Field) {
				rep.fail(ModifiedAfterSigning, note(CodeFieldLocked, "field", c.Field, "action", string(l.Action), "object", c.Object, "change", c.String()), "field %q, locked by this signature (FieldMDP /%s), was changed: %s", c.Field, l.Action, c)
				break
			}
		}
	}
}

// maxFailures bounds the errors written for the changes that fail a
// signature; all are in Changes.
const maxFailures = 20

func dictOrEmpty(r *pdf.Reader, o pdf.Object) pdf.Dict {
	d, err := r.GetDict(o)
	if err != nil {
		return pdf.Dict{}
	}
	return d
}
