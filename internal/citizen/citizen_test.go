package citizen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/verify"
)

// headlineOf returns the text of the page's <h1 id="headline">.
func headlineOf(html string) string {
	m := regexp.MustCompile(`(?s)<h1 id="headline">(.*?)</h1>`).FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestNewNeedsVerify(t *testing.T) {
	if _, err := citizen.New(citizen.Options{}); err == nil {
		t.Fatal("New without Verify succeeded")
	}
}

// TestForm: GET /verify is a plain multipart form that works without
// JavaScript, with labelled controls, the language toggle, the promise
// that files are not kept, and strict security headers.
func TestForm(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	srv, _ := newPage(t, citizen.Options{Verify: w.verify})
	resp, html := get(t, srv.URL+"/verify")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="id">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<form class="upload" method="post" action="?lang=id" enctype="multipart/form-data">`,
		`<label for="file">`,
		`<input type="file" id="file" name="file" accept=".pdf,application/pdf" required>`,
		`<button type="submit">Periksa surat</button>`,
		"Berkas Anda tidak disimpan",
		`href="?lang=en"`,
		"<h1>Periksa keaslian surat elektronik</h1>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'nonce-", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	nonce := regexp.MustCompile(`script-src 'nonce-([^']+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(html, `<script nonce="`+nonce[1]+`">`) || !strings.Contains(html, `<style nonce="`+nonce[1]+`">`) {
		t.Errorf("the inline script and style do not carry the CSP nonce")
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", h)
	}
	// Nothing comes from elsewhere: no CDN, font or image.
	if m := regexp.MustCompile(`(?i)(src|href|action)="(https?:)?//`).FindString(html); m != "" || strings.Contains(html, "@import") || strings.Contains(html, "url(") {
		t.Errorf("the page loads something from elsewhere: %q", m)
	}
	// Two requests, two nonces.
	resp2, _ := get(t, srv.URL+"/verify")
	if resp2.Header.Get("Content-Security-Policy") == csp {
		t.Error("the nonce does not change")
	}
	// / leads to the form; other paths get the friendly 404.
	resp, _ = get(t, srv.URL+"/")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "verify" {
		t.Errorf("/: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, html = get(t, srv.URL+"/nope")
	if resp.StatusCode != 404 || !strings.Contains(html, "Halaman tidak ditemukan") {
		t.Errorf("/nope: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/verify", nil)
	if resp, _ = do(t, req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT /verify: %d", resp.StatusCode)
	}
}

// TestVerify uploads real letters signed in the test: a good one, a
// tampered one, an unsigned one, one whose issuer is not trusted, and
// files that are not PDFs.
func TestVerify(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "Menyetujui surat edaran")
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify})

	resp, html := post(t, srv.URL+"/verify", good)
	if resp.StatusCode != 200 || headlineOf(html) != "Dokumen asli dan tidak berubah sejak ditandatangani" {
		t.Fatalf("good letter: %d %q\n%s", resp.StatusCode, headlineOf(html), html)
	}
	for _, want := range []string{
		"Budi Santoso", "Pemerintah Kabupaten Sleman", "Segel Test CA DS G1", "PAdES-BASELINE-B",
		"Menyetujui surat edaran", "Berkas Anda tidak disimpan", `data-indication="TOTAL_PASSED"`,
		"Tanda tangan sah", "Tidak ada stempel waktu tepercaya",
		`id="filesha" tabindex="0" aria-labelledby="filesha-l">` + sha(good) + "</code>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the verdict on the good letter lacks %q", want)
		}
	}
	emptyDir(t, tmp)

	resp, html = post(t, srv.URL+"/verify", tamper(t, good))
	if resp.StatusCode != 200 || headlineOf(html) != "Tanda tangan tidak sah: dokumen diubah setelah ditandatangani" || strings.Contains(html, "Dokumen asli") {
		t.Errorf("tampered letter: %d %q", resp.StatusCode, headlineOf(html))
	}
	if !strings.Contains(html, `class="verdict bad"`) {
		t.Error("the tampered letter's verdict is not marked bad")
	}

	_, html = post(t, srv.URL+"/verify", letterPDF())
	if headlineOf(html) != "Dokumen ini tidak memiliki tanda tangan elektronik" {
		t.Errorf("unsigned letter: %q", headlineOf(html))
	}

	// An issuer the page does not trust (here: another test PKI, as a
	// forger's openssl CA would be) is red "do not trust", no longer the
	// soft yellow "Belum dapat dipastikan" of issue 14; TestUntrustedIssuer
	// holds the rest.
	stranger := newWorld(t, "Orang Lain")
	_, html = post(t, srv.URL+"/verify", stranger.sign(t, ""))
	if headlineOf(html) != "Jangan dipercaya: penerbit sertifikat tidak dikenal" || strings.Contains(html, "Dokumen asli") ||
		!strings.Contains(html, `class="verdict bad"`) {
		t.Errorf("untrusted signer: %q", headlineOf(html))
	}

	// Not a PDF: a friendly page, and the form again.
	for _, notPDF := range [][]byte{[]byte("\xff\xd8\xff\xe0 JFIF a photo of the letter"), []byte("%PDF-1.7\nthis is not really a PDF")} {
		resp, html = post(t, srv.URL+"/verify", notPDF)
		if resp.StatusCode != http.StatusUnprocessableEntity || headlineOf(html) != "Berkas bukan PDF" || !strings.Contains(html, `name="file"`) {
			t.Errorf("not a PDF %q: %d %q", notPDF[:8], resp.StatusCode, headlineOf(html))
		}
	}
	resp, html = post(t, srv.URL+"/verify", nil)
	if resp.StatusCode != http.StatusBadRequest || headlineOf(html) != "Belum ada berkas yang dipilih" {
		t.Errorf("empty upload: %d %q", resp.StatusCode, headlineOf(html))
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/verify", strings.NewReader("file=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ = do(t, req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("urlencoded form: %d", resp.StatusCode)
	}
	// A raw application/pdf body works too (curl --data-binary).
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/verify?lang=en", bytes.NewReader(good))
	req.Header.Set("Content-Type", "application/pdf")
	if resp, html = do(t, req); resp.StatusCode != 200 || !strings.HasPrefix(headlineOf(html), "Authentic document") {
		t.Errorf("raw PDF body: %d %q", resp.StatusCode, headlineOf(html))
	}
	emptyDir(t, tmp)
}

