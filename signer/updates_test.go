package signer_test

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/testpki"
)

// updateAudit checks, object by object, the incremental updates that
// Segel appended to a document: every object an update writes must be one
// that a signature, a document timestamp or a DSS update needs, and every
// object it rewrites must change only the entries that need to change.
// This is what a careful verifier (pyHanko's difference analysis, Segel's
// own) clears; anything else would read as a modification.
type updateAudit struct {
	t      testing.TB
	data   []byte
	r      *pdf.Reader
	first  int // index of the first revision audited
	kinds  []string
	prefix string
}

// auditUpdates audits the revisions of data after the first n bytes (the
// document before Segel's updates) and returns
// what each update added, in order ("signature", "document timestamp",
// "DSS").
func auditUpdates(t testing.TB, data []byte, n int) []string {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The updates are the sections that start after the first n bytes
	// (a linearized original has two sections, in no file order).
	revs := r.Revisions()
	first := 0
	for i, rev := range revs {
		if rev.StartXref < int64(n) {
			if i != first {
				t.Fatalf("revision %d starts before byte %d but follows an update", i, n)
			}
			first = i + 1
		}
	}
	if first == 0 {
		t.Fatalf("no revision before byte %d", n)
	}
	a := &updateAudit{t: t, data: data, r: r, first: first}
	for i := first; i < len(revs); i++ {
		a.revision(i)
	}
	return a.kinds
}

// revision audits revision i against revision i-1.
func (a *updateAudit) revision(i int) {
	t := a.t
	t.Helper()
	oldR, err := a.r.AtRevision(i - 1)
	if err != nil {
		t.Fatal(err)
	}
	newR, err := a.r.AtRevision(i)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := a.r.RevisionEntries(i)
	if err != nil {
		t.Fatal(err)
	}
	a.prefix = fmt.Sprintf("update %d", i-a.first+1)
	written := map[pdf.Ref]bool{}
	for _, e := range entries {
		if e.Type == pdf.EntryFree {
			if e.Num != 0 {
				t.Errorf("%s frees object %d", a.prefix, e.Num)
			}
			continue
		}
		written[pdf.Ref{Num: e.Num, Gen: e.Gen}] = true
	}
	isNew := func(ref pdf.Ref) bool {
		e, ok := oldR.Entry(ref.Num)
		return !ok || e.Type == pdf.EntryFree
	}

	oldCat, newCat := a.dict(oldR, oldR.CatalogRef()), a.dict(newR, newR.CatalogRef())
	if newR.CatalogRef() != oldR.CatalogRef() {
		t.Errorf("%s moves the catalog", a.prefix)
	}

	// What the update is: one new signature field (signature or document
	// timestamp), or DSS data.
	newFields := a.newSignatureFields(oldR, newR)
	allowedNew := map[pdf.Ref]string{}
	var kind string
	switch len(newFields) {
	case 0:
		kind = "DSS"
	case 1:
		f := newFields[0]
		sigRef, ok := f.field.Get("V").(pdf.Ref)
		if !ok || !isNew(sigRef) {
			t.Fatalf("%s: field %q /V = %v, want a new signature dictionary", a.prefix, f.name, f.field.Get("V"))
		}
		sig := a.dict(newR, sigRef)
		switch ty, _ := sig.Name("Type"); ty {
		case "Sig":
			kind = "signature"
		case "DocTimeStamp":
			kind = "document timestamp"
		default:
			t.Errorf("%s: signature dictionary /Type %q", a.prefix, ty)
		}
		allowedNew[sigRef] = "signature dictionary"
		a.collectNew(newR, sig, isNew, allowedNew, "signature dictionary")
		if isNew(f.ref) {
			allowedNew[f.ref] = "signature field"
		}
		a.checkWidget(newR, f, kind, isNew, allowedNew)
	default:
		t.Fatalf("%s adds %d signature fields", a.prefix, len(newFields))
	}
	a.kinds = append(a.kinds, kind)

	// The DSS and the streams it gained.
	if dss, ok := newCat.Get("DSS").(pdf.Ref); ok && isNew(dss) && written[dss] {
		if kind != "DSS" {
			t.Errorf("%s adds a DSS with a %s", a.prefix, kind)
		}
		allowedNew[dss] = "DSS"
	}
	newDSS, _ := newR.GetDict(newCat.Get("DSS"))
	oldDSS, _ := oldR.GetDict(oldCat.Get("DSS"))
	dssGrew := false
	for _, key := range []pdf.Name{"Certs", "OCSPs", "CRLs"} {
		arr, _ := newR.GetArray(newDSS.Get(key))
		for _, o := range arr {
			if ref, ok := o.(pdf.Ref); ok && isNew(ref) {
				allowedNew[ref] = "DSS " + string(key)
				dssGrew = true
			}
		}
	}
	if (kind == "DSS") != dssGrew {
		t.Errorf("%s: a %s update, DSS data added: %v", a.prefix, kind, dssGrew)
	}
	if form, ok := newCat.Get("AcroForm").(pdf.Ref); ok && isNew(form) {
		allowedNew[form] = "AcroForm"
	}

	// Rewritten objects: which role each plays, and which entries may
	// change in it.
	roles := a.roles(newR, newCat, newFields)
	for ref := range written {
		if isNew(ref) {
			if _, ok := allowedNew[ref]; ok {
				continue
			}
			if st, err := newR.GetStream(ref); err == nil {
				if ty, _ := st.Dict.Name("Type"); ty == "XRef" {
					continue // the update's own xref stream
				}
			}
			t.Errorf("%s writes object %v, which nothing it adds needs: %s", a.prefix, ref, a.show(newR, ref))
			continue
		}
		role, ok := roles[ref]
		if !ok {
			t.Errorf("%s rewrites object %v, which it has no reason to touch: %s", a.prefix, ref, a.show(newR, ref))
			continue
		}
		a.checkRewrite(oldR, newR, ref, role, kind, oldDSS)
	}
}

