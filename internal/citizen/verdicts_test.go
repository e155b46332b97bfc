package citizen_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// selfSigned signs the test letter with a certificate its holder made
// himself, as anyone can with openssl, claiming to be the agency.
func selfSigned(t *testing.T, cn, org string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn, Organization: []string{org}, Country: []string{"ID"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	src := letterPDF()
	var dst bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, &signer.Options{
		Signer: key, Certificate: cert, Reason: "Menyetujui",
	}); err != nil {
		t.Fatal(err)
	}
	return dst.Bytes()
}

var titleRE = regexp.MustCompile(`<title>([^<]*)</title>`)

// TestUntrustedIssuer: a letter from an unknown CA or with a self-signed
// certificate is red "do not trust", and the agency its certificate
// claims is never shown as a fact: only labelled as the certificate's
// unproven claim.
func TestUntrustedIssuer(t *testing.T) {
	const org = "Pemerintah Kabupaten Sleman"
	w := newWorld(t, "Budi Santoso")
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify, Documents: register(w.sign(t, ""))})
	stranger := newWorld(t, "Budi Santoso") // another CA, same claimed name and agency
	for name, doc := range map[string][]byte{
		"unknown CA":  stranger.sign(t, "Menyetujui"),
		"self-signed": selfSigned(t, "Budi Santoso", org),
	} {
		for _, c := range []struct {
			lang, headline, dt, claim string
		}{
			{"id", "Jangan dipercaya: penerbit sertifikat tidak dikenal", "Instansi menurut sertifikat (tidak terbukti)", "siapa pun dapat membuat sertifikat"},
			{"en", "Do not trust: unknown certificate issuer", "Agency in the certificate (not proven)", "anyone can make a certificate"},
		} {
			for _, url := range []string{srv.URL + "/verify?lang=" + c.lang, srv.URL + "/v/" + idPlain + "?lang=" + c.lang} {
				resp, html := post(t, url, doc)
				// On a letter's own page the mismatch with the register
				// heads (TestCompareOtherLetter); the untrusted issuer is
				// the line below it.
				if strings.Contains(url, "/v/") {
					if !strings.Contains(html, `<p class="strong" id="subline">`) || !strings.Contains(html, c.headline+".</p>") {
						t.Errorf("%s %s: %q without the untrusted issuer below it", name, url, headlineOf(html))
					}
				} else if resp.StatusCode != 200 || headlineOf(html) != c.headline {
					t.Errorf("%s %s: %d %q", name, url, resp.StatusCode, headlineOf(html))
				}
				if !strings.Contains(html, `<section class="verdict bad"`) || strings.Contains(html, `class="verdict warn"`) {
					t.Errorf("%s %s: the verdict is not red", name, url)
				}
				if strings.Contains(html, "Dokumen asli") || strings.Contains(html, "Authentic") {
					t.Errorf("%s %s: reads as authentic", name, url)
				}
				if m := titleRE.FindStringSubmatch(html); m == nil || strings.Contains(m[1], org) || strings.Contains(headlineOf(html), org) {
					t.Errorf("%s %s: the claimed agency is in the title or headline", name, url)
				}
				// The signature's part of the page: the agency only as a
				// labelled claim, never under the plain "Instansi" label.
				details := html[strings.Index(html, `id="details"`):]
				if i := strings.Index(details, `id="record"`); i >= 0 {
					details = details[:i]
				}
				claimed := `<div><dt>` + c.dt + `</dt><dd class="claim">` + org + `</dd></div>`
				if !strings.Contains(details, claimed) || strings.Count(details, org) != strings.Count(details, claimed) {
					t.Errorf("%s %s: the agency is shown other than as the certificate's claim:\n%s", name, url, details)
				}
				if strings.Contains(details, `<dt>Instansi</dt>`) || strings.Contains(details, `<dt>Organisation</dt>`) ||
					strings.Contains(details, `<dd class="who">Budi Santoso</dd>`) || !strings.Contains(details, c.claim) {
					t.Errorf("%s %s: the certificate's name or agency reads as fact", name, url)
				}
			}
		}
	}
	// A letter from the trusted CA still shows the agency as a fact.
	_, html := post(t, srv.URL+"/verify", w.sign(t, ""))
	if !strings.Contains(html, `<div><dt>Instansi</dt><dd>`+org+`</dd></div>`) || strings.Contains(html, `class="claim"`) {
		t.Error("a trusted letter's agency is not shown as a fact")
	}
	emptyDir(t, tmp)
}

