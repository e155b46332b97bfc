package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// attackWorld is a signed letter with the pool that trusts its signer.
type attackWorld struct {
	pki    *testpki.PKI
	id     *testpki.Identity
	signed []byte
	opts   *verify.Options
}

func newAttackWorld(t testing.TB, kt testpki.KeyType) *attackWorld {
	t.Helper()
	return newWorldIn(t, offlinePKIFor(t), kt)
}

// newWorldIn is newAttackWorld with a signer of p.
func newWorldIn(t testing.TB, p *testpki.PKI, kt testpki.KeyType) *attackWorld {
	t.Helper()
	id := signerID(t, p, kt)
	o := optsFor(id)
	o.Reserve = 2048 // room for re-signed CMS of other producers
	return &attackWorld{pki: p, id: id, signed: signPDF(t, letterPDF(t), o), opts: &verify.Options{Trust: anchors(p.Root.Cert)}}
}

// clone returns a copy of the signed file.
func (w *attackWorld) clone() []byte { return append([]byte{}, w.signed...) }

// objectSpan returns the bytes [start, end) of indirect object ref
// ("N G obj" … "endobj") in data.
func objectSpan(t testing.TB, data []byte, ref pdf.Ref) (int64, int64) {
	t.Helper()
	r := openPDF(t, data)
	e, ok := r.Entry(ref.Num)
	if !ok || e.Type != pdf.EntryInUse {
		t.Fatalf("object %v is not a plain object", ref)
	}
	end := bytes.Index(data[e.Offset:], []byte("endobj"))
	if end < 0 {
		t.Fatalf("object %v has no endobj", ref)
	}
	return e.Offset, e.Offset + int64(end)
}

// patchObject replaces, inside object ref of a copy of data, the first
// occurrence of old by repl (same length).
func patchObject(t testing.TB, data []byte, ref pdf.Ref, old, repl string) []byte {
	t.Helper()
	if len(old) != len(repl) {
		t.Fatalf("patch %q -> %q changes the length", old, repl)
	}
	out := append([]byte{}, data...)
	start, end := objectSpan(t, out, ref)
	i := bytes.Index(out[start:end], []byte(old))
	if i < 0 {
		t.Fatalf("%q not found in object %v", old, ref)
	}
	copy(out[start+int64(i):], repl)
	return out
}

// setByteRange rewrites, in place, the /ByteRange array of the signature
// dictionary ref with text (padded with spaces to its width).
func setByteRange(t testing.TB, data []byte, ref pdf.Ref, text string) []byte {
	t.Helper()
	out := append([]byte{}, data...)
	start, end := objectSpan(t, out, ref)
	obj := out[start:end]
	k := bytes.Index(obj, []byte("/ByteRange"))
	if k < 0 {
		t.Fatal("no /ByteRange")
	}
	open := k + bytes.IndexByte(obj[k:], '[')
	closing := open + bytes.IndexByte(obj[open:], ']')
	for closing+1 < len(obj) && obj[closing+1] == ' ' {
		closing++ // the padding after a patched placeholder
	}
	width := closing - open + 1
	if len(text) > width {
		t.Fatalf("%q does not fit in %d bytes", text, width)
	}
	copy(obj[open:], text+strings.Repeat(" ", width-len(text)))
	return out
}

// TestAttackCoveredByteChanged: a byte changed in either signed range.
func TestAttackCoveredByteChanged(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	l := sigsOf(t, w.signed)[0]
	a, b := l.gap()
	r := openPDF(t, w.signed)
	_, page := firstPageOf(t, r)
	content, err := r.GetStream(page.Get("Contents"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func([]byte){
		// Inside the compressed page content (range 1).
		"range 1 content stream": func(d []byte) { d[content.Offset+content.Length/2] ^= 0x01 },
		// The document information (range 1): /Title.
		"range 1 info title": func(d []byte) {
			i := bytes.Index(d, []byte("Surat Keluar"))
			d[i] = 'B'
		},
		// After the hole (range 2): the signer's application name.
		"range 2 prop build": func(d []byte) {
			i := int64(bytes.Index(d[b:], []byte("/Segel"))) + b
			d[i+4] = 'a'
		},
		// The first and last covered bytes.
		"first byte":  func(d []byte) { d[0] = ' ' },
		"last byte":   func(d []byte) { d[len(d)-1] = ' ' },
		"before hole": func(d []byte) { d[a-1] ^= 0x01 }, // the space or key before '<'
		"after hole":  func(d []byte) { d[b] ^= 0x20 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := w.clone()
			mutate(d)
			rep, err := verify.Verify(context.Background(), bytes.NewReader(d), int64(len(d)), w.opts)
			if err != nil {
				// Some bytes make the file unreadable: never a pass.
				if !errors.Is(err, verify.ErrNotPDF) {
					t.Fatal(err)
				}
				return
			}
			if rep.Indication == verify.TotalPassed {
				t.Fatalf("changed covered byte passes\n%s", dumpReport(rep))
			}
			switch name {
			case "range 1 content stream", "range 1 info title", "range 2 prop build":
				wantSig(t, rep, 0, verify.TotalFailed, verify.HashFailure)
			}
		})
	}
}

// locate returns the offset of sub inside der, which must occur once.
func locate(t testing.TB, der, sub []byte) int {
	t.Helper()
	i := bytes.Index(der, sub)
	if i < 0 || bytes.Contains(der[i+1:], sub) {
		t.Fatalf("value found %d times", bytes.Count(der, sub))
	}
	return i
}

// resign replaces the CMS of signature l in a copy of data by the result
// of mk over the bytes the signature covers, after patch edited the copy.
func resign(t testing.TB, data []byte, l sigLoc, patch func([]byte), mk func(content []byte) []byte) []byte {
	t.Helper()
	out := append([]byte{}, data...)
	if patch != nil {
		patch(out)
	}
	a, b := l.gap()
	writeContents(t, out, a, b, mk(rangesOf(out, l.BR)))
	return out
}

// TestAttackSignatureValue: the signature value (in the CMS) changed.
func TestAttackSignatureValue(t *testing.T) {
	t.Parallel()
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		t.Run(string(kt), func(t *testing.T) {
			t.Parallel()
			w := newAttackWorld(t, kt)
			l := sigsOf(t, w.signed)[0]
			der := l.der(t)
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			sig := sd.SignerInfos[0].Signature
			at := locate(t, der, sig)
			bad := append([]byte{}, der...)
			bad[at+len(sig)/2] ^= 0x10 // inside r or s for ECDSA: the DER still parses
			out := resign(t, w.signed, l, nil, func([]byte) []byte { return bad })
			s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.SigCryptoFailure)
			if s.Signer == nil || s.Signer.CommonName != "Budi Santoso" {
				t.Errorf("signer %+v", s.Signer)
			}

			// The signed attributes changed: the signature is over them.
			attrs := sd.SignerInfos[0].RawSignedAttrs
			at = locate(t, der, attrs[2:])
			bad = append([]byte{}, der...)
			// Flip a byte of the signing-certificate-v2 hash, the last attribute.
			bad[at+len(attrs)-6] ^= 0x01
			out = resign(t, w.signed, l, nil, func([]byte) []byte { return bad })
			wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.SigCryptoFailure)

			// A CMS that no longer parses.
			out = resign(t, w.signed, l, nil, func([]byte) []byte { return der[:len(der)/2] })
			wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.FormatFailure)
			out = resign(t, w.signed, l, nil, func([]byte) []byte { return []byte{0x30, 0x03, 0x02, 0x01, 0x01} })
			wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.FormatFailure)

			// Another valid signature by the same key over other bytes.
			out = resign(t, w.signed, l, nil, func([]byte) []byte { return cadesCMS(t, w.id, []byte("another document")) })
			wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.HashFailure)
		})
	}
}