type sigField struct {
	name  string
	ref   pdf.Ref
	field pdf.Dict
}

// newSignatureFields returns the signature fields that hold a value in
// newR but not in oldR.
func (a *updateAudit) newSignatureFields(oldR, newR *pdf.Reader) []sigField {
	before := a.signed(oldR)
	var out []sigField
	for name := range a.signed(newR) {
		if before[name] {
			continue
		}
		ref, dict, err := newR.FieldByName(name)
		if err != nil {
			a.t.Fatal(err)
		}
		out = append(out, sigField{name: name, ref: ref, field: dict})
	}
	return out
}

// signed returns the names of the signature fields of r that hold a
// value.
func (a *updateAudit) signed(r *pdf.Reader) map[string]bool {
	m := map[string]bool{}
	if _, _, ok, _ := r.AcroForm(); !ok {
		return m
	}
	fields, err := r.Fields()
	if err != nil {
		a.t.Fatal(err)
	}
	for _, f := range fields {
		if r.FieldType(f.Dict) == "Sig" && f.Dict.Get("V") != nil {
			m[f.Name] = true
		}
	}
	return m
}

// checkWidget checks the new field's widget: a zero-size one has no
// appearance, a visible one an appearance made of new objects; it is in
// its page's /Annots.
func (a *updateAudit) checkWidget(r *pdf.Reader, f sigField, kind string, isNew func(pdf.Ref) bool, allowed map[pdf.Ref]string) {
	t := a.t
	t.Helper()
	widget, wref := f.field, f.ref
	if kids, _ := r.GetArray(f.field.Get("Kids")); len(kids) == 1 {
		wref, _ = kids[0].(pdf.Ref)
		widget = a.dict(r, kids[0])
		if isNew(wref) {
			allowed[wref] = "widget"
		}
	}
	rect, _ := r.GetArray(widget.Get("Rect"))
	zero := true
	for _, v := range rect {
		if n, ok := v.(int64); !ok || n != 0 {
			if f, ok := v.(float64); !ok || f != 0 {
				zero = false
			}
		}
	}
	if flags, _ := widget.Int("F"); flags&4 == 0 {
		t.Errorf("%s: widget /F %d lacks the Print flag", a.prefix, flags)
	}
	if zero {
		if widget.Has("AP") {
			t.Errorf("%s: the zero-size widget of %q (%s) has an /AP", a.prefix, f.name, kind)
		}
	} else if !widget.Has("AP") && !isNew(f.ref) {
		// A prepared field without appearance, signed without a stamp.
	} else {
		if kind == "document timestamp" {
			t.Errorf("%s: the document timestamp's widget is visible", a.prefix)
		}
		ap := a.dict(r, widget.Get("AP"))
		n, ok := ap.Get("N").(pdf.Ref)
		switch {
		case ok && !isNew(n) && !isNew(f.ref):
			// A prepared field signed without a stamp keeps its
			// appearance (checkRewrite sees that /AP did not change).
		case !ok || !isNew(n):
			t.Errorf("%s: visible widget /AP /N = %v, want a new stream", a.prefix, ap.Get("N"))
		default:
			allowed[n] = "appearance"
			st, err := r.GetStream(n)
			if err != nil {
				t.Fatal(err)
			}
			a.collectNew(r, st.Dict, isNew, allowed, "appearance")
		}
	}
	page, ok := widget.Get("P").(pdf.Ref)
	if !ok {
		t.Fatalf("%s: widget without /P", a.prefix)
	}
	annots, _, err := r.PageAnnots(page)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(annots, pdf.Object(wref)) {
		t.Errorf("%s: the widget %v is not in its page's /Annots", a.prefix, wref)
	}
}

