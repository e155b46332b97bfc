package verify

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
)

// sigDict is a signature or document timestamp found in the document.
type sigDict struct {
	field    string
	ref      pdf.Ref // the signature dictionary's reference
	dict     pdf.Dict
	contents []byte
	br       [4]int64
	revision int // index into Revisions of the revision the ranges end
	sd       *cms.SignedData

	// checked and structErr keep the result of checkStructure, which
	// both the digest pass and the verification need.
	checked   bool
	structErr error

	// lost marks a dictionary that only an earlier revision reached: its
	// signature was removed or replaced after signing. at is that
	// revision's reader, which its structure is checked against.
	lost bool
	at   *pdf.Reader
	// historyIncomplete marks a current signature whose earlier revisions
	// could not all be checked for removed signatures.
	historyIncomplete bool
	// fieldRepeats holds the keys that say which signature the field
	// holds (/V, /FT) when its dictionary wrote them more than once.
	fieldRepeats []pdf.Name
}

// structure checks the dictionary's structure once (see checkStructure).
func (s *sigDict) structure(r *pdf.Reader, src io.ReaderAt) error {
	if s.at != nil {
		r = s.at
	}
	if !s.checked {
		s.structErr, s.checked = checkStructure(r, src, s), true
	}
	return s.structErr
}

// findSignatures returns the signature dictionaries of the signature
// fields that hold a value, in field order, then those that an earlier
// revision's form or pages referred to and the current one no longer
// reaches (lost: removed or replaced after signing), in revision order.
// See docs/decisions.md, "Signatures removed or replaced after signing".
func findSignatures(ctx context.Context, r *pdf.Reader, src io.ReaderAt) ([]*sigDict, []docWarning, error) {
	sigs, warnings, err := collectSignatures(ctx, r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		// The current form does not read (a field an update freed or
		// made null): the signatures earlier revisions reached are still
		// reported, as removed, rather than a bare NO_SIGNATURE.
		lost, _, lerr := lostSignatures(ctx, r, src, nil)
		if lerr != nil {
			return nil, nil, err
		}
		return lost, nil, err
	}
	lost, complete, err := lostSignatures(ctx, r, src, sigs)
	if err != nil {
		return nil, nil, err
	}
	if !complete {
		warnings = append(warnings, docWarning{note(CodeHistoryIncomplete), historyIncomplete})
		for _, s := range sigs {
			s.historyIncomplete = true
		}
	}
	return append(sigs, lost...), warnings, nil
}

// historyIncomplete is the warning and error when the earlier revisions
// are too many or too large to check that no signature was removed.
const historyIncomplete = "the document has too many revisions or form fields for Segel to check that no earlier signature was removed or replaced"

// maxHistoryObjects bounds the work spent walking earlier revisions'
// forms and pages: the objects each walk may parse (those its revision
// holds), summed over the revisions walked. A genuine letter with a few
// signatures spends a few hundred; a 20 000-object document signed ten
// times, 200 000.
const maxHistoryObjects = 1 << 20

// sigKey identifies a signature dictionary across revisions: its
// reference and its /ByteRange (an update may redefine the object).
type sigKey struct {
	ref pdf.Ref
	br  string
}

func keyOf(ref pdf.Ref, d pdf.Dict) sigKey {
	k := sigKey{ref: ref}
	if a, ok := d.Get("ByteRange").(pdf.Array); ok && len(a) <= 8 {
		k.br = fmt.Sprint(a)
	} else if o := d.Get("ByteRange"); o != nil {
		k.br = "?"
	}
	return k
}

