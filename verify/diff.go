package verify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/segel-id/segel/internal/pdf"
)

// The difference engine (docs/decisions.md, "Change analysis"): the
// object graph reachable from the trailer of the signed revision is
// compared with the graph of the current document. Objects are identified
// by their reference and compared by value, so that objects rewritten with
// equal values, re-packed object streams and new cross-reference streams
// are no change at all. Every object is given the roles by which it is
// reached (catalog, page, annotation, DSS, ...); each changed object is
// judged by the rules of its roles (diffrules.go). What no rule clears is
// OTHER.

// ModLevel is how far the changes after a signature go, written as in
// the report. The levels are ordered by what a DocMDP permission allows
// (Worse, Max); a name Segel does not know, read from a newer report,
// ranks as OTHER, so that it is never taken for less than it may be.
type ModLevel string

// Modification levels, from the least to the most.
const (
	// NotAnalysed is no level: the change analysis did not run (the
	// signature failed before it). It is left out of the JSON.
	NotAnalysed ModLevel = ""
	// LevelNone is no change at all.
	LevelNone ModLevel = "NONE"
	// LevelLTA is validation data (DSS) and document timestamps.
	LevelLTA ModLevel = "LTA_UPDATES"
	// LevelFormFilling is form filling and signing, with the housekeeping
	// a new signature field needs.
	LevelFormFilling ModLevel = "FORM_FILLING"
	// LevelAnnotations is annotations added, changed or deleted.
	LevelAnnotations ModLevel = "ANNOTATIONS"
	// LevelOther is any other change: what no rule clears.
	LevelOther ModLevel = "OTHER"
)

// String returns the level's name in the report, "" for NotAnalysed.
func (l ModLevel) String() string { return string(l) }

// rank orders the levels; an unknown name ranks as OTHER.
func (l ModLevel) rank() int {
	switch l {
	case NotAnalysed:
		return -1
	case LevelNone:
		return 0
	case LevelLTA:
		return 1
	case LevelFormFilling:
		return 2
	case LevelAnnotations:
		return 3
	}
	return 4
}

// Exceeds reports whether l goes further than m.
func (l ModLevel) Exceeds(m ModLevel) bool { return l.rank() > m.rank() }

// Max returns the further of l and m.
func (l ModLevel) Max(m ModLevel) ModLevel {
	if m.Exceeds(l) {
		return m
	}
	return l
}

// Change is one change found after a signature.
type Change struct {
	// Object names what changed, e.g. "12 0 R (page 1)" or "trailer".
	Object string `json:"object"`
	// What says what changed, in words.
	What string `json:"what"`
	// Rule is the rule that judged the change; empty when none did.
	Rule string `json:"rule,omitempty"`
	// Level is the change's modification level: LTA_UPDATES,
	// FORM_FILLING, ANNOTATIONS or OTHER.
	Level ModLevel `json:"level"`
	// Field is the fully qualified name of the form field changed, if any
	// (what a FieldMDP lock is checked against).
	Field string `json:"field,omitempty"`

	// quiet changes are housekeeping, not listed in ModifiedAfterSigning.
	quiet bool
}

// String renders the change for ModifiedAfterSigning.
func (c Change) String() string { return c.Object + ": " + c.What }

// role is a bit set of what an object is to the document.
type role uint32

const (
	roleContent    role = 1 << iota // anything shown or done: no rule clears it
	roleCatalog                     // the document catalog
	rolePages                       // a node of the page tree
	rolePage                        // a page
	roleList                        // an indirect /Annots, /Fields or /Kids array
	roleNode                        // an annotation, widget or form field
	roleSig                         // a signature dictionary and its parts
	roleAppearance                  // an appearance (/AP) dictionary or stream
	roleForm                        // the interactive form dictionary
	roleFormRes                     // the form's default resources (/DR)
	roleDSS                         // the document security store
	roleInfo                        // the document information dictionary
	roleMetadata                    // the XMP metadata stream
	roleStruct                      // the structure tree
	roleOutlines                    // the outlines
	roleNames                       // the name dictionary
	rolePerms                       // the permissions dictionary
	roleValue                       // an indirect value (/V, /RV) of a form field
)

// roleNames names the roles in reports.
var roleLabels = []struct {
	r    role
	name string
}{
	{roleCatalog, "catalog"}, {rolePages, "page tree node"}, {rolePage, "page"},
	{roleList, "list"}, {roleNode, "form field or annotation"}, {roleSig, "signature"},
	{roleAppearance, "appearance"}, {roleForm, "form"}, {roleFormRes, "form resources"},
	{roleDSS, "DSS"}, {roleInfo, "document information"}, {roleMetadata, "metadata"},
	{roleStruct, "structure tree"}, {roleOutlines, "outlines"}, {roleNames, "names"},
	{rolePerms, "permissions"}, {roleValue, "field value"}, {roleContent, "content"},
}

func (r role) String() string {
	var parts []string
	for _, l := range roleLabels {
		if r&l.r != 0 {
			parts = append(parts, l.name)
		}
	}
	return strings.Join(parts, ", ")
}

// Bounds of the analysis.
const (
	// maxWalk bounds the objects a walk visits in one revision.
	maxWalk = 500_000
	// maxCompare bounds the decoded data of one stream compared.
	maxCompare = 32 << 20
)

// errTooLarge reports a document too large to analyse.
var errTooLarge = errors.New("the document has too many objects to analyse")

// describeRef names an object for a report: "12 0 R (page 1)".
func describeRef(s *side, ref pdf.Ref, roles role) string {
	switch {
	case roles&roleCatalog != 0:
		return "the document catalog (" + ref.String() + ")"
	case roles&rolePage != 0 && s.pageNo[ref] > 0:
		return fmt.Sprintf("page object %d (page %d)", ref.Num, s.pageNo[ref])
	case roles == 0 || roles == roleContent:
		return fmt.Sprintf("object %d", ref.Num)
	}
	return fmt.Sprintf("object %d (%s)", ref.Num, roles)
}