// TestAttackUSF: Universal Signature Forgery, a signature dictionary whose
// /Contents or /ByteRange is missing, empty, null or malformed.
func TestAttackUSF(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	l := sigsOf(t, w.signed)[0]
	a, b := l.gap()
	c := l.BR[3]
	size := int64(len(w.signed))

	// Rewritten in place: the file keeps its offsets.
	inPlace := map[string][]byte{
		"Contents missing":         patchObject(t, w.signed, l.Ref, "/Contents", "/Xontents"),
		"ByteRange missing":        patchObject(t, w.signed, l.Ref, "/ByteRange", "/ByteRangX"),
		"ByteRange 3 elements":     setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d]", a, b)),
		"ByteRange 2 elements":     setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d]", size)),
		"ByteRange 5 elements":     setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d 0]", a, b, c)),
		"ByteRange 6 elements":     setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d %d 0]", a, b, c-10, b+c-10)),
		"ByteRange empty":          setByteRange(t, w.signed, l.Ref, "[]"),
		"ByteRange real":           setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d.0 %d %d]", a, b, c)),
		"ByteRange name":           setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 /A %d %d]", b, c)),
		"ByteRange string":         setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 (%d) %d %d]", a, b, c)),
		"ByteRange a > b":          setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", b, a, c)),
		"ByteRange a == b":         setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a, a, size-a)),
		"ByteRange overlapping":    setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a, a-100, size-a+100)),
		"ByteRange whole file":     setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d 0]", size, size)),
		"ByteRange beyond EOF":     setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a, b, c+1000)),
		"ByteRange b beyond EOF":   setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a, size+10, 0)),
		"ByteRange short":          setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a, b, c-3)),
		"ByteRange negative":       setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d -%d]", a, b, c)),
		"ByteRange huge":           setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d 9223372036854775807]", a, b)),
		"ByteRange not at 0":       setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[1 %d %d %d]", a-1, b, c)),
		"ByteRange gap inside hex": setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a+2, b-2, c+2)),
		"ByteRange gap too wide":   setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a-1, b+1, c-1)),
		"ByteRange gap shifted":    setByteRange(t, w.signed, l.Ref, fmt.Sprintf("[0 %d %d %d]", a+1, b+1, c-1)),
	}
	for name, d := range inPlace {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantSig(t, verifyPDF(t, d, w.opts), 0, verify.TotalFailed, verify.FormatFailure)
		})
	}

	// Rewritten in an incremental update that redefines the signature
	// dictionary.
	redefine := func(edit func(d pdf.Dict)) []byte {
		return appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
			d := dictOf(t, r, l.Ref).Clone()
			edit(d)
			u.Set(l.Ref, d)
		})
	}
	byUpdate := map[string][]byte{
		"Contents null":       redefine(func(d pdf.Dict) { d.Set("Contents", nil) }),
		"Contents empty":      redefine(func(d pdf.Dict) { d.Set("Contents", pdf.String{Hex: true}) }),
		"Contents literal":    redefine(func(d pdf.Dict) { d.Set("Contents", pdf.String{Bytes: l.DER}) }),
		"Contents number":     redefine(func(d pdf.Dict) { d.Set("Contents", int64(0)) }),
		"ByteRange null":      redefine(func(d pdf.Dict) { d.Set("ByteRange", nil) }),
		"ByteRange dict":      redefine(func(d pdf.Dict) { d.Set("ByteRange", pdf.NewDict()) }),
		"unchanged copy":      redefine(func(pdf.Dict) {}),
		"ByteRange to update": redefine(func(d pdf.Dict) { d.Set("ByteRange", pdf.Array{int64(0), a, b, c + 10}) }),
	}
	byUpdate["ByteRange indirect"] = appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
		d := dictOf(t, r, l.Ref).Clone()
		ref := u.Alloc()
		u.Set(ref, pdf.Array{int64(0), a, b, c})
		d.Set("ByteRange", ref)
		u.Set(l.Ref, d)
	})
	byUpdate["Contents indirect"] = appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
		d := dictOf(t, r, l.Ref).Clone()
		ref := u.Alloc()
		u.Set(ref, pdf.String{Bytes: l.DER, Hex: true})
		d.Set("Contents", ref)
		u.Set(l.Ref, d)
	})
	byUpdate["value not a dictionary"] = appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
		u.Set(l.Ref, pdf.Array{int64(1)})
	})
	for name, d := range byUpdate {
		t.Run("update/"+name, func(t *testing.T) {
			t.Parallel()
			rep := verifyPDF(t, d, w.opts)
			// An update that changes the dictionary's /ByteRange (or
			// makes it no dictionary) replaced the signature: the
			// signed one is reported too, as removed or replaced
			// (docs/decisions.md, "Signatures removed or replaced after
			// signing"), before the broken one (which has no range).
			want := 1
			switch name {
			case "ByteRange null", "ByteRange dict", "ByteRange to update", "ByteRange indirect", "value not a dictionary":
				want = 2
			}
			if len(rep.Signatures) != want {
				t.Fatalf("%d signatures, want %d\n%s", len(rep.Signatures), want, dumpReport(rep))
			}
			wantSig(t, rep, want-1, verify.TotalFailed, verify.FormatFailure)
			if want == 2 {
				wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			}
		})
	}
}

