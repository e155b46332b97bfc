package citizen_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// verdictKind is one kind of answer the citizens' page gives, made from a
// real file: the table of every kind that docs/verdicts.md describes and
// shows (TestVerdictKinds over HTTP, TestVerdictScreenshots in Chromium,
// TestVerdictDocs for the document).
type verdictKind struct {
	// name names the screenshots (docs/screenshots/citizen/<name>-360.png
	// and -1280.png) and the section of docs/verdicts.md.
	name string
	// path is the page, with its query: the file is uploaded through its
	// form, or the page is only opened when file is nil.
	path string
	// toggle clicks the language switch before uploading (in Chromium;
	// over HTTP path already says ?lang=).
	toggle bool
	file   []byte
	// class is the colour of the verdict box (ok, warn, bad), or "" for a
	// page without one (the record).
	class string
	// headline is how the verdict's headline (the page's h1) begins.
	headline string
	// shows are further phrases of the page: the reason a kind differs
	// from its neighbours (the coverage line of a form filled in, the
	// comparison of a copy).
	shows []string
	// hides are phrases the page must not show.
	hides []string
	// sigs are the colours of the signature entries, in order.
	sigs []string
}

// kindsWorld is the PKI, the servers and the page the kinds are made and
// shown with: one CA served over HTTP (OCSP, CRL, CA certificates) that
// the page trusts, a TSA of that CA, and verification online, as the
// deployed page runs it.
type kindsWorld struct {
	pki    *testpki.PKI
	signer *testpki.Identity
	tsa    *tsa.Client
	good   []byte // the registered letter, behind /v/{id}
	page   *httptest.Server
	tmp    string
}

// signWith signs src with id; edit may change the options.
func signWith(t *testing.T, src []byte, id *testpki.Identity, edit func(o *signer.Options)) []byte {
	t.Helper()
	o := &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Reason: "Menyetujui", Location: "Sleman"}
	if edit != nil {
		edit(o)
	}
	var dst bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, o); err != nil {
		t.Fatal(err)
	}
	return dst.Bytes()
}

// update appends to data an incremental update made by edit, as a PDF
// editor saving a signed file does.
func update(t *testing.T, data []byte, edit func(r *pdf.Reader, u *pdf.Update)) []byte {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	u := pdf.NewUpdate(r)
	edit(r, u)
	res, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return append(bytes.Clone(data), res.Data...)
}

func newKindsWorld(t *testing.T) *kindsWorld {
	t.Helper()
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	person := pkix.Name{CommonName: "Budi Santoso", Organization: []string{"Pemerintah Kabupaten Sleman"}, SerialNumber: "197001012000031001"}
	w := &kindsWorld{pki: pki, signer: pki.MustIssueSigner(t, testpki.SignerOptions{Subject: person, NonRepudiation: true})}
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{Subject: pkix.Name{CommonName: "Segel Test TSA"}})
	if err != nil {
		t.Fatal(err)
	}
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsaSrv.Close)
	if w.tsa, err = tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: pki.Roots()}); err != nil {
		t.Fatal(err)
	}
	w.good = signWith(t, letterPDF(), w.signer, func(o *signer.Options) { o.Reason = "Menyetujui undangan rapat" })

	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	checker := revocation.New(revocation.Options{Timeout: 3 * time.Second})
	verifyFn := func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error) {
		return verify.Verify(ctx, src, size, &verify.Options{Trust: pool, Revocation: checker})
	}
	// Branded as a regency deploys it (config `branding:`), so that the
	// pictures show the page as citizens see it.
	w.page, w.tmp = newPage(t, citizen.Options{Verify: verifyFn, Documents: register(w.good), RateLimit: -1,
		Branding: citizen.Branding{Name: "Pemerintah Kabupaten Sleman", ShortName: "Kab. Sleman",
			Logo: emblem(t), LogoType: "image/png",
			Address: "Jl. Contoh No. 1, Sleman", Website: "https://pemkab.example"}})
	return w
}