func TestTooLarge(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify, MaxUpload: int64(len(good)) - 1})
	resp, html := post(t, srv.URL+"/verify", good)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || headlineOf(html) != "Berkas terlalu besar" {
		t.Errorf("%d %q", resp.StatusCode, headlineOf(html))
	}
	// Far too large: the body limit stops it.
	resp, _ = post(t, srv.URL+"/verify", bytes.Repeat([]byte("%PDF-1.7 "), 400_000))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge: %d", resp.StatusCode)
	}
	emptyDir(t, tmp)
}

// TestEscaping: what a PDF says about itself (signer name, reason,
// errors) is shown as text, never run.
func TestEscaping(t *testing.T) {
	w := newWorld(t, `<script>alert("cn")</script>`)
	signed := w.sign(t, `<script>alert("reason")</script><img src=x onerror=alert(1)>`)
	srv, _ := newPage(t, citizen.Options{Verify: w.verify})
	_, html := post(t, srv.URL+"/verify", signed)
	if !strings.HasPrefix(headlineOf(html), "Dokumen asli") {
		t.Fatalf("%q", headlineOf(html))
	}
	if strings.Contains(html, `<script>alert`) || strings.Contains(html, `<img src=x`) {
		t.Error("text from the PDF reached the page unescaped")
	}
	for _, want := range []string{`&lt;script&gt;alert(&#34;cn&#34;)&lt;/script&gt;`, `&lt;script&gt;alert(&#34;reason&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks the escaped %s", want)
		}
	}

	// Errors and warnings of a report, and a register record, too.
	rep := &verify.Report{Indication: verify.TotalFailed, SHA256: "ab", Signatures: []*verify.SignatureReport{{
		Field: `"><script>x()</script>`, Indication: verify.TotalFailed, SubIndication: verify.SigCryptoFailure,
		Errors: []string{`<b onmouseover=x()>bad</b>`}, Warnings: []string{`</li><script>y()</script>`},
		Signer: &verify.Certificate{CommonName: "A", Issuer: `CN=<i>CA</i>`},
	}}}
	srv, _ = newPage(t, citizen.Options{Verify: canned(rep), Documents: &fakeDocs{docs: nil}})
	_, html = post(t, srv.URL+"/verify", []byte("%PDF-1.7\n"))
	if strings.Contains(html, "<script>x()") || strings.Contains(html, "<script>y()") || strings.Contains(html, "<b onmouseover") || strings.Contains(html, "<i>CA") {
		t.Errorf("report text unescaped:\n%s", html)
	}
}