// TestAttackSWA: signature wrapping. The hole of /ByteRange must be this
// dictionary's own /Contents, and whatever comes after the signed
// revision is judged as a change.
func TestAttackSWA(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)

	t.Run("gap in another object", func(t *testing.T) {
		t.Parallel()
		// A valid CMS over the ranges, identical hex in /Contents and in
		// another object; the ranges leave out the other one.
		for _, before := range []bool{false, true} {
			var out []byte
			extra := func(r *pdf.Reader, u *pdf.Update, width int) string {
				ref := u.Alloc()
				d := pdf.NewDict()
				d.Set("Contents", pdf.Placeholder{Key: "Decoy", Width: width, Kind: pdf.PlaceholderHex})
				u.Set(ref, d)
				return "Decoy"
			}
			if before {
				// The decoy is written before the signature dictionary.
				out = craftSign(t, letterPDF(t), w.id, craft{Extra: extra, ExtraFirst: true})
				r := openPDF(t, out)
				l := sigsOf(t, out)[0]
				de, _ := r.Entry(l.Ref.Num)
				if a, _ := l.gap(); de.Offset < a {
					t.Fatalf("test bug: the decoy is not before the signature dictionary")
				}
			} else {
				out = craftSign(t, letterPDF(t), w.id, craft{Extra: extra})
			}
			wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.FormatFailure)
		}
	})
	t.Run("gap in a stream", func(t *testing.T) {
		t.Parallel()
		// The hole is inside a stream of the update: the signature
		// dictionary's /Contents is the same bytes.
		out := craftSign(t, letterPDF(t), w.id, craft{Extra: func(r *pdf.Reader, u *pdf.Update, width int) string {
			ref := u.Alloc()
			d := pdf.NewDict()
			d.Set("Decoy", pdf.Placeholder{Key: "Decoy", Width: width, Kind: pdf.PlaceholderHex})
			u.Set(ref, pdf.Array{d})
			return "Decoy"
		}})
		wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.FormatFailure)
	})
	t.Run("crafted baseline passes", func(t *testing.T) {
		t.Parallel()
		// The generator itself makes valid signatures.
		out := craftSign(t, letterPDF(t), w.id, craft{})
		wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalPassed, "")
	})
	t.Run("ranges kept, page content redefined", func(t *testing.T) {
		t.Parallel()
		out := appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
			_, page := firstPageOf(t, r)
			ref := page.Get("Contents").(pdf.Ref)
			u.SetStream(ref, pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (DIBATALKAN) Tj ET"))
		})
		s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
		if s.CoversWholeDocument || !anyContains(s.ModifiedAfterSigning, "object") {
			t.Errorf("covers whole %v, modified %q", s.CoversWholeDocument, s.ModifiedAfterSigning)
		}
	})
}

// pageContent returns the first page's content stream reference.
func pageContent(t testing.TB, r *pdf.Reader) pdf.Ref {
	t.Helper()
	_, page := firstPageOf(t, r)
	ref, ok := page.Get("Contents").(pdf.Ref)
	if !ok {
		t.Fatal("page /Contents is not a single reference")
	}
	return ref
}