// TestYellowOnlyForLater: the yellow "Belum dapat dipastikan" box stays
// for what may resolve later, on the whole page.
func TestYellowOnlyForLater(t *testing.T) {
	for _, c := range []struct {
		sub      verify.SubIndication
		class    string
		headline string
	}{
		{verify.TryLater, "warn", "Belum dapat dipastikan: status pencabutan sertifikat belum dapat diperiksa; coba lagi nanti"},
		{verify.NoPOE, "warn", "Belum dapat dipastikan: tidak ada bukti kapan surat ditandatangani"},
		{verify.OutOfBoundsNoPOE, "warn", "Belum dapat dipastikan: sertifikat sudah kedaluwarsa dan surat tidak memiliki stempel waktu yang membuktikan ditandatangani tepat waktu"},
		{verify.NoCertificateChainFound, "bad", "Jangan dipercaya: penerbit sertifikat tidak dikenal"},
		{verify.SignedDataNotFound, "bad", "Tidak dapat dibuktikan asli: bagian dokumen yang ditandatangani tidak dapat ditemukan"},
	} {
		rep := &verify.Report{Indication: verify.Indeterminate, SHA256: strings.Repeat("b", 64), Signatures: []*verify.SignatureReport{
			{Type: "signature", Indication: verify.Indeterminate, SubIndication: c.sub, TrustAnchor: "test",
				Signer: &verify.Certificate{CommonName: "Budi", Organization: "Dinas X"}},
		}}
		srv, _ := newPage(t, citizen.Options{Verify: canned(rep)})
		_, html := post(t, srv.URL+"/verify", []byte("%PDF-1.7\n"))
		if headlineOf(html) != c.headline || !strings.Contains(html, `<section class="verdict `+c.class+`"`) {
			t.Errorf("%s: %q, want %q in %s", c.sub, headlineOf(html), c.headline, c.class)
		}
	}
	// Two signatures: the untrusted one speaks, not the one that may
	// resolve later.
	rep := &verify.Report{Indication: verify.Indeterminate, Signatures: []*verify.SignatureReport{
		{Type: "signature", Indication: verify.Indeterminate, SubIndication: verify.TryLater, TrustAnchor: "test"},
		{Type: "signature", Indication: verify.Indeterminate, SubIndication: verify.NoCertificateChainFound},
	}}
	srv, _ := newPage(t, citizen.Options{Verify: canned(rep)})
	if _, html := post(t, srv.URL+"/verify", []byte("%PDF-1.7\n")); headlineOf(html) != "Jangan dipercaya: penerbit sertifikat tidak dikenal" {
		t.Errorf("two signatures: %q", headlineOf(html))
	}
}

// TestCompareOtherLetter: another valid letter uploaded on a letter's
// /v/{id} page is headed by the mismatch, in red, with the valid
// signature only below it; the issued file followed by later updates is
// recognised as the issued letter.
func TestCompareOtherLetter(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	other := w.sign(t, "surat lain")
	docs := register(good)
	docs.docs[idPlain].Number = "" // no number: the id names the letter
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify, Documents: docs})

	for _, c := range []struct{ url, headline, sub string }{
		{"/v/" + idPublic, "Bukan surat yang terdaftar: berkas ini berbeda dengan surat 800/9/2026",
			"Tanda tangan pada berkas ini sah, tetapi berkas ini bukan surat yang terdaftar di tautan ini."},
		{"/v/" + idPlain, "Bukan surat yang terdaftar: berkas ini berbeda dengan surat " + idPlain,
			"Tanda tangan pada berkas ini sah, tetapi berkas ini bukan surat yang terdaftar di tautan ini."},
		{"/v/" + idPublic + "?lang=en", "Not the registered letter: this file differs from letter 800/9/2026",
			"The signatures on this file are valid, but it is not the letter registered at this link."},
	} {
		resp, html := post(t, srv.URL+c.url, other)
		if resp.StatusCode != 200 || headlineOf(html) != c.headline || !strings.Contains(html, `<p class="strong" id="subline">`+c.sub+`</p>`) {
			t.Errorf("%s: %d %q\n%s", c.url, resp.StatusCode, headlineOf(html), html)
		}
		if strings.Contains(html, "Dokumen asli") || strings.Contains(html, "Authentic") || strings.Contains(html, `class="verdict ok"`) ||
			strings.Contains(html, `class="sig ok"`) || !strings.Contains(html, `<section class="verdict bad"`) {
			t.Errorf("%s: a valid other letter reads as the authentic registered one", c.url)
		}
		if !strings.Contains(html, "bukan berkas itu dengan tambahan sesudahnya") && !strings.Contains(html, "nor the issued file with later additions") {
			t.Errorf("%s: the comparison does not say the copy is not the issued file added to", c.url)
		}
		if m := titleRE.FindStringSubmatch(html); m == nil || m[1] != c.headline+" · Segel" {
			t.Errorf("%s: title %v", c.url, m)
		}
	}
	// Another letter whose signature cannot be confirmed yet: the
	// mismatch still heads, and the reason is the line below.
	unsure := &verify.Report{Indication: verify.Indeterminate, Signatures: []*verify.SignatureReport{
		{Type: "signature", Indication: verify.Indeterminate, SubIndication: verify.TryLater, TrustAnchor: "t"}}}
	srv2, _ := newPage(t, citizen.Options{Verify: canned(unsure), Documents: docs})
	_, html := post(t, srv2.URL+"/v/"+idPublic, other)
	if headlineOf(html) != "Bukan surat yang terdaftar: berkas ini berbeda dengan surat 800/9/2026" ||
		!strings.Contains(html, "Pemeriksaan tanda tangan berkas ini: Belum dapat dipastikan: status pencabutan") {
		t.Errorf("unsure other letter: %q", headlineOf(html))
	}

	// The issued file with a further signature appended: the same letter,
	// with its additions judged by the verification.
	var more bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(good), int64(len(good)), &more, &signer.Options{
		Signer: w.signer.Key, Certificate: w.signer.Cert, Chain: w.signer.Chain, Reason: "Mengetahui",
	}); err != nil {
		t.Fatal(err)
	}
	_, html = post(t, srv.URL+"/v/"+idPublic, more.Bytes())
	if !strings.HasPrefix(headlineOf(html), "Dokumen asli") || !strings.Contains(html, "Salinan Anda adalah berkas yang diterbitkan ditambah pembaruan sesudahnya") ||
		!strings.Contains(html, `class="card compare same"`) || strings.Contains(html, "Bukan surat yang terdaftar") {
		t.Errorf("the issued file signed again: %q", headlineOf(html))
	}
	emptyDir(t, tmp)
}

