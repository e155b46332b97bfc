package verify

import (
	"context"
	"fmt"

	"github.com/segel-id/segel/internal/pdf"
)

// analysis is the comparison of one signed revision (old) with the
// current document (cur).
type analysis struct {
	old, cur *side
	cmp      *compare
	// docMDP is the DocMDP permission of the signature analysed (0 for an
	// approval signature).
	docMDP  int
	changes []Change
	// judged holds the new form nodes already judged (a widget is reached
	// through both /Annots and /Fields).
	judged map[pdf.Ref]bool
	// filled holds the form nodes filled in or signed: their appearance
	// streams may be regenerated.
	filled map[pdf.Ref]bool
	// appearances are the changed appearance objects, judged once every
	// node is.
	appearances []pdf.Ref
	// more counts the changes past maxChanges, moreLevel is their
	// highest level; scratch receives what rules set on them.
	more      int
	moreLevel ModLevel
	scratch   Change
}

// analyse compares the document as of the signed revision with the
// current one and returns the changes.
func (v *verifier) analyse(ctx context.Context, s *sigDict, docMDP int) ([]Change, error) {
	oldR, err := v.r.AtRevision(s.revision)
	if err != nil {
		return nil, err
	}
	if v.curSide == nil {
		cur := newSide(v.r)
		if err := cur.walk(ctx); err != nil {
			return nil, err
		}
		v.curSide = cur
	}
	old := newSide(oldR)
	if err := old.walk(ctx); err != nil {
		return nil, err
	}
	a := &analysis{old: old, cur: v.curSide, docMDP: docMDP,
		judged: map[pdf.Ref]bool{}, filled: map[pdf.Ref]bool{}}
	a.cmp = &compare{old: old, cur: v.curSide, memo: map[[2]pdf.Ref]bool{}}
	a.trailer()
	for i, ref := range a.cur.order {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		oldRoles := a.old.roles[ref]
		if oldRoles == 0 {
			// New, or defined but unused when signed: judged through what
			// refers to it.
			continue
		}
		ov, nv := a.old.get(ref), a.cur.get(ref)
		if a.cmp.same(ov, nv) {
			continue
		}
		roles := oldRoles | a.cur.roles[ref]
		switch {
		case ov == nil:
			a.dangling(ref, roles)
		case nv == nil:
			a.add(describeRef(a.old, ref, roles), "was deleted", "", LevelOther)
		default:
			a.judge(ref, roles, ov, nv)
		}
	}
	a.judgeAppearances()
	if a.more > 0 {
		a.changes = append(a.changes, Change{Object: "document", What: fmt.Sprintf("and %d more changes", a.more),
			Level: a.moreLevel})
	}
	return a.changes, nil
}

// maxChanges bounds the changes listed for one signature; the rest are
// counted in one last entry with the highest of their levels.
const maxChanges = 1000

// add records a change.
func (a *analysis) add(obj, what, rule string, level ModLevel) *Change {
	c := Change{Object: obj, What: what, Rule: rule, Level: level}
	if len(a.changes) >= maxChanges {
		a.more++
		a.moreLevel = a.moreLevel.Max(level)
		a.scratch = c
		return &a.scratch
	}
	a.changes = append(a.changes, c)
	return &a.changes[len(a.changes)-1]
}

// housekeeping records a change that is not listed in
// ModifiedAfterSigning.
func (a *analysis) housekeeping(obj, what, rule string, level ModLevel) *Change {
	c := a.add(obj, what, rule, level)
	c.quiet = true
	return c
}

// judge runs the rule of each role of a changed object.
func (a *analysis) judge(ref pdf.Ref, roles role, ov, nv pdf.Object) {
	obj := describeRef(a.old, ref, roles)
	for _, r := range rules {
		if roles&r.role != 0 {
			r.check(a, ref, obj, ov, nv)
		}
	}
}

// dangling judges an object that the signed revision referred to but did
// not define, defined afterwards: validation data may be completed so; an
// annotation or list so defined is judged as a new one; anywhere else it
// changes what the signed revision showed (a shadow attack).
func (a *analysis) dangling(ref pdf.Ref, roles role) {
	obj := fmt.Sprintf("object %d", ref.Num)
	switch roles {
	case roleNode:
		// An annotation or field the signed revision listed without
		// defining it: defining it adds it.
		a.newNode(obj, ref)
		return
	case roleList:
		listRule(a, ref, obj, nil, a.cur.get(ref))
		return
	}
	if roles&^(roleDSS|roleInfo|roleMetadata) == 0 {
		a.housekeeping(obj, "referred to but undefined when signed, was defined by a later update of "+roles.String(), "dangling-validation-data", LevelLTA)
		return
	}
	a.add(obj, fmt.Sprintf("referred to (as %s) but undefined when signed, was defined afterwards", roles), "", LevelOther)
}

// trailer judges the trailer: a new /Root is a new catalog, judged
// against the signed one; /Info and /ID may change; a new /Encrypt
// changes how everything is read.
func (a *analysis) trailer() {
	ot, nt := a.old.r.Trailer(), a.cur.r.Trailer()
	if !a.cmp.same(ot.Get("Encrypt"), nt.Get("Encrypt")) {
		a.add("trailer", "the document's encryption was changed", "", LevelOther)
	}
	if !a.cmp.same(ot.Get("Root"), nt.Get("Root")) {
		oc, nc := a.old.get(ot.Get("Root")), a.cur.get(nt.Get("Root"))
		obj := fmt.Sprintf("the document catalog (replaced by %v)", nt.Get("Root"))
		if _, ok := nc.(pdf.Dict); !ok {
			a.add(obj, "is not a dictionary", "", LevelOther)
		} else {
			catalogRule(a, pdf.Ref{}, obj, oc, nc)
		}
	}
	if !a.cmp.same(ot.Get("Info"), nt.Get("Info")) {
		a.add("trailer", "the document information dictionary was replaced", "info", LevelLTA)
	}
	if !a.cmp.same(ot.Get("ID"), nt.Get("ID")) {
		a.housekeeping("trailer", "the file identifier (/ID) was updated", "trailer", LevelLTA)
	}
}

// modLevel returns the highest level of the changes.
func modLevel(changes []Change) ModLevel {
	l := LevelNone
	for _, c := range changes {
		l = l.Max(c.Level)
	}
	return l
}