// TestAttackISA: incremental saving attacks, an update after the
// signature that changes what the document shows.
func TestAttackISA(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	pageRef, _ := firstPageOf(t, r)
	contentRef := pageContent(t, r)
	cat, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	pagesRef := cat.Get("Pages").(pdf.Ref)
	l := sigsOf(t, w.signed)[0]
	widget := dictOf(t, r, l.Widget)
	// Segel's invisible widget has no appearance (docs/decisions.md, "The
	// signer's own incremental updates"): the attack gives it one.
	if widget.Get("AP") != nil {
		t.Fatal("the invisible signature's widget has an /AP")
	}

	newContent := []byte("BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET")
	cases := []struct {
		name  string
		edit  func(r *pdf.Reader, u *pdf.Update)
		names string // expected in ModifiedAfterSigning
	}{
		{"page content stream replaced", func(r *pdf.Reader, u *pdf.Update) {
			u.SetStream(contentRef, pdf.NewDict(), newContent)
		}, fmt.Sprintf("object %d", contentRef.Num)},
		{"page content pointed elsewhere", func(r *pdf.Reader, u *pdf.Update) {
			ref := u.Alloc()
			u.SetStream(ref, pdf.NewDict(), newContent)
			p := dictOf(t, r, pageRef).Clone()
			p.Set("Contents", pdf.Array{contentRef, ref})
			u.Set(pageRef, p)
		}, "/Contents"},
		{"page added", func(r *pdf.Reader, u *pdf.Update) {
			ref, cref := u.Alloc(), u.Alloc()
			u.SetStream(cref, pdf.NewDict(), newContent)
			p := dictOf(t, r, pageRef).Clone()
			p.Delete("Annots")
			p.Set("Contents", cref)
			u.Set(ref, p)
			pages := dictOf(t, r, pagesRef).Clone()
			kids, _ := r.GetArray(pages.Get("Kids"))
			pages.Set("Kids", append(append(pdf.Array{}, kids...), ref))
			pages.Set("Count", int64(len(kids)+1))
			u.Set(pagesRef, pages)
		}, fmt.Sprintf("object %d", pagesRef.Num)},
		{"catalog OpenAction", func(r *pdf.Reader, u *pdf.Update) {
			c := dictOf(t, r, r.CatalogRef()).Clone()
			js := pdf.NewDict()
			js.Set("S", pdf.Name("JavaScript"))
			js.Set("JS", pdf.String{Bytes: []byte("app.alert('x')")})
			c.Set("OpenAction", js)
			u.Set(r.CatalogRef(), c)
		}, "/OpenAction"},
		{"catalog pages replaced", func(r *pdf.Reader, u *pdf.Update) {
			ref, pref, cref := u.Alloc(), u.Alloc(), u.Alloc()
			u.SetStream(cref, pdf.NewDict(), newContent)
			p := dictOf(t, r, pageRef).Clone()
			p.Set("Contents", cref)
			p.Set("Parent", ref)
			u.Set(pref, p)
			pages := pdf.NewDict()
			pages.Set("Type", pdf.Name("Pages"))
			pages.Set("Kids", pdf.Array{pref})
			pages.Set("Count", int64(1))
			u.Set(ref, pages)
			c := dictOf(t, r, r.CatalogRef()).Clone()
			c.Set("Pages", ref)
			u.Set(r.CatalogRef(), c)
		}, "/Pages"},
		{"signature appearance added", func(r *pdf.Reader, u *pdf.Update) {
			d := pdf.NewDict()
			d.Set("Type", pdf.Name("XObject"))
			d.Set("Subtype", pdf.Name("Form"))
			d.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(50)})
			apRef := u.Alloc()
			u.SetStream(apRef, d, []byte("BT /Helv 12 Tf 0 20 Td (Disetujui Bupati) Tj ET"))
			ap := pdf.NewDict()
			ap.Set("N", apRef)
			wd := widget.Clone()
			wd.Set("AP", ap)
			u.Set(l.Widget, wd)
		}, fmt.Sprintf("object %d", l.Widget.Num)},
		{"signature widget moved", func(r *pdf.Reader, u *pdf.Update) {
			d := widget.Clone()
			d.Set("Rect", pdf.Array{int64(100), int64(100), int64(300), int64(150)})
			u.Set(l.Widget, d)
		}, fmt.Sprintf("object %d", l.Widget.Num)},
		{"object deleted", func(r *pdf.Reader, u *pdf.Update) {
			// Freeing an object: written as a null replacement by the
			// writer is a change too.
			u.Set(contentRef, nil)
		}, fmt.Sprintf("object %d", contentRef.Num)},
		{"FreeText annotation added", func(r *pdf.Reader, u *pdf.Update) {
			// No /AP: viewers draw a FreeText annotation from /DA and
			// /Contents (the "evil annotation" of Rohlmann et al., 2021).
			ref := u.Alloc()
			a := pdf.NewDict()
			a.Set("Type", pdf.Name("Annot"))
			a.Set("Subtype", pdf.Name("FreeText"))
			a.Set("Rect", pdf.Array{int64(72), int64(600), int64(400), int64(650)})
			a.Set("Contents", pdf.String{Bytes: []byte("DIBATALKAN")})
			a.Set("DA", pdf.String{Bytes: []byte("/Helv 24 Tf 1 0 0 rg")})
			u.Set(ref, a)
			p := dictOf(t, r, pageRef).Clone()
			annots, _ := r.GetArray(p.Get("Annots"))
			p.Set("Annots", append(append(pdf.Array{}, annots...), ref))
			u.Set(pageRef, p)
		}, "FreeText"},
		{"Stamp annotation with appearance added", func(r *pdf.Reader, u *pdf.Update) {
			ref, ap := u.Alloc(), u.Alloc()
			apd := pdf.NewDict()
			apd.Set("Subtype", pdf.Name("Form"))
			apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(300), int64(50)})
			u.SetStream(ap, apd, []byte("1 0 0 rg 0 0 300 50 re f"))
			a := pdf.NewDict()
			a.Set("Type", pdf.Name("Annot"))
			a.Set("Subtype", pdf.Name("Stamp"))
			a.Set("Rect", pdf.Array{int64(72), int64(600), int64(372), int64(650)})
			n := pdf.NewDict()
			n.Set("N", ap)
			a.Set("AP", n)
			u.Set(ref, a)
			p := dictOf(t, r, pageRef).Clone()
			annots, _ := r.GetArray(p.Get("Annots"))
			p.Set("Annots", append(append(pdf.Array{}, annots...), ref))
			u.Set(pageRef, p)
		}, "Stamp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := appendUpdate(t, w.signed, tc.edit)
			s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			if !anyContains(s.ModifiedAfterSigning, tc.names) {
				t.Errorf("ModifiedAfterSigning %q does not name %q", s.ModifiedAfterSigning, tc.names)
			}
		})
	}

	// Housekeeping after a signature: allowed.
	t.Run("info updated", func(t *testing.T) {
		t.Parallel()
		out := appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
			ref := r.Trailer().Get("Info").(pdf.Ref)
			d := dictOf(t, r, ref).Clone()
			d.Set("ModDate", pdf.String{Bytes: []byte("D:20260101000000Z")})
			u.Set(ref, d)
		})
		wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalPassed, "")
	})
	t.Run("empty update", func(t *testing.T) {
		t.Parallel()
		out := appendUpdate(t, w.signed, func(*pdf.Reader, *pdf.Update) {})
		s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalPassed, "")
		if s.CoversWholeDocument {
			t.Error("covers the whole document after an update")
		}
	})
}