// emblem draws a stand-in regency emblem (a green disc, a gold ring and
// a gold star), 96×96 PNG: no real coat of arms is committed.
func emblem(t *testing.T) []byte {
	t.Helper()
	const n = 96
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	green := color.NRGBA{0x1b, 0x5e, 0x20, 0xff}
	gold := color.NRGBA{0xf2, 0xb7, 0x05, 0xff}
	// The star's ten corners, alternately 36 and 15 pixels from the centre.
	var star [10][2]float64
	for i := range star {
		r := 36.0
		if i%2 == 1 {
			r = 15
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		star[i] = [2]float64{n/2 + r*math.Cos(a), n/2 + r*math.Sin(a)}
	}
	inStar := func(x, y float64) bool {
		in := false
		for i, j := 0, len(star)-1; i < len(star); j, i = i, i+1 {
			a, b := star[i], star[j]
			if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
		return in
	}
	for y := range n {
		for x := range n {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(fx-n/2, fy-n/2)
			switch {
			case d > 47:
			case d > 43:
				img.Set(x, y, gold)
			case inStar(fx, fy):
				img.Set(x, y, gold)
			default:
				img.Set(x, y, green)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// verdictKinds returns every kind of answer of the citizens' page, each
// from a real file made here. A kind the page can give that is missing
// here is missing from docs/verdicts.md.
func verdictKinds(t *testing.T, w *kindsWorld) []verdictKind {
	t.Helper()
	now := time.Now()
	person := func(cn, org string) pkix.Name {
		return pkix.Name{CommonName: cn, Organization: []string{org}}
	}

	// A revoked certificate: revoked half an hour ago, the letter
	// signed and timestamped after that; and one without a timestamp,
	// where nothing proves it was signed before the revocation.
	revoked := w.pki.MustIssueSigner(t, testpki.SignerOptions{Subject: person("Agus Prasetyo", "Pemerintah Kabupaten Sleman"), NonRepudiation: true})
	if err := w.pki.Revoke(revoked.Cert, now.Add(-30*time.Minute), 1); err != nil { // keyCompromise
		t.Fatal(err)
	}
	// A certificate whose OCSP responder does not answer (a closed port)
	// and that names no CRL.
	dead := httptest.NewServer(nil)
	deadURL := dead.URL + "/ocsp"
	dead.Close()
	unreachable := w.pki.MustIssueSigner(t, testpki.SignerOptions{Subject: person("Dewi Lestari", "Pemerintah Kabupaten Sleman"),
		NonRepudiation: true, OCSPServer: []string{deadURL}, CRLDistributionPoints: []string{}})
	// Signed in time with a certificate that has expired since.
	expired := w.pki.MustIssueSigner(t, testpki.SignerOptions{Subject: person("Sari Wulandari", "Dinas Komunikasi dan Informatika"),
		NotBefore: now.AddDate(0, -10, 0), NotAfter: now.AddDate(0, 0, -10)})
	// Another CA with the same name and agency in its certificate.
	stranger := newWorld(t, "Budi Santoso")

	// A form, signed (approval), then filled in or annotated.
	form := testcorpus.Base(t)["form-2page"]
	signedForm := signWith(t, form, w.signer, nil)
	filled := update(t, signedForm, func(r *pdf.Reader, u *pdf.Update) {
		ref, d, err := r.FieldByName("perihal")
		if err != nil {
			t.Fatal(err)
		}
		d = d.Clone()
		d.Set("V", pdf.String{Bytes: []byte("Undangan Rapat")})
		apd := pdf.NewDict()
		apd.Set("Type", pdf.Name("XObject"))
		apd.Set("Subtype", pdf.Name("Form"))
		apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
		ap := u.Alloc()
		u.SetStream(ap, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Undangan Rapat) Tj ET EMC"))
		n := pdf.NewDict()
		n.Set("N", ap)
		d.Set("AP", n)
		u.Set(ref, d)
	})
	annotated := update(t, signedForm, func(r *pdf.Reader, u *pdf.Update) {
		pages, err := r.Pages()
		if err != nil || len(pages) == 0 {
			t.Fatalf("pages: %v", err)
		}
		page, err := r.GetDict(pages[0])
		if err != nil {
			t.Fatal(err)
		}
		a := pdf.NewDict()
		a.Set("Type", pdf.Name("Annot"))
		a.Set("Subtype", pdf.Name("Text"))
		a.Set("Rect", pdf.Array{int64(72), int64(600), int64(96), int64(624)})
		a.Set("Contents", pdf.String{Bytes: []byte("Sudah dibaca")})
		ref := u.Alloc()
		u.Set(ref, a)
		annots, _ := r.GetArray(page.Get("Annots"))
		pg := page.Clone()
		pg.Set("Annots", append(append(pdf.Array{}, annots...), ref))
		u.Set(pages[0], pg)
	})

	// B-B augmented to B-LTA: validation data and document timestamps.
	bb := signWith(t, letterPDF(), w.signer, func(o *signer.Options) { o.Level = signer.LevelB })
	var lta bytes.Buffer
	if _, err := signer.Augment(context.Background(), bytes.NewReader(bb), int64(len(bb)), &lta, &signer.AugmentOptions{
		Level: signer.LevelLTA, Timestamper: w.tsa, Certificates: []*x509.Certificate{w.pki.Root.Cert}}); err != nil {
		t.Fatal(err)
	}

	good := w.good
	return []verdictKind{
		{name: "form", path: "/verify", headline: "Periksa keaslian surat"},
		{name: "valid", path: "/verify", file: good, class: "ok", headline: "Dokumen asli", sigs: []string{"ok"}},
		// A failed signature shows no level line: its check stopped at
		// the changed bytes, so "NONE — tidak memenuhi profil PAdES"
		// would be beside the point.
		{name: "tampered", path: "/verify", file: tamper(t, good), class: "bad", headline: "Tanda tangan tidak sah: dokumen diubah",
			hides: []string{"Tingkat tanda tangan", "tidak memenuhi profil PAdES"}, sigs: []string{"bad"}},
		{name: "unknown-issuer", path: "/verify", file: stranger.sign(t, "Menyetujui"), class: "bad",
			headline: "Jangan dipercaya", shows: []string{"(tidak terbukti)"}, hides: []string{"Dokumen asli"}, sigs: []string{"bad"}},
		{name: "self-signed", path: "/verify", file: selfSigned(t, "Budi Santoso", "Pemerintah Kabupaten Sleman"), class: "bad",
			headline: "Jangan dipercaya", shows: []string{"(tidak terbukti)"}, hides: []string{"Dokumen asli"}, sigs: []string{"bad"}},
		{name: "revoked", path: "/verify", class: "bad", headline: "Tanda tangan tidak sah", shows: []string{"dicabut"}, sigs: []string{"bad"},
			file: signWith(t, letterPDF(), revoked, func(o *signer.Options) { o.Level, o.Timestamper = signer.LevelT, w.tsa })},
		{name: "revoked-no-timestamp", path: "/verify", class: "warn", headline: "Belum dapat dipastikan", shows: []string{"dicabut"}, sigs: []string{"warn"},
			file: signWith(t, letterPDF(), revoked, nil)},
		{name: "expired", path: "/verify", class: "warn", headline: "Belum dapat dipastikan", shows: []string{"kedaluwarsa"}, sigs: []string{"warn"},
			file: signWith(t, letterPDF(), expired, func(o *signer.Options) { o.Time = now.AddDate(0, -3, 0) })},
		{name: "try-later", path: "/verify", class: "warn", headline: "Belum dapat dipastikan", shows: []string{"coba lagi nanti"}, sigs: []string{"warn"},
			file: signWith(t, letterPDF(), unreachable, nil)},
		{name: "no-signature", path: "/verify", file: letterPDF(), class: "bad", headline: "Dokumen ini tidak memiliki tanda tangan"},
		{name: "not-pdf", path: "/verify", file: []byte("\xff\xd8\xff\xe0\x00\x10JFIF a photo of the letter"), class: "bad", headline: "Berkas bukan PDF"},
		// A download cut short: the signature is lost with the end of the
		// file. The headline says the file is damaged, never that the
		// letter has no signature, and what to do comes under it.
		{name: "damaged", path: "/verify", file: good[:len(good)/3], class: "bad", headline: "Berkas rusak atau tidak lengkap",
			shows: []string{"unduh lagi selengkapnya dari tautan kode QR", "Catatan tentang dokumen"},
			hides: []string{"tidak memiliki tanda tangan"}},
		// Cut short in its last bytes: the signature dictionary survives
		// but its /ByteRange runs past the end (TOTAL_FAILED,
		// FORMAT_FAILURE), and the headline says the file is incomplete.
		{name: "cut-short", path: "/verify", file: good[:len(good)-200], class: "bad", headline: "Tanda tangan tidak sah: berkas terpotong",
			shows: []string{"unduh lagi selengkapnya dari tautan kode QR", "melewati akhir berkas"},
			hides: []string{"susunan tanda tangan rusak", "Tingkat tanda tangan", "tidak memiliki tanda tangan",
				"Bagian yang ditandatangani", "sertifikatnya tidak diperiksa"}, sigs: []string{"bad"}},
		{name: "several-signatures", path: "/verify", file: signWith(t, good, stranger.signer, func(o *signer.Options) { o.Reason = "Mengetahui" }),
			class: "bad", headline: "Jangan dipercaya", sigs: []string{"ok", "bad"}},
		{name: "b-lta", path: "/verify", file: lta.Bytes(), class: "ok", headline: "Dokumen asli",
			shows: []string{"Stempel waktu dokumen (RFC 3161)", "PAdES-BASELINE-LTA"}, sigs: []string{"ok", "ok", "ok"}},
		{name: "form-filled", path: "/verify", file: filled, class: "ok", headline: "Dokumen asli",
			shows: []string{"isian formulir diisi"}, sigs: []string{"ok"}},
		{name: "annotated", path: "/verify", file: annotated, class: "ok", headline: "Dokumen asli",
			shows: []string{"ditambah anotasi"}, sigs: []string{"ok"}},
		{name: "record", path: "/v/" + idPublic, headline: "Surat yang diterbitkan",
			shows: []string{"Bandingkan dengan surat yang Anda pegang", "800/9/2026", "Sekretaris Daerah"}},
		{name: "record-confidential", path: "/v/" + idConfidential, headline: "Surat yang diterbitkan",
			shows: []string{"rahasia", "800/9/2026"}, hides: []string{"Undangan Rapat Koordinasi", "Unduh"}},
		{name: "record-unknown", path: "/v/" + idUnknown, class: "warn", headline: "Surat tidak ditemukan",
			shows: []string{"kode QR"}},
		{name: "record-same", path: "/v/" + idPublic, file: good, class: "ok", headline: "Dokumen asli",
			shows: []string{"sama persis"}, sigs: []string{"ok"}},
		{name: "record-other", path: "/v/" + idPublic, file: signWith(t, letterPDF(), w.signer, func(o *signer.Options) { o.Reason = "surat lain" }),
			class: "bad", headline: "Bukan surat yang terdaftar", hides: []string{"Dokumen asli"}, sigs: []string{"warn"}},
		{name: "english", path: "/verify", toggle: true, file: good, class: "ok", headline: "Authentic document", sigs: []string{"ok"}},
	}
}

var (
	verdictClassRE = regexp.MustCompile(`<section class="verdict ([a-z]+)" id="verdict"`)
	sigClassRE     = regexp.MustCompile(`<article class="sig ([a-z]+)">`)
	h1RE           = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
)

// TestVerdictKinds: every kind of docs/verdicts.md, made from a real
// file, gets its colour, its headline and its signature entries from the
// page (over HTTP; TestVerdictScreenshots checks the same in Chromium).
func TestVerdictKinds(t *testing.T) {
	w := newKindsWorld(t)
	seen := map[string]bool{}
	for _, k := range verdictKinds(t, w) {
		if seen[k.name] {
			t.Fatalf("kind %s twice", k.name)
		}
		seen[k.name] = true
		t.Run(k.name, func(t *testing.T) {
			path := k.path
			if k.toggle {
				path += "?lang=en"
			}
			var html string
			if k.file == nil {
				_, html = get(t, w.page.URL+path)
			} else {
				_, html = post(t, w.page.URL+path, k.file)
			}
			class := ""
			if m := verdictClassRE.FindStringSubmatch(html); m != nil {
				class = m[1]
			}
			h1 := ""
			if m := h1RE.FindStringSubmatch(html); m != nil {
				h1 = m[1]
			}
			if class != k.class || !strings.HasPrefix(h1, k.headline) {
				t.Errorf("verdict %q %q, want %q %q...", class, h1, k.class, k.headline)
			}
			for _, s := range k.shows {
				if !strings.Contains(html, s) {
					t.Errorf("the page lacks %q", s)
				}
			}
			for _, s := range k.hides {
				if strings.Contains(html, s) {
					t.Errorf("the page shows %q", s)
				}
			}
			var sigs []string
			for _, m := range sigClassRE.FindAllStringSubmatch(html, -1) {
				sigs = append(sigs, m[1])
			}
			if strings.Join(sigs, " ") != strings.Join(k.sigs, " ") {
				t.Errorf("signature entries %v, want %v", sigs, k.sigs)
			}
			if t.Failed() {
				t.Logf("%s", html)
			}
		})
	}
	emptyDir(t, w.tmp)
}

// TestVerdictDocs: docs/verdicts.md has a section for every kind, showing
// both of its screenshots, and every screenshot it shows is committed.
func TestVerdictDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "verdicts.md"))
	if err != nil {
		t.Fatal(err)
	}
	w := newKindsWorld(t)
	for _, k := range verdictKinds(t, w) {
		if !strings.Contains(string(doc), `<a id="`+k.name+`"></a>`) {
			t.Errorf("docs/verdicts.md has no section for %s", k.name)
		}
		for _, w := range shotWidths {
			img := "screenshots/citizen/" + shotName(k.name, w.name)
			if !strings.Contains(string(doc), `src="`+img+`"`) {
				t.Errorf("docs/verdicts.md does not show %s", img)
			}
			if _, err := os.Stat(filepath.Join("..", "..", "docs", img)); err != nil {
				t.Errorf("%s is not committed (make screenshots): %v", img, err)
			}
		}
	}
}