// TestRecordSources: /v/{id} tells the reader to compare with the letter
// in hand, and which fields come from the certificate and which from the
// register (Jabatan and NIP are the sender's statements).
func TestRecordSources(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	srv, _ := newPage(t, citizen.Options{Verify: w.verify, Documents: register(w.sign(t, ""))})
	for _, c := range []struct {
		lang       string
		want       []string
		certFields []string
	}{
		{"id", []string{
			`<p class="strong" id="holdcompare">Bandingkan dengan surat yang Anda pegang:`,
			`<h3 id="fromcert">Dari sertifikat elektronik penanda tangan`,
			`<h3 id="fromreg">Dari register penandatanganan instansi`,
			`<div><dt>Jabatan</dt><dd>Sekretaris Daerah <span class="note">(keterangan pengirim, tidak tercantum dalam sertifikat)</span></dd></div>`,
			`<div><dt>NIP</dt><dd>197001012000031001 <span class="note">(keterangan pengirim, tidak tercantum dalam sertifikat)</span></dd></div>`,
		}, []string{"Budi Santoso", "Pemerintah Kabupaten Sleman", "Segel Test CA DS G1"}},
		{"en", []string{
			"Compare this with the letter you hold", "From the signer&#39;s electronic certificate", "From the agency&#39;s signing register",
			`Sekretaris Daerah <span class="note">(the sender&#39;s statement, not in the certificate)</span>`,
		}, []string{"Budi Santoso", "Pemerintah Kabupaten Sleman"}},
	} {
		_, html := get(t, srv.URL+"/v/"+idPublic+"?lang="+c.lang)
		for _, want := range c.want {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the record lacks %s", c.lang, want)
			}
		}
		cert := html[strings.Index(html, `id="fromcert"`):strings.Index(html, `id="fromreg"`)]
		for _, f := range c.certFields {
			if !strings.Contains(cert, f) {
				t.Errorf("%s: %s is not among the certificate's fields", c.lang, f)
			}
		}
		reg := html[strings.Index(html, `id="fromreg"`):]
		for _, f := range []string{"Sekretaris Daerah", "197001012000031001", "800/9/2026", "Undangan Rapat Koordinasi"} {
			if strings.Contains(cert, f) || !strings.Contains(reg, f) {
				t.Errorf("%s: %s is not among the register's fields", c.lang, f)
			}
		}
	}
}