// TestAttackISANewCatalog: an update that points the trailer's /Root at a
// new catalog (a new object number) whose page tree shows other pages.
// Nothing that existed at signing is redefined, yet the whole document
// shown is different.
func TestAttackISANewCatalog(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	out := appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
		_, page := firstPageOf(t, r)
		catRef, pagesRef, newPage, content := u.Alloc(), u.Alloc(), u.Alloc(), u.Alloc()
		u.SetStream(content, pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"))
		p := page.Clone()
		p.Set("Parent", pagesRef)
		p.Set("Contents", content)
		u.Set(newPage, p)
		pages := pdf.NewDict()
		pages.Set("Type", pdf.Name("Pages"))
		pages.Set("Kids", pdf.Array{newPage})
		pages.Set("Count", int64(1))
		u.Set(pagesRef, pages)
		cat := dictOf(t, r, r.CatalogRef()).Clone() // keeps /AcroForm: the signature is still found
		cat.Set("Pages", pagesRef)
		u.Set(catRef, cat)
		u.SetTrailer("Root", catRef)
	})
	r := openPDF(t, out)
	if r.CatalogRef() == openPDF(t, w.signed).CatalogRef() {
		t.Fatal("test bug: the catalog was not replaced")
	}
	wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
}

// TestAttackISAObjectStream: the signed revision keeps objects in an
// object stream; an update redefines only the object stream (the
// container), so objects inside it change without an xref entry of
// their own in the update.
func TestAttackISAObjectStream(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	in := testcorpus.All(t)["gs-letter/objstm"]
	signed := signPDF(t, in, optsFor(id))
	wantSig(t, verifyPDF(t, signed, opts), 0, verify.TotalPassed, "")

	r := openPDF(t, signed)
	cat, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	pagesRef := cat.Get("Pages").(pdf.Ref)
	e, ok := r.Entry(pagesRef.Num)
	if !ok || e.Type != pdf.EntryCompressed {
		testenv.SkipLocally(t, "the page tree root is not in an object stream (%+v)", e)
	}
	osRef := pdf.Ref{Num: e.Stream}
	st, err := r.GetStream(osRef)
	if err != nil {
		t.Fatal(err)
	}
	data, err := st.Decode(0)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := st.Dict.Int("N")
	first, _ := st.Dict.Int("First")
	// The header: pairs "num offset".
	fieldsHdr := strings.Fields(string(data[:first]))
	if len(fieldsHdr) != int(2*n) {
		t.Fatalf("object stream header %q", data[:first])
	}
	type entry struct {
		num  string
		body []byte
	}
	var objs []entry
	for i := 0; i < int(n); i++ {
		var off, next int
		fmt.Sscan(fieldsHdr[2*i+1], &off)
		next = len(data) - int(first)
		if i+1 < int(n) {
			fmt.Sscan(fieldsHdr[2*i+3], &next)
		}
		objs = append(objs, entry{fieldsHdr[2*i], data[int(first)+off : int(first)+next]})
	}
	out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
		_, page := firstPageOf(t, r)
		newPage, content := u.Alloc(), u.Alloc()
		u.SetStream(content, pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"))
		pg := page.Clone()
		pg.Delete("Annots")
		pg.Set("Contents", content)
		u.Set(newPage, pg)
		var hdr, body bytes.Buffer
		for _, o := range objs {
			fmt.Fprintf(&hdr, "%s %d ", o.num, body.Len())
			if o.num == fmt.Sprint(pagesRef.Num) {
				fmt.Fprintf(&body, "<< /Type /Pages /Kids [%d 0 R] /Count 1 >>\n", newPage.Num)
			} else {
				body.Write(o.body)
			}
		}
		d := pdf.NewDict()
		d.Set("Type", pdf.Name("ObjStm"))
		d.Set("N", n)
		d.Set("First", int64(hdr.Len()))
		u.SetStream(osRef, d, append(hdr.Bytes(), body.Bytes()...))
	})
	// The test's own check that the attack works on the reader.
	r2 := openPDF(t, out)
	pages, err := r2.Pages()
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].Num == firstPageNum(t, r) {
		t.Fatalf("the attack did not change the page tree: %v", pages)
	}
	wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
}

func firstPageNum(t testing.TB, r *pdf.Reader) uint32 {
	ref, _ := firstPageOf(t, r)
	return ref.Num
}