// canned is a verifier that returns rep whatever the file.
func canned(rep *verify.Report) func(context.Context, io.ReaderAt, int64) (*verify.Report, error) {
	return func(context.Context, io.ReaderAt, int64) (*verify.Report, error) {
		c := *rep
		return &c, nil
	}
}

// TestNeverAuthenticUnlessPassed renders the whole page for reports of
// every indication and sub-indication, one and two signatures (one of
// which passed), in both languages: "Dokumen asli" and "Authentic" appear
// only for TOTAL_PASSED.
func TestNeverAuthenticUnlessPassed(t *testing.T) {
	subs := []verify.SubIndication{"", verify.FormatFailure, verify.HashFailure, verify.SigCryptoFailure, verify.Revoked,
		verify.Expired, verify.NotYetValid, verify.CryptoConstraintsFailure, verify.ModifiedAfterSigning,
		verify.NoCertificateChainFound, verify.NoSigningCertificateFound, verify.RevokedNoPOE, verify.OutOfBoundsNoPOE,
		verify.OutOfBoundsNotRevoked, verify.CryptoConstraintsFailureNoPOE, verify.TryLater, verify.SignedDataNotFound,
		verify.ChainConstraintsFailure, verify.CertificateChainGeneralFailure, verify.SignatureConstraintsFailure,
		verify.PolicyProcessingError, verify.TimestampOrderFailure, verify.RevocationOutOfBoundsNoPOE, verify.NoPOE,
		verify.GenericIndeterminate, verify.UnsupportedFeature}
	var (
		mu  sync.Mutex
		rep *verify.Report
	)
	srv, _ := newPage(t, citizen.Options{RateLimit: -1, Verify: func(context.Context, io.ReaderAt, int64) (*verify.Report, error) {
		mu.Lock()
		defer mu.Unlock()
		return rep, nil
	}})
	passed := &verify.SignatureReport{Field: "Paraf", Type: "signature", Indication: verify.TotalPassed, Level: "PAdES-BASELINE-B",
		Signer: &verify.Certificate{CommonName: "Sari"}}
	for _, ind := range []verify.Indication{verify.TotalPassed, verify.TotalFailed, verify.Indeterminate, verify.NoSignature} {
		for _, sub := range subs {
			for _, two := range []bool{false, true} {
				s := &verify.SignatureReport{Field: "Signature1", Type: "signature", Indication: ind, SubIndication: sub,
					Signer: &verify.Certificate{CommonName: "Budi"}, Errors: []string{"e"}}
				r := &verify.Report{Indication: ind, SHA256: strings.Repeat("a", 64), Signatures: []*verify.SignatureReport{s}}
				if ind == verify.NoSignature {
					r.Signatures = nil
				}
				if two {
					r.Signatures = append(r.Signatures, passed)
				}
				mu.Lock()
				rep = r
				mu.Unlock()
				for _, lang := range []string{"id", "en"} {
					_, html := post(t, srv.URL+"/verify?lang="+lang, []byte("%PDF-1.7\n"))
					authentic := strings.Contains(html, "Dokumen asli") || strings.Contains(html, "Authentic")
					if authentic != (ind == verify.TotalPassed) {
						t.Errorf("%s/%s two=%v %s: authentic=%v, headline %q", ind, sub, two, lang, authentic, headlineOf(html))
					}
					switch h := headlineOf(html); ind {
					case verify.TotalFailed:
						if !strings.Contains(h, "tidak sah") && !strings.Contains(h, "not valid") {
							t.Errorf("%s/%s %s: %q", ind, sub, lang, h)
						}
					case verify.Indeterminate:
						if !strings.HasPrefix(h, "Belum dapat dipastikan") && !strings.HasPrefix(h, "Cannot be confirmed yet") &&
							!strings.HasPrefix(h, "Jangan dipercaya") && !strings.HasPrefix(h, "Do not trust") &&
							!strings.HasPrefix(h, "Tidak dapat dibuktikan asli") && !strings.HasPrefix(h, "Cannot be proven authentic") {
							t.Errorf("%s/%s %s: %q", ind, sub, lang, h)
						}
					}
				}
			}
		}
	}
}