// TestAugmentedLetter: a B-B letter augmented to B-LTA (validation data
// and two document timestamps appended) shows its document timestamps as
// such, with time and authority, never as "NONE — tidak memenuhi profil
// PAdES", and its signature as covering the document, followed only by
// validation data and timestamps.
func TestAugmentedLetter(t *testing.T) {
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	id := pki.MustIssueSigner(t, testpki.SignerOptions{
		Subject: pkix.Name{CommonName: "Budi Santoso", Organization: []string{"Pemerintah Kabupaten Sleman"}}, NonRepudiation: true})
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{Subject: pkix.Name{CommonName: "Segel Test TSA"}})
	if err != nil {
		t.Fatal(err)
	}
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsaSrv.Close)
	ts, err := tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	src := letterPDF()
	var bb, lta bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &bb, &signer.Options{
		Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Level: signer.LevelB}); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Augment(context.Background(), bytes.NewReader(bb.Bytes()), int64(bb.Len()), &lta, &signer.AugmentOptions{
		Level: signer.LevelLTA, Timestamper: ts, Certificates: []*x509.Certificate{pki.Root.Cert}}); err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	verifyFn := func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error) {
		return verify.Verify(ctx, src, size, &verify.Options{Trust: pool, Offline: true})
	}
	srv, _ := newPage(t, citizen.Options{Verify: verifyFn, Documents: register(bb.Bytes())})
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"id", []string{
			"<h3>Stempel waktu dokumen (",
			"<div><dt>Jenis</dt><dd>Stempel waktu dokumen (RFC 3161): membuktikan dokumen sudah ada pada waktu itu; bukan tanda tangan seseorang</dd></div>",
			"<div><dt>Waktu stempel</dt><dd>",
			"<div><dt>Penyedia stempel waktu</dt><dd class=\"who\">Segel Test TSA</dd></div>",
			"Stempel waktu sah",
			`<div><dt>Bagian yang ditandatangani</dt><dd class="coverage">seluruh dokumen, diikuti hanya data validasi dan stempel waktu (yang tidak mengubah isi surat)</dd></div>`,
			"PAdES-BASELINE-LTA",
		}},
		{"en", []string{
			"<div><dt>Kind</dt><dd>Document timestamp (RFC 3161)",
			`<dd class="coverage">the whole document, followed only by validation data and timestamps (which do not change the letter)</dd>`,
		}},
	} {
		_, html := post(t, srv.URL+"/verify?lang="+c.lang, lta.Bytes())
		if !strings.HasPrefix(headlineOf(html), "Dokumen asli") && !strings.HasPrefix(headlineOf(html), "Authentic") {
			t.Fatalf("%s: the B-LTA letter: %q\n%s", c.lang, headlineOf(html), html)
		}
		for _, want := range c.want {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the B-LTA letter lacks %s", c.lang, want)
			}
		}
		for _, bad := range []string{"NONE", "tidak memenuhi profil PAdES", "meets no PAdES baseline level", "Mencakup seluruh dokumen: tidak"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s: the B-LTA letter shows %q", c.lang, bad)
			}
		}
		if n := strings.Count(html, "<h3>"); n != 3 {
			t.Errorf("%s: %d entries, want a signature and two document timestamps", c.lang, n)
		}
	}
	// On the register's page: the issued B-B file, augmented since.
	_, html := post(t, srv.URL+"/v/"+idPublic, lta.Bytes())
	if !strings.HasPrefix(headlineOf(html), "Dokumen asli") || !strings.Contains(html, "ditambah pembaruan sesudahnya") {
		t.Errorf("the augmented copy on /v/{id}: %q", headlineOf(html))
	}
}

// TestFailedSignatureIssuerUnchecked: a letter changed after signing
// fails before its certificate chain is looked at, so the page must not
// say its issuer is untrusted (a letter from the regency's own CA would
// be slandered): the certificate's contents are unproven because the
// signature failed, and the issuer is "not checked", not "unknown".
func TestFailedSignatureIssuerUnchecked(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	srv, _ := newPage(t, citizen.Options{Verify: w.verify})
	for _, c := range []struct{ lang, label, note, wrongLabel, wrongNote string }{
		{"id", "Penerbit menurut sertifikat (tidak diperiksa)", "sertifikatnya tidak diperiksa lebih lanjut",
			"(tidak dikenal)", "tidak diterbitkan oleh penerbit yang dipercaya"},
		{"en", "Issuer named in the certificate (not checked)", "its certificate was not checked further",
			"(unknown)", "No trusted issuer vouches"},
	} {
		_, html := post(t, srv.URL+"/verify?lang="+c.lang, tamper(t, w.sign(t, "")))
		details := html[strings.Index(html, `id="details"`):]
		if !strings.Contains(details, `<dt>`+c.label+`</dt><dd class="claim">Segel Test CA DS G1</dd>`) || !strings.Contains(details, c.note) {
			t.Errorf("%s: the unchecked issuer is not said to be unchecked:\n%s", c.lang, details)
		}
		if strings.Contains(details, c.wrongLabel) || strings.Contains(details, c.wrongNote) {
			t.Errorf("%s: a failed signature's issuer reads as untrusted", c.lang)
		}
	}
	// A letter from another CA that is intact is checked, and untrusted.
	_, html := post(t, srv.URL+"/verify", newWorld(t, "Budi Santoso").sign(t, ""))
	if !strings.Contains(html, "Penerbit menurut sertifikat (tidak dikenal)") || strings.Contains(html, "tidak diperiksa lebih lanjut") {
		t.Errorf("an unknown CA's letter no longer reads as untrusted")
	}
}