// TestAttackShadow: shadow attacks. The attacker prepares the document so
// that an update after the signature, harmless looking, changes what it
// shows.
func TestAttackShadow(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	hidden := []byte("BT /F1 36 Tf 72 400 Td (DIBATALKAN) Tj ET")

	// The prepared document: an unused content stream and an unused font
	// in the file, nothing refers to them.
	var hiddenRef, fontRef pdf.Ref
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		hiddenRef, fontRef = u.Alloc(), u.Alloc()
		u.SetStream(hiddenRef, pdf.NewDict(), hidden)
		f := pdf.NewDict()
		f.Set("Type", pdf.Name("Font"))
		f.Set("Subtype", pdf.Name("Type1"))
		f.Set("BaseFont", pdf.Name("Symbol"))
		u.Set(fontRef, f)
	})
	signed := signPDF(t, prepared, optsFor(id))
	wantSig(t, verifyPDF(t, signed, opts), 0, verify.TotalPassed, "")
	r := openPDF(t, signed)
	pageRef, page := firstPageOf(t, r)
	contentRef := pageContent(t, r)

	t.Run("hide: update refers to the unused stream", func(t *testing.T) {
		t.Parallel()
		out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
			pg := page.Clone()
			pg.Set("Contents", pdf.Array{contentRef, hiddenRef})
			u.Set(pageRef, pg)
		})
		s := wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
		if !anyContains(s.ModifiedAfterSigning, "/Contents") {
			t.Errorf("modified %q", s.ModifiedAfterSigning)
		}
	})
	t.Run("replace: font resource swapped", func(t *testing.T) {
		t.Parallel()
		fonts, err := r.GetDict(page.Get("Resources"))
		if err != nil {
			t.Fatal(err)
		}
		fontObj := fonts.Get("Font")
		out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
			fd := dictOf(t, r, fontObj).Clone()
			for _, k := range fd.Keys() {
				fd.Set(k, fontRef)
			}
			if ref, ok := fontObj.(pdf.Ref); ok {
				u.Set(ref, fd) // the indirect font resource dictionary
				return
			}
			res := fonts.Clone()
			res.Set("Font", fd)
			pg := page.Clone()
			pg.Set("Resources", res)
			u.Set(pageRef, pg)
		})
		wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
	})
	t.Run("replace: XObject resource added", func(t *testing.T) {
		t.Parallel()
		out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
			res, _ := r.GetDict(page.Get("Resources"))
			res = res.Clone()
			xo := pdf.NewDict()
			xo.Set("Im0", hiddenRef)
			res.Set("XObject", xo)
			pg := page.Clone()
			pg.Set("Resources", res)
			u.Set(pageRef, pg)
		})
		wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
	})
}

// TestAttackShadowDangling: the prepared document refers to an object
// number that does not exist at signing (a dangling reference resolves to
// null: nothing is drawn). An update that merely defines that object
// "adds a new object" and redefines nothing, yet changes what the signed
// page shows.
func TestAttackShadowDangling(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	const dangling = 900
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		pageRef, page := firstPageOf(t, r)
		content := pageContent(t, r)
		// The page draws its content, then the (missing) object 900.
		pg := page.Clone()
		pg.Set("Contents", pdf.Array{content, pdf.Ref{Num: dangling}})
		u.Set(pageRef, pg)
	})
	signed := signPDF(t, prepared, optsFor(id))
	wantSig(t, verifyPDF(t, signed, opts), 0, verify.TotalPassed, "")
	out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
		u.SetStream(pdf.Ref{Num: dangling}, pdf.NewDict(), []byte("BT /F1 36 Tf 72 400 Td (DIBATALKAN) Tj ET"))
	})
	// The attack works on the reader: the object now resolves.
	if o, err := openPDF(t, out).Resolve(pdf.Ref{Num: dangling}); err != nil || o == nil {
		t.Fatalf("test bug: object %d does not resolve after the update: %v %v", dangling, o, err)
	}
	wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
}

// TestAttackOverlayUnsignedField: after the signature, an update adds an
// empty (unsigned) signature field whose visible appearance covers the
// letter's text with other text. Only signatures and housekeeping are
// allowed after a signature; an unsigned widget drawing on the page is
// neither.
func TestAttackOverlayUnsignedField(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	out := craftSign(t, w.signed, w.id, craft{
		Field:      "Overlay",
		NoValue:    true,
		Rect:       pdf.Array{int64(0), int64(0), int64(595), int64(842)},
		Appearance: []byte("1 1 1 rg 0 0 595 842 re f BT /Helv 36 Tf 0 0 0 rg 72 400 Td (DIBATALKAN) Tj ET"),
	})
	rep := verifyPDF(t, out, w.opts)
	s := rep.Signatures[0]
	if s.Indication == verify.TotalPassed && len(s.ModifiedAfterSigning) == 0 {
		t.Errorf("an unsigned widget painting over the page passes silently\n%s", dumpReport(rep))
	}
	wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
}

// TestAttackTrailingBytes: bytes after the last %%EOF that are no
// revision.
func TestAttackTrailingBytes(t *testing.T) {
	t.Parallel()
	w := newWorldIn(t, onlinePKIFor(t), testpki.ECDSAP256) // no warnings when all is well
	for name, tail := range map[string][]byte{
		"an object after %%EOF": []byte("\n99 0 obj\n<< /Type /Page >>\nendobj\n% trailing\n"),
		"the signed file again": w.signed,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := append(w.clone(), tail...)
			rep, err := verify.Verify(context.Background(), bytes.NewReader(out), int64(len(out)), w.opts)
			if err != nil {
				return // not readable: fine
			}
			s := rep.Signatures[0]
			if s.CoversWholeDocument {
				t.Errorf("covers the whole document with bytes after it")
			}
			if s.Indication == verify.TotalPassed && len(s.Warnings)+len(rep.Warnings)+len(s.ModifiedAfterSigning) == 0 {
				t.Errorf("bytes after the signed revision pass without a word\n%s", dumpReport(rep))
			}
		})
	}
}