// TestEnglish: ?lang=en is English; a browser that prefers English still
// gets Indonesian (issue 14), with the switch to English on the page.
func TestEnglish(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	srv, _ := newPage(t, citizen.Options{Verify: w.verify})
	for _, accept := range []string{"en-GB,en;q=0.9", "en-US", "fr-FR,en;q=0.8"} {
		resp, html := get(t, srv.URL+"/verify", "Accept-Language", accept)
		if !strings.Contains(html, `<html lang="id">`) || resp.Header.Get("Content-Language") != "id" ||
			!strings.Contains(html, `<a class="toggle" href="?lang=en" lang="en" hreflang="en">English</a>`) {
			t.Errorf("Accept-Language %q: not Indonesian with a switch to English", accept)
		}
		if strings.Contains(resp.Header.Get("Vary"), "Accept-Language") {
			t.Errorf("Vary: %q, though the page no longer depends on Accept-Language", resp.Header.Get("Vary"))
		}
	}
	for _, c := range []struct{ url, accept string }{{"/verify?lang=en", ""}, {"/verify?lang=en", "id-ID"}} {
		resp, html := get(t, srv.URL+c.url, "Accept-Language", c.accept)
		if !strings.Contains(html, `<html lang="en">`) || !strings.Contains(html, "Check an electronically signed letter") ||
			!strings.Contains(html, `href="?lang=id"`) || resp.Header.Get("Content-Language") != "en" || !strings.Contains(html, `action="?lang=en"`) {
			t.Errorf("%s %q: not English", c.url, c.accept)
		}
		if !strings.Contains(html, "Your file is not kept") {
			t.Errorf("%s: the English page does not say the file is not kept", c.url)
		}
	}
	// The reader's choice beats the browser's.
	_, html := get(t, srv.URL+"/verify?lang=id", "Accept-Language", "en")
	if !strings.Contains(html, `<html lang="id">`) {
		t.Error("?lang=id is not Indonesian")
	}
	_, html = post(t, srv.URL+"/verify?lang=en", good)
	if headlineOf(html) != "Authentic document, unchanged since it was signed" || !strings.Contains(html, "Valid signature") {
		t.Errorf("English verdict: %q", headlineOf(html))
	}
	_, html = post(t, srv.URL+"/verify?lang=en", tamper(t, good))
	if headlineOf(html) != "Signature not valid: the document was changed after it was signed" {
		t.Errorf("English tampered: %q", headlineOf(html))
	}
}

