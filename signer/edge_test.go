package signer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// TestSignKidWidgetField signs into an empty signature field whose widget
// is a separate kid (field and widget not merged). Segel writes /V on the
// field, as ISO 32000 says; qpdf and openssl agree. poppler 22.12's pdfsig
// looks for /V on the widget and reports the field as unsigned: that is
// logged, not failed.
func TestSignKidWidgetField(t *testing.T) {
	t.Parallel()
	src := generatePDF(genOptions{Pages: 2, Form: 2, TextFields: 1, EmptySig: true, SigKidWidget: true, Seed: 7})
	qpdfCheck(t, src)
	opts := optionsFor(identity(t, testpki.ECDSAP256))
	opts.Field = "Approval"
	out, res := signBytes(t, src, opts)
	if res.Field != "Approval" {
		t.Errorf("Result.Field = %q", res.Field)
	}
	qpdfCheck(t, out)
	sigs := scanSignatures(t, out)
	if len(sigs) != 1 || sigs[0].ByteRange != res.ByteRange {
		t.Fatalf("signatures in the file: %+v", sigs)
	}
	if err := opensslVerify(t, out, res.ByteRange, sigs[0].DER, rootPEM(t)); err != nil {
		t.Error(err)
	}
	// The field, not its widget, holds /V.
	r, err := pdf.Open(bytes.NewReader(out), int64(len(out)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, field, err := r.FieldByName("Approval")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := field.Get("V").(pdf.Ref); !ok || !field.Has("Kids") {
		t.Errorf("field Approval = %v, want /V on the field with /Kids", field)
	}
	// qpdf resolves the inherited value on the widget.
	q := qpdfFields(t, out)
	if f := q["Approval"]; f.FieldType != "/Sig" || string(f.Value) == "null" {
		t.Errorf("qpdf: Approval = %+v, want a signed /Sig field", f)
	}
	ps, report := runPdfsig(t, out)
	if len(ps) != 1 || !strings.Contains(ps[0].Text, "Signature is Valid") {
		t.Logf("pdfsig (poppler 22.12) does not see /V on a field whose widget is a kid:\n%s", report)
	}
}

// TestSignContextCanceled: a canceled context stops Sign before the key
// signs.
func TestSignContextCanceled(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	key := &countingSigner{Signer: id.Key}
	opts := optionsFor(id)
	opts.Signer = key
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := letter(t)
	_, err := signer.Sign(ctx, bytes.NewReader(src), int64(len(src)), io.Discard, opts)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if key.calls.Load() != 0 {
		t.Errorf("the key signed %d times after cancellation", key.calls.Load())
	}
}

type failingWriter struct{ after int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errDiskFull
	}
	if len(p) > w.after {
		n := w.after
		w.after = 0
		return n, errDiskFull
	}
	w.after -= len(p)
	return len(p), nil
}

type failingReaderAt struct {
	r    io.ReaderAt
	from int64
}

var errIO = errors.New("input/output error")

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.from && off < f.from+1 {
		return 0, errIO
	}
	return f.r.ReadAt(p, off)
}

// TestSignIOErrors: write and read errors are returned, and the key does
// not sign for a document that could not be written.
func TestSignIOErrors(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	src := letter(t)
	for _, after := range []int{0, 100, len(src) - 1, len(src) + 10} {
		key := &countingSigner{Signer: id.Key}
		opts := optionsFor(id)
		opts.Signer = key
		_, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &failingWriter{after: after}, opts)
		if !errors.Is(err, errDiskFull) {
			t.Errorf("writer failing after %d bytes: err = %v, want it to wrap the write error", after, err)
		}
		if key.calls.Load() != 0 {
			t.Errorf("writer failing after %d bytes: the key signed %d times", after, key.calls.Load())
		}
	}
	// A read error in the middle of the copy (the pdf reader reads only
	// the tail and the objects it needs).
	key := &countingSigner{Signer: id.Key}
	opts := optionsFor(id)
	opts.Signer = key
	_, err := signer.Sign(context.Background(), failingReaderAt{bytes.NewReader(src), 300}, int64(len(src)), io.Discard, opts)
	if err == nil {
		t.Errorf("a failing source gave no error")
	}
	if key.calls.Load() != 0 {
		t.Errorf("the key signed %d times over an unreadable source", key.calls.Load())
	}
	// A size larger than the source.
	var buf bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src))+100, &buf, optionsFor(id)); err == nil {
		t.Errorf("a size beyond the source gave no error")
	}
}