// TestAttackStartxrefRewound: the last signature's startxref is changed to
// point to the previous revision's xref. Only the first signature is then
// seen; the bytes of the second revision (which the changed startxref is
// part of) are ignored.
func TestAttackStartxrefRewound(t *testing.T) {
	t.Parallel()
	w := newWorldIn(t, onlinePKIFor(t), testpki.ECDSAP256) // no warnings when all is well
	two := signPDF(t, w.signed, optsFor(w.id))
	first := openPDF(t, w.signed).StartXref()
	last := openPDF(t, two).StartXref()
	tail := bytes.LastIndex(two, []byte("startxref"))
	old := fmt.Sprintf("startxref\n%d", last)
	repl := fmt.Sprintf("startxref\n%d", first)
	repl += strings.Repeat(" ", len(old)-len(repl)) // same length: a substitution
	if !bytes.HasPrefix(two[tail:], []byte(old)) {
		t.Fatalf("unexpected tail %q", two[tail:])
	}
	out := append([]byte{}, two...)
	copy(out[tail:], repl)
	rep, err := verify.Verify(context.Background(), bytes.NewReader(out), int64(len(out)), w.opts)
	if err != nil {
		return
	}
	if rep.Indication == verify.TotalPassed && len(rep.Warnings) == 0 && len(rep.Signatures[0].Warnings) == 0 {
		t.Errorf("a byte covered by the second signature changed, the document passes without a word\n%s", dumpReport(rep))
	}
}

// TestAttackUntrusted: no path to a configured anchor is never a pass.
func TestAttackUntrusted(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	signed := signPDF(t, letterPDF(t), optsFor(id))                            // the whole chain, root included, in the PDF
	other := testpki.MustNew(t, testpki.Options{Name: "Segel Verify Offline"}) // same names, other keys
	impostor := other.MustIssueSigner(t, testpki.SignerOptions{Subject: id.Cert.Subject})
	forged := signPDF(t, letterPDF(t), optsFor(impostor))

	for name, tc := range map[string]struct {
		data []byte
		opts *verify.Options
	}{
		"nil options":      {signed, nil},
		"no anchors":       {signed, &verify.Options{}},
		"empty pool":       {signed, &verify.Options{Trust: anchors()}},
		"other PKI's root": {signed, &verify.Options{Trust: anchors(other.Root.Cert)}},
		"issuing CA as intermediate": {signed, func() *verify.Options {
			pool := anchors(other.Root.Cert)
			pool.AddIntermediate(p.Issuing.Cert, "intermediate")
			return &verify.Options{Trust: pool}
		}()},
		"impostor with same names": {forged, &verify.Options{Trust: anchors(p.Root.Cert)}},
		"pinned other signer":      {signed, &verify.Options{Trust: anchors(impostor.Cert)}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep, err := verify.Verify(context.Background(), bytes.NewReader(tc.data), int64(len(tc.data)), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			s := wantSig(t, rep, 0, verify.Indeterminate, verify.NoCertificateChainFound)
			if s.TrustAnchor != "" || len(s.Chain) != 0 {
				t.Errorf("anchor %q chain %d", s.TrustAnchor, len(s.Chain))
			}
		})
	}
}

// TestAttackCertificationP1: a document certified with no changes allowed
// (P=1), then signed again by a signer that ignores it: the certification
// fails. Segel's own signer refuses to sign it.
func TestAttackCertificationP1(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	certifier := signerID(t, p, testpki.ECDSAP256)
	approver := signerID(t, p, testpki.RSA2048)
	o := optsFor(certifier)
	o.Certify = signer.NoChanges
	certified := signPDF(t, letterPDF(t), o)
	wantSig(t, verifyPDF(t, certified, opts), 0, verify.TotalPassed, "")

	var buf bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(certified), int64(len(certified)), &buf, optsFor(approver)); !errors.Is(err, signer.ErrLocked) {
		t.Errorf("Segel's signer on a P=1 document: %v, want ErrLocked", err)
	}
	out := craftSign(t, certified, approver, craft{Field: "Approval"})
	rep := verifyPDF(t, out, opts)
	checkDocLen(t, rep, 2)
	s := wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
	if len(s.ModifiedAfterSigning) == 0 {
		t.Error("nothing named as modified")
	}
	wantSig(t, rep, 1, verify.TotalPassed, "")
}

// TestCertificationP2: certified with form filling and signing allowed
// (P=2), then signed again: both pass.
func TestCertificationP2(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	o := optsFor(signerID(t, p, testpki.ECDSAP256))
	o.Certify = signer.FormFilling
	certified := signPDF(t, letterPDF(t), o)
	out := signPDF(t, certified, optsFor(signerID(t, p, testpki.RSA2048)))
	rep := verifyPDF(t, out, opts)
	checkDocLen(t, rep, 2)
	wantSig(t, rep, 0, verify.TotalPassed, "")
	wantSig(t, rep, 1, verify.TotalPassed, "")
	// A third signer, crafted the same way as in the P=1 test, is
	// allowed too.
	out = craftSign(t, out, signerID(t, p, testpki.ECDSAP256), craft{Field: "Approval"})
	rep = verifyPDF(t, out, opts)
	for i := range 3 {
		wantSig(t, rep, i, verify.TotalPassed, "")
	}
	// But P=2 does not allow annotations.
	out = appendUpdate(t, certified, func(r *pdf.Reader, u *pdf.Update) {
		c := dictOf(t, r, r.CatalogRef()).Clone()
		c.Set("OpenAction", pdf.Array{int64(0), pdf.Name("Fit")})
		u.Set(r.CatalogRef(), c)
	})
	wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
}

func checkDocLen(t testing.TB, rep *verify.Report, n int) {
	t.Helper()
	if len(rep.Signatures) != n {
		t.Fatalf("%d signatures, want %d\n%s", len(rep.Signatures), n, dumpReport(rep))
	}
}