// TestRecord: what the QR code opens.
func TestRecord(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	docs := register(good)
	srv, _ := newPage(t, citizen.Options{Verify: w.verify, Documents: docs})

	resp, html := get(t, srv.URL+"/v/"+idPublic)
	if resp.StatusCode != 200 {
		t.Fatalf("%d", resp.StatusCode)
	}
	for _, want := range []string{
		"<h1>Surat yang diterbitkan</h1>", "Budi Santoso", "Sekretaris Daerah", "197001012000031001",
		"Pemerintah Kabupaten Sleman", "Segel Test CA DS G1", "2 Maret 2026, 14.05 WIB", "B-B",
		"800/9/2026", "Undangan Rapat Koordinasi",
		// The SHA-256 in one piece, lower-case, in a box that never wraps.
		`<code class="hash" id="issuedsha" tabindex="0" aria-labelledby="issuedsha-l">` + sha(good) + `</code>`,
		`href="../v/` + idPublic + `/download?lang=id"`,
		"Unggah salinan Anda untuk dibandingkan", `action="?lang=id"`, `name="file"`, "Berkas Anda tidak disimpan",
		`href="../verify?lang=id"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the record lacks %s", want)
		}
	}
	css := regexp.MustCompile(`(?s)code\.hash \{[^}]*\}`).FindString(html)
	if !strings.Contains(css, "white-space: nowrap") || !strings.Contains(css, "word-break: keep-all") || !strings.Contains(css, "overflow-x: auto") {
		t.Errorf("the hash box may wrap: %s", css)
	}

	// Rahasia: no download, no perihal.
	_, html = get(t, srv.URL+"/v/"+idConfidential+"?lang=en")
	if strings.Contains(html, "/download") || strings.Contains(html, "Undangan Rapat") || !strings.Contains(html, "confidential") {
		t.Errorf("confidential record:\n%s", html)
	}
	for _, id := range []string{idNotStored, idPlain} {
		if _, html = get(t, srv.URL+"/v/"+id); strings.Contains(html, "/download") {
			t.Errorf("%s offers a download", id)
		}
	}

	// An unknown id, a malformed one, and a page without a register all
	// get the same friendly page.
	_, want := get(t, srv.URL+"/v/"+idUnknown)
	for _, u := range []string{srv.URL + "/v/" + idUnknown, srv.URL + "/v/bad.id", srv.URL + "/v/" + strings.Repeat("a", 200)} {
		resp, html = get(t, u)
		if resp.StatusCode != 404 || headlineOf(html) != "Surat tidak ditemukan" || !strings.Contains(html, `name="file"`) {
			t.Errorf("%s: %d %q", u, resp.StatusCode, headlineOf(html))
		}
		if withoutNonce(html) != withoutNonce(want) && !strings.Contains(u, "/v/bad.id") && !strings.Contains(u, "aaaa") {
			t.Errorf("%s: a different page for an unknown id", u)
		}
	}
	bare, _ := newPage(t, citizen.Options{Verify: w.verify})
	if resp, _ = get(t, bare.URL+"/v/"+idPublic); resp.StatusCode != 404 {
		t.Errorf("no register: %d", resp.StatusCode)
	}
	// An upper-cased link (a QR code in alphanumeric mode) still works.
	if resp, _ = get(t, srv.URL+"/v/"+strings.ToUpper(idPublic)); resp.StatusCode != 200 {
		t.Errorf("upper-case id: %d", resp.StatusCode)
	}
}

func withoutNonce(html string) string {
	return regexp.MustCompile(`nonce="[^"]*"`).ReplaceAllString(html, "")
}

// TestCompare: "upload your copy to compare".
func TestCompare(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	other := w.sign(t, "signed again") // valid, but not the issued file
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify, Documents: register(good)})

	resp, html := post(t, srv.URL+"/v/"+idPublic, good)
	if resp.StatusCode != 200 || !strings.Contains(html, "sama persis (byte demi byte)") || !strings.HasPrefix(headlineOf(html), "Dokumen asli") ||
		!strings.Contains(html, `id="compare"`) || !strings.Contains(html, "800/9/2026") || strings.Contains(html, "TIDAK sama") {
		t.Errorf("identical copy: %d %q\n%s", resp.StatusCode, headlineOf(html), html)
	}
	_, html = post(t, srv.URL+"/v/"+idPublic, tamper(t, good))
	if !strings.Contains(html, "TIDAK sama persis") || !strings.Contains(headlineOf(html), "tidak sah") || strings.Contains(html, "Dokumen asli") {
		t.Errorf("tampered copy: %q", headlineOf(html))
	}
	// Another valid letter on this letter's page: the mismatch is the
	// headline, never a green "Dokumen asli" (issue 14);
	// TestCompareOtherLetter holds the rest.
	_, html = post(t, srv.URL+"/v/"+idPublic, other)
	if !strings.Contains(html, "TIDAK sama persis") || headlineOf(html) != "Bukan surat yang terdaftar: berkas ini berbeda dengan surat 800/9/2026" ||
		strings.Contains(html, "Dokumen asli") || !strings.Contains(html, sha(other)) {
		t.Errorf("re-signed copy: %q", headlineOf(html))
	}
	_, html = post(t, srv.URL+"/v/"+idPublic+"?lang=en", good)
	if !strings.Contains(html, "identical, byte for byte") {
		t.Error("English comparison")
	}
	resp, html = post(t, srv.URL+"/v/"+idPublic, []byte("not a pdf"))
	if resp.StatusCode != http.StatusUnprocessableEntity || headlineOf(html) != "Berkas bukan PDF" || !strings.Contains(html, "800/9/2026") {
		t.Errorf("not a PDF: %d %q", resp.StatusCode, headlineOf(html))
	}
	resp, html = post(t, srv.URL+"/v/"+idUnknown, good)
	if resp.StatusCode != 404 || headlineOf(html) != "Surat tidak ditemukan" {
		t.Errorf("unknown id: %d %q", resp.StatusCode, headlineOf(html))
	}
	emptyDir(t, tmp)
}

