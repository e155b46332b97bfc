package verify

import "strings"

// Coverage says what a signature covers and what followed it in the
// file, in the terms a reader needs: the one decision behind the coverage
// line of `segel verify`'s text report and of the citizens' page (see
// docs/decisions.md, "Coverage of a signature").
type Coverage int

// Coverages, from the plainest to the least known.
const (
	// CoverageUnknown is a signature whose later changes could not be
	// judged: it failed before the change analysis, or a change cannot
	// be proven harmless.
	CoverageUnknown Coverage = iota
	// CoverageWhole is a signature that reaches the end of the file.
	CoverageWhole
	// CoverageLTA is the whole document as signed, followed only by
	// validation data (DSS) and document timestamps.
	CoverageLTA
	// CoverageSigned is the whole document as signed, followed by further
	// signatures (and validation data and timestamps).
	CoverageSigned
	// CoverageFormFilled is the document as signed, with form fields
	// filled in afterwards.
	CoverageFormFilled
	// CoverageAnnotated is the document as signed, with annotations added
	// afterwards.
	CoverageAnnotated
	// CoverageChanged is the document as signed, changed afterwards in a
	// way no rule clears.
	CoverageChanged
)

// String returns the coverage's name, for logs and tests.
func (c Coverage) String() string {
	switch c {
	case CoverageWhole:
		return "WHOLE"
	case CoverageLTA:
		return "LTA_UPDATES"
	case CoverageSigned:
		return "SIGNED_AGAIN"
	case CoverageFormFilled:
		return "FORM_FILLING"
	case CoverageAnnotated:
		return "ANNOTATIONS"
	case CoverageChanged:
		return "OTHER"
	}
	return "UNKNOWN"
}

// Coverage returns what s covers and what followed it; all is every
// signature of the report s belongs to (Report.Signatures), which tells a
// later signature from mere housekeeping. It is read from the fields
// every report has, so it also works on a report read back from JSON.
//
// This is the single place the decision is made. It reads
// ModificationLevel (the change analysis' NONE, LTA_UPDATES,
// FORM_FILLING, ANNOTATIONS, OTHER) when the report has it; the analysis
// counts a later signature as FORM_FILLING, so FORM_FILLING with nothing
// listed in ModifiedAfterSigning is a later signature, CoverageSigned.
// Reports without the level (read back from older JSON) fall back to
// ModifiedAfterSigning's words.
func (s *SignatureReport) Coverage(all []*SignatureReport) Coverage {
	switch {
	case s.CoversWholeDocument:
		return CoverageWhole
	case s.SubIndication == ModifiedAfterSigning:
		return CoverageChanged
	case s.Indication == TotalFailed:
		// The change analysis did not run.
		return CoverageUnknown
	}
	switch s.ModificationLevel {
	case LevelOther:
		return CoverageChanged
	case LevelAnnotations:
		return CoverageAnnotated
	case LevelFormFilling:
		for _, m := range s.ModifiedAfterSigning {
			if m != infoUpdated && !strings.HasSuffix(m, ": "+infoUpdated) {
				return CoverageFormFilled
			}
		}
	}
	if s.ModificationLevel != NotAnalysed {
		if s.SubIndication == UnsupportedFeature {
			return CoverageUnknown
		}
		return laterSignatures(s, all)
	}
	for _, m := range s.ModifiedAfterSigning {
		// The change analysis' own words (changes.go).
		switch {
		case m == infoUpdated:
			// Housekeeping that the analysis lists.
		case strings.HasPrefix(m, "form field "):
			return CoverageFormFilled
		case strings.Contains(m, " annotation "):
			return CoverageAnnotated
		default:
			return CoverageChanged
		}
	}
	if s.SubIndication == UnsupportedFeature {
		return CoverageUnknown
	}
	return laterSignatures(s, all)
}

// infoUpdated is how older reports listed an update of the document
// information dictionary: housekeeping, not form filling.
const infoUpdated = "the document information dictionary was updated"

// laterSignatures tells a signature followed by other signatures from one
// followed only by validation data and document timestamps.
func laterSignatures(s *SignatureReport, all []*SignatureReport) Coverage {
	for _, o := range all {
		if o != nil && o != s && o.Type != TypeDocumentTimestamp && o.Revision > s.Revision {
			return CoverageSigned
		}
	}
	return CoverageLTA
}