// lostSignatures returns the signature dictionaries (with a /ByteRange)
// that the form or the page widgets of an earlier revision reached and
// that are not among cur, each once, in revision order. complete is
// false when the work bound (maxHistoryObjects) stopped the scan.
func lostSignatures(ctx context.Context, r *pdf.Reader, src io.ReaderAt, cur []*sigDict) (lost []*sigDict, complete bool, err error) {
	known := make(map[sigKey]bool, len(cur))
	for _, s := range cur {
		known[keyOf(s.ref, s.dict)] = true
	}
	// The offsets of the current signature dictionaries' objects.
	var curOffsets []int64
	for _, s := range cur {
		if e, ok := r.Entry(s.ref.Num); ok && !s.ref.IsZero() && e.Type == pdf.EntryInUse && e.Gen == s.ref.Gen {
			curOffsets = append(curOffsets, e.Offset)
		}
	}
	revs := r.Revisions()
	// objects bounds what one revision's walk can parse: the objects its
	// sections define (each is parsed at most once per walk).
	spent, objects := 0, 0
	for i := range len(revs) - 1 {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		// A revision whose section defines nothing reaches what the one
		// before it reached.
		e, err := r.RevisionEntries(i)
		if err != nil || len(e) == 0 {
			continue
		}
		objects += len(e)
		// A signer writes the signature dictionary and the field value
		// that reaches it in the same update: only a revision whose bytes
		// hold a /ByteRange that is not a current signature's object can
		// have reached a signature the current form does not.
		var from int64
		if i > 0 {
			from = revs[i-1].End
		}
		if from < revs[i].End {
			n := spanCount(src, from, revs[i].End, byteRangeKey)
			if n >= 0 && n <= countIn(curOffsets, from, revs[i].End) {
				continue
			}
		}
		if spent += objects; spent > maxHistoryObjects {
			return lost, false, nil
		}
		old, err := r.AtRevision(i)
		if err != nil {
			continue
		}
		found, _, err := collectSignatures(ctx, old)
		if err != nil {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			continue // that revision's form cannot be read
		}
		for _, s := range found {
			if !s.dict.Has("ByteRange") {
				continue // not a signature: nothing was lost
			}
			k := keyOf(s.ref, s.dict)
			if known[k] {
				continue
			}
			known[k] = true
			s.lost, s.at = true, old
			lost = append(lost, s)
		}
	}
	return lost, true, nil
}

var byteRangeKey = []byte("/ByteRange")

// spanCount counts the occurrences of pat that start in the bytes
// [from, to) of src, in one pass over the span; -1 when it cannot be read.
func spanCount(src io.ReaderAt, from, to int64, pat []byte) int {
	const chunk = 1 << 20
	buf := make([]byte, min(to-from, chunk)+int64(len(pat))-1)
	count := 0
	for off := from; off < to; off += chunk {
		own := min(to-off, chunk) // occurrences starting here are this chunk's
		n, err := src.ReadAt(buf[:min(to-off, int64(len(buf)))], off)
		if err != nil && err != io.EOF {
			return -1
		}
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], pat)
			if j < 0 || int64(i+j) >= own {
				break
			}
			count++
			i += j + 1
		}
	}
	return count
}

// countIn counts the offsets in [from, to).
func countIn(offsets []int64, from, to int64) int {
	n := 0
	for _, o := range offsets {
		if o >= from && o < to {
			n++
		}
	}
	return n
}