// TestDownload: only when the profile allows it, the file is kept, and the
// letter is not rahasia.
func TestDownload(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	srv, _ := newPage(t, citizen.Options{Verify: w.verify, Documents: register(good)})
	resp, body := get(t, srv.URL+"/v/"+idPublic+"/download")
	if resp.StatusCode != 200 || body != string(good) || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %v", resp.StatusCode, resp.Header)
	}
	for _, c := range []struct{ id, want string }{
		{idConfidential, "rahasia"}, {idNotStored, "tidak menyediakan"}, {idPlain, "tidak menyediakan"}, {idUnknown, "Surat tidak ditemukan"},
	} {
		resp, body = get(t, srv.URL+"/v/"+c.id+"/download")
		if resp.StatusCode != 404 || strings.Contains(body, "%PDF") || !strings.Contains(body, c.want) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: %d %q", c.id, resp.StatusCode, headlineOf(body))
		}
	}
	// Rahasia wins whatever the other flags say.
	docs := register(good)
	docs.docs[idConfidential].Downloadable = true
	srv2, _ := newPage(t, citizen.Options{Verify: w.verify, Documents: docs})
	if resp, _ = get(t, srv2.URL+"/v/"+idConfidential+"/download"); resp.StatusCode != 404 {
		t.Errorf("a confidential letter was offered: %d", resp.StatusCode)
	}
}

