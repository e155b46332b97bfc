package citizen_test

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/tsa"
)

// TestRealLetters: letters as they come from BSrE — a certificate that has
// since expired on a letter without a timestamp says in plain words what
// is missing, and a letter with a signature timestamp shows it — with the
// signer, the agency and the CA.
func TestRealLetters(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	now := time.Now()
	signWith := func(id *testpki.Identity, edit func(o *signer.Options)) []byte {
		t.Helper()
		src := letterPDF()
		o := &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Reason: "Menyetujui"}
		edit(o)
		var dst bytes.Buffer
		if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, o); err != nil {
			t.Fatal(err)
		}
		return dst.Bytes()
	}
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify})

	// Signed in time with a certificate that has expired since; nothing
	// proves when.
	expired := w.pki.MustIssueSigner(t, testpki.SignerOptions{
		Subject:   pkix.Name{CommonName: "Sari Wulandari", Organization: []string{"Dinas Komunikasi dan Informatika"}},
		NotBefore: now.AddDate(0, -10, 0), NotAfter: now.AddDate(0, 0, -10),
	})
	old := signWith(expired, func(o *signer.Options) { o.Time = now.AddDate(0, -3, 0) })
	_, html := post(t, srv.URL+"/verify", old)
	if h := headlineOf(html); h != "Belum dapat dipastikan: sertifikat sudah kedaluwarsa dan surat tidak memiliki stempel waktu yang membuktikan ditandatangani tepat waktu" {
		t.Errorf("expired, no timestamp: %q", h)
	}
	for _, want := range []string{"Sari Wulandari", "Dinas Komunikasi dan Informatika", "Segel Test CA DS G1", "Tidak ada stempel waktu tepercaya", `class="verdict warn"`} {
		if !strings.Contains(html, want) {
			t.Errorf("expired letter lacks %q", want)
		}
	}
	if strings.Contains(html, "Dokumen asli") || strings.Contains(html, "tidak sah") {
		t.Error("an expired letter without a timestamp reads as authentic or as failed")
	}
	_, html = post(t, srv.URL+"/verify?lang=en", old)
	if h := headlineOf(html); h != "Cannot be confirmed yet: the certificate has expired and the letter carries no timestamp proving it was signed in time" {
		t.Errorf("expired, English: %q", h)
	}

	// PAdES B-T: the timestamp and its authority are shown.
	tsaID, err := w.pki.IssueTSA(testpki.SignerOptions{Subject: pkix.Name{CommonName: "Segel Test TSA"}})
	if err != nil {
		t.Fatal(err)
	}
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsaSrv.Close)
	client, err := tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: w.pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	stamped := signWith(w.signer, func(o *signer.Options) { o.Level, o.Timestamper = signer.LevelT, client })
	_, html = post(t, srv.URL+"/verify", stamped)
	if h := headlineOf(html); !strings.HasPrefix(h, "Dokumen asli") {
		t.Errorf("B-T letter: %q", h)
	}
	for _, want := range []string{"PAdES-BASELINE-T", "dengan stempel waktu tepercaya", "Segel Test TSA", "Stempel waktu tepercaya</dt><dd>"} {
		if !strings.Contains(html, want) {
			t.Errorf("B-T letter lacks %q", want)
		}
	}
	if strings.Contains(html, "Tidak ada stempel waktu tepercaya") {
		t.Error("B-T letter reads as without a timestamp")
	}
	emptyDir(t, tmp)
}
