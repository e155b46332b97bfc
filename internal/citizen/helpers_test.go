package citizen_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// letterPDF returns a one-page letter with a classic cross-reference
// table; its content stream holds the words "SURAT EDARAN".
func letterPDF() []byte {
	content := "BT /F1 14 Tf 72 770 Td (SURAT EDARAN) Tj 0 -24 Td (Nomor 800/9/2026) Tj ET"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// world is a test PKI, a signer in it, and the verification the page is
// configured with: the PKI's root as the only trust anchor.
type world struct {
	pki    *testpki.PKI
	signer *testpki.Identity
	verify func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error)
}

func newWorld(t *testing.T, cn string) *world {
	t.Helper()
	pki := testpki.MustNew(t, testpki.Options{})
	id := pki.MustIssueSigner(t, testpki.SignerOptions{
		Subject:        pkix.Name{CommonName: cn, Organization: []string{"Pemerintah Kabupaten Sleman"}, SerialNumber: "197001012000031001"},
		NonRepudiation: true,
	})
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	return &world{
		pki:    pki,
		signer: id,
		verify: func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error) {
			return verify.Verify(ctx, src, size, &verify.Options{Trust: pool, Offline: true})
		},
	}
}

// sign signs the test letter as the world's signer with the given reason.
func (w *world) sign(t *testing.T, reason string) []byte {
	t.Helper()
	src := letterPDF()
	var dst bytes.Buffer
	_, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, &signer.Options{
		Signer:      w.signer.Key,
		Certificate: w.signer.Cert,
		Chain:       w.signer.Chain,
		Reason:      reason,
		Location:    "Sleman",
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst.Bytes()
}

// tamper returns a copy of a signed letter with one byte of its signed
// page content changed.
func tamper(t *testing.T, signed []byte) []byte {
	t.Helper()
	bad := bytes.Clone(signed)
	i := bytes.Index(bad, []byte("SURAT EDARAN"))
	if i < 0 {
		t.Fatal("the letter's text is not in the signed file")
	}
	bad[i] = 'X'
	return bad
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fakeDocs is an in-memory DocumentSource.
type fakeDocs struct {
	mu    sync.Mutex
	docs  map[string]*store.Document
	blobs map[string][]byte
}

func (f *fakeDocs) GetDocument(_ context.Context, id string) (*store.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.docs[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	c := *d
	return &c, nil
}

func (f *fakeDocs) OpenBlob(_ context.Context, id string) (io.ReadCloser, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.blobs[id]
	if !ok {
		return nil, 0, store.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
}

// Ids of the documents in the register of the tests.
const (
	idPublic       = "pub4ic2l3tt3rabcdefghijklm" // downloadable
	idConfidential = "s3cr3tl3tt3rabcdefghijklmn" // rahasia, downloadable by profile
	idNotStored    = "n0tst0r3dl3tt3rabcdefghijk" // downloadable by profile, file not kept
	idPlain        = "p1a1nl3tt3rabcdefghijklmno" // the profile does not offer downloads
	idUnknown      = "unkn0wnl3tt3rabcdefghijklm"
)

// register builds the register for a signed letter: the same letter under
// several ids with different download rules.
func register(signed []byte) *fakeDocs {
	base := store.Document{
		Profile:       "sekda",
		Level:         "B-B",
		SignedAt:      time.Date(2026, 3, 2, 7, 5, 0, 0, time.UTC),
		SignerName:    "Budi Santoso",
		SignerSubject: "SERIALNUMBER=197001012000031001,CN=Budi Santoso,O=Pemerintah Kabupaten Sleman,C=ID",
		SignerIssuer:  "CN=Segel Test CA DS G1,O=Segel Test,C=ID",
		OutputSHA256:  sha(signed),
		Size:          int64(len(signed)),
		Number:        "800/9/2026",
		Subject:       "Undangan Rapat Koordinasi",
		Title:         "Sekretaris Daerah",
		NIP:           "197001012000031001",
	}
	f := &fakeDocs{docs: map[string]*store.Document{}, blobs: map[string][]byte{}}
	add := func(id string, edit func(d *store.Document)) {
		d := base
		d.ID = id
		edit(&d)
		f.docs[id] = &d
		if d.Stored {
			f.blobs[id] = signed
		}
	}
	add(idPublic, func(d *store.Document) { d.Downloadable, d.Stored = true, true })
	add(idConfidential, func(d *store.Document) { d.Downloadable, d.Stored, d.Confidential = true, true, true })
	add(idNotStored, func(d *store.Document) { d.Downloadable = true })
	add(idPlain, func(d *store.Document) { d.Stored = true })
	return f
}

// newPage starts the page on a test server; edit may change the options
// before New.
func newPage(t *testing.T, o citizen.Options) (*httptest.Server, string) {
	t.Helper()
	if o.TempDir == "" {
		o.TempDir = t.TempDir()
	}
	h, err := citizen.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, o.TempDir
}

// post uploads file as the multipart field "file", the way the form does.
func post(t *testing.T, url string, file []byte, header ...string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "ignored")
	fw, err := mw.CreateFormFile("file", "surat.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, url, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// emptyDir fails the test if dir holds anything.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("temporary files left in %s: %s", dir, strings.Join(names, ", "))
	}
}