// TestAttackShadowAlias: the prepared document makes a content object
// also look like one of the objects that may change after a signature
// (the information dictionary, the DSS), then an update redefines it.
func TestAttackShadowAlias(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	base := letterPDF(t)
	br := openPDF(t, base)
	cat, err := br.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	pagesRef := cat.Get("Pages").(pdf.Ref)
	contentRef := pageContent(t, br)

	// replacePages redefines the page tree root with one new page.
	replacePages := func(r *pdf.Reader, u *pdf.Update) {
		_, page := firstPageOf(t, r)
		newPage, content := u.Alloc(), u.Alloc()
		u.SetStream(content, pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"))
		pg := page.Clone()
		pg.Delete("Annots")
		pg.Set("Contents", content)
		u.Set(newPage, pg)
		pages := dictOf(t, r, pagesRef).Clone()
		pages.Set("Kids", pdf.Array{newPage})
		pages.Set("Count", int64(1))
		u.Set(pagesRef, pages)
	}
	replaceContent := func(r *pdf.Reader, u *pdf.Update) {
		u.SetStream(contentRef, pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"))
	}
	setCatalog := func(key pdf.Name, v pdf.Object) func(r *pdf.Reader, u *pdf.Update) {
		return func(r *pdf.Reader, u *pdf.Update) {
			c := dictOf(t, r, r.CatalogRef()).Clone()
			c.Set(key, v)
			u.Set(r.CatalogRef(), c)
		}
	}
	dssCerts := pdf.NewDict()
	dssCerts.Set("Certs", contentRef)
	for _, tc := range []struct {
		name    string
		prepare func(r *pdf.Reader, u *pdf.Update)
		attack  func(r *pdf.Reader, u *pdf.Update)
	}{
		{"Info is the page tree", func(r *pdf.Reader, u *pdf.Update) { u.SetTrailer("Info", pagesRef) }, replacePages},
		{"DSS is the page tree", setCatalog("DSS", pagesRef), replacePages},
		{"DSS Certs is the page content", func(r *pdf.Reader, u *pdf.Update) {
			ref := u.Alloc()
			u.Set(ref, dssCerts)
			setCatalog("DSS", ref)(r, u)
		}, replaceContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			prepared := appendUpdate(t, base, tc.prepare)
			signed := signPDF(t, prepared, optsFor(id))
			wantSig(t, verifyPDF(t, signed, opts), 0, verify.TotalPassed, "")
			out := appendUpdate(t, signed, tc.attack)
			wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
		})
	}
}

// TestAttackHybridXRefStm: the update's classic xref table lists nothing
// but its /XRefStm, a cross-reference stream that redefines the page
// content. Readers of hybrid files (Acrobat, pdf.js, Segel's own) use it.
func TestAttackHybridXRefStm(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	contentRef := pageContent(t, r)
	tr := r.Trailer()
	size := int64(r.Size())
	content := "BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"

	var buf bytes.Buffer
	buf.Write(w.signed)
	offContent := int64(buf.Len())
	fmt.Fprintf(&buf, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", contentRef.Num, len(content), content)
	offStm := int64(buf.Len())
	entry := []byte{1, byte(offContent >> 24), byte(offContent >> 16), byte(offContent >> 8), byte(offContent), 0, 0}
	fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1] /Length %d >>\nstream\n", size, size+1, contentRef.Num, len(entry))
	buf.Write(entry)
	buf.WriteString("\nendstream\nendobj\n")
	offXref := int64(buf.Len())
	fmt.Fprintf(&buf, "xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %v /Info %v /Prev %d /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n",
		size, offStm, size+1, tr.Get("Root"), tr.Get("Info"), r.StartXref(), offStm, offXref)
	out := buf.Bytes()

	st, err := openPDF(t, out).GetStream(contentRef)
	if err != nil || st.Offset < int64(len(w.signed)) {
		testenv.SkipLocally(t, "the reader does not use /XRefStm entries of an update (%v): nothing to attack", err)
	}
	wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
}

// TestFormFilling: filling in a text field after a signature is reported;
// it is permitted after an approval signature or a P=2 certification,
// and forbidden by a P=1 certification.
func TestFormFilling(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	form := testcorpus.Base(t)["form-2page"]
	fill := func(t *testing.T, signed []byte) []byte {
		return appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
			ref, d, err := r.FieldByName("perihal")
			if err != nil {
				t.Fatal(err)
			}
			d = d.Clone()
			d.Set("V", pdf.String{Bytes: []byte("Undangan Rapat")})
			ap := u.Alloc()
			apd := pdf.NewDict()
			apd.Set("Type", pdf.Name("XObject"))
			apd.Set("Subtype", pdf.Name("Form"))
			apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
			u.SetStream(ap, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Undangan Rapat) Tj ET EMC"))
			n := pdf.NewDict()
			n.Set("N", ap)
			d.Set("AP", n)
			u.Set(ref, d)
		})
	}
	for _, tc := range []struct {
		certify signer.Permission
		ind     verify.Indication
		sub     verify.SubIndication
	}{
		{signer.NotCertified, verify.TotalPassed, ""},
		{signer.FormFilling, verify.TotalPassed, ""},
		{signer.NoChanges, verify.TotalFailed, verify.ModifiedAfterSigning},
	} {
		t.Run(fmt.Sprintf("P=%d", tc.certify), func(t *testing.T) {
			t.Parallel()
			o := optsFor(id)
			o.Certify = tc.certify
			out := fill(t, signPDF(t, form, o))
			s := wantSig(t, verifyPDF(t, out, opts), 0, tc.ind, tc.sub)
			if !anyContains(s.ModifiedAfterSigning, "perihal") {
				t.Errorf("the filled field is not reported: %q", s.ModifiedAfterSigning)
			}
		})
	}
}