// TestSignConcurrent signs many documents at once with the same key and
// options (run it with -race).
func TestSignConcurrent(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.RSA2048)
	opts := optionsFor(id)
	opts.Reason = "Persetujuan"
	key := &countingSigner{Signer: id.Key}
	opts.Signer = key
	src := letter(t)
	const n = 16
	outs := make([][]byte, n)
	results := make([]*signer.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var buf bytes.Buffer
			results[i], errs[i] = signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &buf, opts)
			outs[i] = buf.Bytes()
		})
	}
	wg.Wait()
	if key.calls.Load() != n {
		t.Errorf("%d documents, %d key signatures", n, key.calls.Load())
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("document %d: %v", i, errs[i])
		}
	}
	root := rootPEM(t)
	for i := range n {
		if err := opensslVerify(t, outs[i], results[i].ByteRange, results[i].Signature, root); err != nil {
			t.Errorf("document %d: %v", i, err)
		}
	}
	checkExternal(t, outs[0], results[0], allSegel(1))
}

// TestSignVersionAndTrailer checks what the update keeps from the
// source's trailer (/ID, /Info, /Root) and that signing a PDF 1.3 file
// gives a file every validator reads.
func TestSignVersionAndTrailer(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	src := generatePDF(genOptions{Pages: 1, Info: true, Seed: 11})
	out, res := signBytes(t, src, optionsFor(id))
	checkExternal(t, out, res, allSegel(1))
	before, err := pdf.Open(bytes.NewReader(src), int64(len(src)), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := pdf.Open(bytes.NewReader(out), int64(len(out)), nil)
	if err != nil {
		t.Fatal(err)
	}
	bt, at := before.Trailer(), after.Trailer()
	for _, key := range []pdf.Name{"Root", "Info"} {
		if fmt.Sprint(bt.Get(key)) != fmt.Sprint(at.Get(key)) {
			t.Errorf("trailer /%s = %v, was %v", key, at.Get(key), bt.Get(key))
		}
	}
	if ids, ok := at.Get("ID").(pdf.Array); !ok || len(ids) != 2 {
		t.Errorf("trailer /ID = %v, want two strings", at.Get("ID"))
	} else if bids, _ := bt.Get("ID").(pdf.Array); fmt.Sprint(bids[0]) != fmt.Sprint(ids[0]) {
		t.Errorf("the first /ID changed: %v, was %v", ids[0], bids[0])
	}
	if got := len(after.Revisions()); got != len(before.Revisions())+1 {
		t.Errorf("%d revisions after signing, want %d", got, len(before.Revisions())+1)
	}
	if p, _ := at.Int("Prev"); p != before.StartXref() {
		t.Errorf("/Prev = %d, want the source's startxref %d", p, before.StartXref())
	}
}

// TestSignTrailingBytes signs files with bytes after the last %%EOF (NUL
// padding from upload tools, an appended HTML error page) and with
// 19-byte xref entries (a common writer mistake): the update goes after
// them and every validator accepts the result.
func TestSignTrailingBytes(t *testing.T) {
	t.Parallel()
	src := letter(t)
	id := identity(t, testpki.ECDSAP256)
	cases := map[string][]byte{
		"nul-100":     append(bytes.Clone(src), bytes.Repeat([]byte{0}, 100)...),
		"nul-2000":    append(bytes.Clone(src), bytes.Repeat([]byte{0}, 2000)...),
		"html":        append(bytes.Clone(src), "<html><body>502 Bad Gateway</body></html>\n"...),
		"19byte-xref": bytes.ReplaceAll(src, []byte(" n \n"), []byte(" n\n")),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, res := signBytes(t, data, optionsFor(id))
			checkExternal(t, out, res, allSegel(1))
			qpdfCheck(t, out)
		})
	}
}