// TestRateLimit: uploads per address per minute; 429 beyond; pages that
// upload nothing are not counted.
func TestRateLimit(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	var (
		mu  sync.Mutex
		now = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify, Documents: register(good), RateLimit: 3, Now: clock,
		ClientAddr: func(r *http.Request) string { return r.Header.Get("X-Test-Client") }})
	for i := range 3 {
		u := srv.URL + "/verify"
		if i == 1 {
			u = srv.URL + "/v/" + idPublic
		}
		if resp, _ := post(t, u, good, "X-Test-Client", "192.0.2.1"); resp.StatusCode != 200 {
			t.Fatalf("upload %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, html := post(t, srv.URL+"/verify", good, "X-Test-Client", "192.0.2.1")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "20" || headlineOf(html) != "Terlalu banyak pemeriksaan dari alamat Anda" {
		t.Errorf("fourth upload: %d %q %q", resp.StatusCode, resp.Header.Get("Retry-After"), headlineOf(html))
	}
	if resp, _ = post(t, srv.URL+"/v/"+idPublic, good, "X-Test-Client", "192.0.2.1"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("compare beyond the limit: %d", resp.StatusCode)
	}
	if resp, _ = get(t, srv.URL+"/v/"+idPublic, "X-Test-Client", "192.0.2.1"); resp.StatusCode != 200 {
		t.Errorf("a GET was limited: %d", resp.StatusCode)
	}
	if resp, _ = post(t, srv.URL+"/verify", good, "X-Test-Client", "192.0.2.2"); resp.StatusCode != 200 {
		t.Errorf("another address was limited: %d", resp.StatusCode)
	}
	mu.Lock()
	now = now.Add(20 * time.Second)
	mu.Unlock()
	if resp, _ = post(t, srv.URL+"/verify", good, "X-Test-Client", "192.0.2.1"); resp.StatusCode != 200 {
		t.Errorf("after 20 s: %d", resp.StatusCode)
	}
	emptyDir(t, tmp)
}

// TestDefaultRateLimit: without options, 20 uploads a minute from one
// address (httptest's 127.0.0.1).
func TestDefaultRateLimit(t *testing.T) {
	srv, _ := newPage(t, citizen.Options{Verify: canned(&verify.Report{Indication: verify.NoSignature})})
	for i := range citizen.DefaultRateLimit {
		if resp, _ := post(t, srv.URL+"/verify", []byte("%PDF-1.7\n")); resp.StatusCode != 200 {
			t.Fatalf("upload %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp, _ := post(t, srv.URL+"/verify", []byte("%PDF-1.7\n")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("upload %d: %d", citizen.DefaultRateLimit+1, resp.StatusCode)
	}
}

// TestVerifierFailures: an error or a panic of the verifier is a polite
// 500 page, and the upload is still removed.
func TestVerifierFailures(t *testing.T) {
	for name, v := range map[string]func(context.Context, io.ReaderAt, int64) (*verify.Report, error){
		"error": func(context.Context, io.ReaderAt, int64) (*verify.Report, error) { return nil, errors.New("boom") },
		"panic": func(context.Context, io.ReaderAt, int64) (*verify.Report, error) { panic("boom") },
		"nil":   func(context.Context, io.ReaderAt, int64) (*verify.Report, error) { return nil, nil },
		"notpdf": func(context.Context, io.ReaderAt, int64) (*verify.Report, error) {
			return nil, fmt.Errorf("%w: bad xref", verify.ErrNotPDF)
		},
	} {
		srv, tmp := newPage(t, citizen.Options{Verify: v})
		resp, html := post(t, srv.URL+"/verify", []byte("%PDF-1.7\n"))
		want := http.StatusInternalServerError
		if name == "notpdf" {
			want = http.StatusUnprocessableEntity
		}
		if resp.StatusCode != want || strings.Contains(html, "boom") {
			t.Errorf("%s: %d %q", name, resp.StatusCode, headlineOf(html))
		}
		emptyDir(t, tmp)
	}
}

// TestTempFileWhileVerifying: the upload is a bounded temporary file in
// TempDir (unlinked at once where the system allows it), holding exactly
// the uploaded bytes, and nothing is left afterwards.
func TestTempFileWhileVerifying(t *testing.T) {
	var seen []byte
	v := func(_ context.Context, src io.ReaderAt, size int64) (*verify.Report, error) {
		seen = make([]byte, size)
		if _, err := src.ReadAt(seen, 0); err != nil {
			return nil, err
		}
		return &verify.Report{Indication: verify.NoSignature}, nil
	}
	srv, tmp := newPage(t, citizen.Options{Verify: v})
	file := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 50_000)...)
	if resp, _ := post(t, srv.URL+"/verify", file); resp.StatusCode != 200 || !bytes.Equal(seen, file) {
		t.Fatalf("%d, verifier saw %d bytes", resp.StatusCode, len(seen))
	}
	emptyDir(t, tmp)
	// A TempDir that cannot be written is a 500, not a crash.
	srv, _ = newPage(t, citizen.Options{Verify: v, TempDir: tmp + "/missing"})
	if resp, _ := post(t, srv.URL+"/verify", file); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("missing TempDir: %d", resp.StatusCode)
	}
}

// TestHandlerMountedUnderPrefix: links are relative, so the page also
// works under a path prefix.
func TestHandlerMountedUnderPrefix(t *testing.T) {
	h, err := citizen.New(citizen.Options{Verify: canned(&verify.Report{Indication: verify.NoSignature}), Documents: register([]byte("x"))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/cek/", http.StripPrefix("/cek", h))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/cek/v/"+idPublic, nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `href="../verify?lang=id"`) {
		t.Errorf("%d", rec.Code)
	}
}