// collectSignatures is findSignatures on one revision's form and pages.
func collectSignatures(ctx context.Context, r *pdf.Reader) ([]*sigDict, []docWarning, error) {
	_, _, ok, err := r.AcroForm()
	if err != nil || !ok {
		return nil, nil, err
	}
	fields, err := r.Fields()
	if err != nil {
		return nil, nil, err
	}
	var sigs []*sigDict
	var warnings []docWarning
	seen := map[pdf.Ref]bool{}
	for i, f := range fields {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if r.FieldType(f.Dict) != "Sig" {
			continue
		}
		v := f.Dict.Get("V")
		if v == nil {
			continue
		}
		ref, isRef := v.(pdf.Ref)
		if isRef && seen[ref] {
			warnings = append(warnings, docWarning{note(CodeValueReused, "field", f.Name), fmt.Sprintf("field %q reuses the signature value of another field", f.Name)})
			continue
		}
		seen[ref] = true
		d, err := r.GetDict(v)
		if err != nil {
			// A value that is not a dictionary is reported on the field.
			sigs = append(sigs, &sigDict{field: f.Name, ref: ref})
			continue
		}
		sigs = append(sigs, &sigDict{field: f.Name, ref: ref, dict: d, fieldRepeats: fieldRepeats(f.Dict)})
	}
	// Signature widgets on the pages that /Fields does not reach (poppler's
	// -add-signature over a direct /AcroForm leaves its field out):
	// viewers show them, so they are verified too.
	pages, _ := r.Pages()
	for _, p := range pages {
		annots, _, err := r.PageAnnots(p)
		if err != nil {
			continue
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		for _, a := range annots {
			d, err := r.GetDict(a)
			if err != nil || r.FieldType(d) != "Sig" {
				continue
			}
			v, name := inheritedValue(r, d)
			ref, isRef := v.(pdf.Ref)
			if !isRef || seen[ref] {
				continue
			}
			sd, err := r.GetDict(ref)
			if err != nil || !sd.Has("ByteRange") {
				continue
			}
			seen[ref] = true
			warnings = append(warnings, docWarning{note(CodeFieldNotInForm, "field", name), fmt.Sprintf("the signature field %q is on a page but not in the form's field list (/Fields)", name)})
			sigs = append(sigs, &sigDict{field: name, ref: ref, dict: sd, fieldRepeats: fieldRepeats(d)})
		}
	}
	return sigs, warnings, nil
}

// fieldRepeats returns the keys of a signature field's dictionary that
// say which signature it holds (/V, /FT) and that the file wrote more
// than once (pdf.Dict.RepeatedKeys).
func fieldRepeats(d pdf.Dict) []pdf.Name {
	var out []pdf.Name
	for _, k := range d.RepeatedKeys() {
		if k == "V" || k == "FT" {
			out = append(out, k)
		}
	}
	return out
}

// inheritedValue returns a widget's /V, inherited from its parents, and
// the fully qualified name of its field.
func inheritedValue(r *pdf.Reader, d pdf.Dict) (pdf.Object, string) {
	var v pdf.Object
	var parts []string
	for range 32 {
		if v == nil {
			v = d.Get("V")
		}
		if t, ok := d.Get("T").(pdf.String); ok {
			parts = append([]string{pdf.TextString(t.Bytes)}, parts...)
		}
		p, err := r.GetDict(d.Get("Parent"))
		if err != nil || p.Len() == 0 {
			break
		}
		d = p
	}
	return v, strings.Join(parts, ".")
}

// checkStructure checks the signature dictionary against Universal
// Signature Forgery and Signature Wrapping: /Contents and /ByteRange
// present and sane, the ranges exactly [0 a b c] inside the file, the gap
// exactly this dictionary's own hex /Contents, and the end of a revision.
// It fills s.contents, s.br and s.revision, or returns why it failed.
func checkStructure(r *pdf.Reader, src io.ReaderAt, s *sigDict) error {
	if s.dict.Len() == 0 {
		return fmt.Errorf("the signature value is not a dictionary")
	}
	// A dictionary that writes a key twice says two things: Segel's
	// parser keeps the last value, another reader may keep the first, so the
	// signature (its /ByteRange, /Contents, /SubFilter) or the field's
	// choice of it could be one thing here and another in a viewer. No
	// signer writes one; it is refused, not interpreted
	// (docs/decisions.md, "Repeated keys in a signature").
	if k := s.dict.RepeatedKeys(); len(k) > 0 {
		return fmt.Errorf("the signature dictionary writes %s more than once", keyList(k))
	}
	if len(s.fieldRepeats) > 0 {
		return fmt.Errorf("the signature field %q writes %s more than once", s.field, keyList(s.fieldRepeats))
	}
	cs, ok := s.dict.Get("Contents").(pdf.String)
	if !ok {
		return fmt.Errorf("/Contents is missing or not a string")
	}
	if len(cs.Bytes) == 0 {
		return fmt.Errorf("/Contents is empty")
	}
	if !cs.Hex {
		return fmt.Errorf("/Contents is not a hexadecimal string")
	}
	arr, ok := s.dict.Get("ByteRange").(pdf.Array)
	if !ok {
		return fmt.Errorf("/ByteRange is missing or not a direct array")
	}
	if len(arr) != 4 {
		return fmt.Errorf("/ByteRange has %d numbers, want 4", len(arr))
	}
	for i, o := range arr {
		v, ok := o.(int64)
		if !ok {
			return fmt.Errorf("/ByteRange element %d is not an integer", i)
		}
		s.br[i] = v
	}
	a, b, c := s.br[1], s.br[2], s.br[3]
	size := r.FileSize()
	switch {
	case s.br[0] != 0:
		return fmt.Errorf("/ByteRange does not start at 0")
	case a <= 0 || c < 0 || b <= a+1:
		return fmt.Errorf("/ByteRange %v is not [0 a b c] with 0 < a < b", s.br)
	case b > size || c > size-b:
		return &rangesPastEndError{br: s.br, size: size}
	}
	// The gap must be this dictionary's /Contents: "<" hex ">", and the
	// hex must decode to the string the parser read from the object.
	gap := make([]byte, b-a)
	if _, err := src.ReadAt(gap, a); err != nil {
		return fmt.Errorf("reading the /Contents gap: %w", err)
	}
	if gap[0] != '<' || gap[len(gap)-1] != '>' {
		return fmt.Errorf("the /ByteRange gap is not a hexadecimal string")
	}
	hexPart := gap[1 : len(gap)-1]
	if len(hexPart)%2 != 0 {
		return fmt.Errorf("the /ByteRange gap has an odd number of hex digits")
	}
	decoded := make([]byte, len(hexPart)/2)
	if _, err := hex.Decode(decoded, hexPart); err != nil {
		return fmt.Errorf("the /ByteRange gap holds more than the hexadecimal signature: %w", err)
	}
	if !bytes.Equal(decoded, cs.Bytes) {
		return fmt.Errorf("the /ByteRange gap is not this signature's /Contents")
	}
	if err := checkGapInObject(r, src, s.ref, a); err != nil {
		return err
	}
	end := b + c
	s.revision = -1
	revs := r.Revisions()
	for i, rev := range revs {
		if end == rev.End || (end < rev.End && end >= rev.End-2 && onlyEOL(src, end, rev.End)) {
			s.revision = i
			break
		}
	}
	if i, ok := damagedRevision(r, end, revs); ok && s.revision < 0 {
		s.revision = i // in the damaged part: see checkDamage
	}
	if s.revision < 0 {
		if end < r.FileSize() && endsAtEOF(src, end) {
			// The signed revision is intact and ends where it did, but the
			// cross-reference viewers read no longer continues from it.
			return &unlinkedRevisionError{end: end, size: r.FileSize()}
		}
		return fmt.Errorf("the signed ranges end at byte %d, which is not the end of a revision", end)
	}
	s.contents = cs.Bytes
	return nil
}

// rangesPastEndError is the structure error of a signature whose
// /ByteRange reaches beyond the end of the file: the file was cut short
// after it was signed (an interrupted download), or the ranges lie.
type rangesPastEndError struct {
	br   [4]int64
	size int64
}

func (e *rangesPastEndError) Error() string {
	return fmt.Sprintf("/ByteRange %v reaches beyond the end of the file (%d bytes)", e.br, e.size)
}

// unlinkedRevisionError is the structure error of a signature whose
// ranges end just after a "%%EOF" that the document's cross-reference
// chain no longer reaches: bytes appended after signing with a new
// cross-reference that does not continue from the signed one (no /Prev,
// or one that skips it). Viewers read the appended document; the signed
// one is left behind unread.
type unlinkedRevisionError struct {
	end, size int64
}

func (e *unlinkedRevisionError) Error() string {
	return fmt.Sprintf("the signed revision ends at byte %d, but the document's cross-reference no longer continues from it: the %d bytes after it replace the document", e.end, e.size-e.end)
}

// endsAtEOF reports whether the bytes before end are a "%%EOF" marker,
// with the end-of-line that may follow it.
func endsAtEOF(src io.ReaderAt, end int64) bool {
	const marker = "%%EOF"
	n := min(end, int64(len(marker)+2))
	buf := make([]byte, n)
	if _, err := src.ReadAt(buf, end-n); err != nil {
		return false
	}
	return bytes.HasSuffix(bytes.TrimRight(buf, "\r\n"), []byte(marker))
}

// checkGapInObject checks that offset a lies inside the signature
// dictionary's own object: after "N G obj" and before its "endobj".
func checkGapInObject(r *pdf.Reader, src io.ReaderAt, ref pdf.Ref, a int64) error {
	if ref.IsZero() {
		return fmt.Errorf("the signature dictionary is a direct object")
	}
	e, ok := r.Entry(ref.Num)
	if !ok || e.Type != pdf.EntryInUse {
		return fmt.Errorf("the signature dictionary %v is not a plain object in the file", ref)
	}
	if e.Offset >= a {
		return fmt.Errorf("the /ByteRange gap lies before the signature dictionary %v", ref)
	}
	const maxSpan = 1 << 20
	if a-e.Offset > maxSpan {
		return fmt.Errorf("the /ByteRange gap lies far from the signature dictionary %v", ref)
	}
	between := make([]byte, a-e.Offset)
	if _, err := src.ReadAt(between, e.Offset); err != nil {
		return fmt.Errorf("reading the signature dictionary: %w", err)
	}
	if bytes.Contains(between, []byte("endobj")) {
		return fmt.Errorf("the /ByteRange gap lies outside the signature dictionary %v", ref)
	}
	return nil
}

func onlyEOL(src io.ReaderAt, from, to int64) bool {
	buf := make([]byte, to-from)
	if _, err := src.ReadAt(buf, from); err != nil {
		return false
	}
	for _, c := range buf {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