// collectNew marks the new objects reachable from o (not through /P or
// /Parent) as allowed for why.
func (a *updateAudit) collectNew(r *pdf.Reader, o pdf.Object, isNew func(pdf.Ref) bool, allowed map[pdf.Ref]string, why string) {
	seen := map[pdf.Ref]bool{}
	var walk func(o pdf.Object)
	walk = func(o pdf.Object) {
		switch v := o.(type) {
		case pdf.Ref:
			if !isNew(v) || seen[v] {
				return
			}
			seen[v] = true
			if _, ok := allowed[v]; !ok {
				allowed[v] = why
			}
			if st, err := r.GetStream(v); err == nil {
				walk(st.Dict)
				return
			}
			obj, err := r.Resolve(v)
			if err != nil {
				a.t.Fatal(err)
			}
			walk(obj)
		case pdf.Dict:
			for _, k := range v.Keys() {
				if k != "P" && k != "Parent" {
					walk(v.Get(k))
				}
			}
		case pdf.Array:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(o)
}

// role is why an existing object may be rewritten.
type role string

const (
	roleCatalog  role = "catalog"
	roleForm     role = "AcroForm"
	roleFields   role = "AcroForm /Fields"
	rolePage     role = "page"
	roleAnnots   role = "page /Annots"
	roleDSS      role = "DSS"
	roleDSSArray role = "DSS array"
	roleField    role = "signature field"
)

// roles maps the existing objects an update may rewrite to their role.
func (a *updateAudit) roles(r *pdf.Reader, cat pdf.Dict, fields []sigField) map[pdf.Ref]role {
	m := map[pdf.Ref]role{r.CatalogRef(): roleCatalog}
	if ref, ok := cat.Get("AcroForm").(pdf.Ref); ok {
		m[ref] = roleForm
	}
	form, _ := r.GetDict(cat.Get("AcroForm"))
	if ref, ok := form.Get("Fields").(pdf.Ref); ok {
		m[ref] = roleFields
	}
	if ref, ok := cat.Get("DSS").(pdf.Ref); ok {
		m[ref] = roleDSS
	}
	dss, _ := r.GetDict(cat.Get("DSS"))
	for _, key := range []pdf.Name{"Certs", "OCSPs", "CRLs"} {
		if ref, ok := dss.Get(key).(pdf.Ref); ok {
			m[ref] = roleDSSArray
		}
	}
	for _, f := range fields {
		m[f.ref] = roleField
		widget := f.field
		if kids, _ := r.GetArray(f.field.Get("Kids")); len(kids) == 1 {
			if ref, ok := kids[0].(pdf.Ref); ok {
				m[ref] = roleField
				widget = a.dict(r, ref)
			}
		}
		if page, ok := widget.Get("P").(pdf.Ref); ok {
			m[page] = rolePage
			if ref, ok := a.dict(r, page).Get("Annots").(pdf.Ref); ok {
				m[ref] = roleAnnots
			}
		}
	}
	return m
}

// checkRewrite checks that a rewritten object changes only what its role
// allows, and changes something.
func (a *updateAudit) checkRewrite(oldR, newR *pdf.Reader, ref pdf.Ref, ro role, kind string, oldDSS pdf.Dict) {
	t := a.t
	t.Helper()
	where := fmt.Sprintf("%s rewrites object %v (%s)", a.prefix, ref, ro)
	switch ro {
	case roleFields, roleAnnots, roleDSSArray:
		o, _ := oldR.GetArray(ref)
		n, _ := newR.GetArray(ref)
		if !grows(o, n) {
			t.Errorf("%s: %v is not %v with entries appended", where, marshal(n), marshal(o))
		}
		return
	}
	o, n := a.dict(oldR, ref), a.dict(newR, ref)
	changed := diffKeys(o, n)
	if len(changed) == 0 {
		t.Errorf("%s with the same values", where)
		return
	}
	var allowed []pdf.Name
	switch ro {
	case roleCatalog:
		for _, k := range changed {
			switch {
			case k == "AcroForm" && kind != "DSS" && !o.Has("AcroForm"):
			case k == "AcroForm" && kind != "DSS" && !isRef(o.Get("AcroForm")) && !isRef(n.Get("AcroForm")):
				// A direct form: its own rules.
				a.checkForm(oldR, newR, o.Get("AcroForm").(pdf.Dict), n.Get("AcroForm").(pdf.Dict), where)
			case k == "DSS" && kind == "DSS" && (!o.Has("DSS") || oldDSS.Len() > 0 && !isRef(o.Get("DSS"))):
			case k == "Extensions" && kind == "DSS" && !o.Has("Extensions"):
			case k == "Perms" && kind == "signature" && !o.Has("Perms"):
			case k == "Version" && kind != "DSS" && string(marshal(n.Get(k))) == "/1.7" && !o.Has("Version"):
			default:
				t.Errorf("%s: /%s changed (%s → %s)", where, k, marshal(o.Get(k)), marshal(n.Get(k)))
			}
		}
		return
	case roleForm:
		a.checkForm(oldR, newR, o, n, where)
		return
	case rolePage:
		allowed = []pdf.Name{"Annots"}
		oa, _ := oldR.GetArray(o.Get("Annots"))
		na, _ := newR.GetArray(n.Get("Annots"))
		if !grows(oa, na) {
			t.Errorf("%s: /Annots %v is not %v with entries appended", where, marshal(na), marshal(oa))
		}
	case roleDSS:
		allowed = []pdf.Name{"Certs", "OCSPs", "CRLs"}
		for _, k := range changed {
			oa, _ := oldR.GetArray(o.Get(k))
			na, _ := newR.GetArray(n.Get(k))
			if !grows(oa, na) {
				t.Errorf("%s: /%s %v is not %v with entries appended", where, k, marshal(na), marshal(oa))
			}
		}
	case roleField:
		allowed = []pdf.Name{"V", "AP", "F"}
	}
	for _, k := range changed {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: /%s changed (%s → %s)", where, k, marshal(o.Get(k)), marshal(n.Get(k)))
		}
	}
}

// checkForm checks a rewritten AcroForm: only /Fields may grow and
// /SigFlags be set.
func (a *updateAudit) checkForm(oldR, newR *pdf.Reader, o, n pdf.Dict, where string) {
	t := a.t
	t.Helper()
	for _, k := range diffKeys(o, n) {
		switch k {
		case "SigFlags":
			if f, _ := o.Int("SigFlags"); f&3 == 3 || len(a.signed(oldR)) > 0 {
				t.Errorf("%s: /SigFlags changed from %d in a signed document", where, f)
			}
		case "Fields":
			of, _ := oldR.GetArray(o.Get("Fields"))
			nf, _ := newR.GetArray(n.Get("Fields"))
			if !grows(of, nf) {
				t.Errorf("%s: /Fields %v is not %v with entries appended", where, marshal(nf), marshal(of))
			}
		default:
			t.Errorf("%s: AcroForm /%s changed (%s → %s)", where, k, marshal(o.Get(k)), marshal(n.Get(k)))
		}
	}
}

func isRef(o pdf.Object) bool { _, ok := o.(pdf.Ref); return ok }

// grows reports whether n is o with entries appended (at least one).
func grows(o, n pdf.Array) bool {
	if len(n) <= len(o) {
		return false
	}
	for i := range o {
		if !bytes.Equal(marshal(o[i]), marshal(n[i])) {
			return false
		}
	}
	return true
}

// diffKeys returns the keys whose values differ between o and n.
func diffKeys(o, n pdf.Dict) []pdf.Name {
	var out []pdf.Name
	for _, k := range o.Keys() {
		if !bytes.Equal(marshal(o.Get(k)), marshal(n.Get(k))) {
			out = append(out, k)
		}
	}
	for _, k := range n.Keys() {
		if !o.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

func marshal(o pdf.Object) []byte {
	if o == nil {
		return []byte("null")
	}
	b, err := pdf.Marshal(o)
	if err != nil {
		return []byte(fmt.Sprintf("<%v>", err))
	}
	return b
}

func (a *updateAudit) dict(r *pdf.Reader, o pdf.Object) pdf.Dict {
	a.t.Helper()
	if st, err := r.GetStream(o); err == nil {
		return st.Dict
	}
	d, err := r.GetDict(o)
	if err != nil {
		a.t.Fatalf("%s: %v: %v", a.prefix, o, err)
	}
	return d
}

func (a *updateAudit) show(r *pdf.Reader, ref pdf.Ref) string {
	if st, err := r.GetStream(ref); err == nil {
		return "stream " + string(marshal(st.Dict))
	}
	o, _ := r.Resolve(ref)
	b := marshal(o)
	if len(b) > 200 {
		b = append(b[:200], "…"...)
	}
	return string(b)
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// TestAuditUpdatesCatches makes sure the audit can fail: updates that
// rewrite what they need not, or add what nothing needs, are reported.
func TestAuditUpdatesCatches(t *testing.T) {
	t.Parallel()
	signed, _ := signBytes(t, letter(t), optionsFor(identity(t, testpki.ECDSAP256)))
	r, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(u *pdf.Update)
		want string
	}{
		{"catalog rewritten as it was", func(u *pdf.Update) { u.Set(r.CatalogRef(), cat) }, "with the same values"},
		{"page changed", func(u *pdf.Update) {
			p, _ := r.GetDict(pages[0])
			p = p.Clone()
			p.Set("Rotate", int64(90))
			u.Set(pages[0], p)
		}, "no reason to touch"},
		{"stray object", func(u *pdf.Update) {
			u.Set(u.Alloc(), pdf.NewDict())
			c := cat.Clone()
			c.Set("Lang", textString("id"))
			u.Set(r.CatalogRef(), c)
		}, "which nothing it adds needs"},
		{"catalog entry", func(u *pdf.Update) {
			c := cat.Clone()
			c.Set("OpenAction", pdf.Array{pages[0], pdf.Name("Fit")})
			u.Set(r.CatalogRef(), c)
		}, "/OpenAction changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := pdf.NewUpdate(r)
			c.edit(u)
			res, err := u.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			doc := append(bytes.Clone(signed), res.Data...)
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				auditUpdates(rec, doc, len(signed))
			}()
			<-done
			if !slices.ContainsFunc(rec.errs, func(s string) bool { return strings.Contains(s, c.want) }) {
				t.Errorf("audit errors %q, want one saying %q", rec.errs, c.want)
			}
		})
	}
	// Segel's own update passes.
	rec := &recorder{TB: t}
	auditUpdates(rec, signed, len(letter(t)))
	if len(rec.errs) > 0 {
		t.Errorf("Segel's signature: %q", rec.errs)
	}
}

func textString(s string) pdf.String { return pdf.String{Bytes: []byte(s)} }
