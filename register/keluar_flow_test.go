package register

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/verify"
)

// keluarEnv is a register whose letters are signed by a real Segel
// gateway (internal/gatewaytest) over HTTP, with personal profiles for
// the test tree's signing officials (dev-kadis: kadis, dev-bupati:
// bupati).
type keluarEnv struct {
	*testApp
	gw *gatewaytest.Gateway
	// log is the register's log (debug level and up).
	log *lockedBuffer
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newKeluarEnv(t *testing.T, pg bool, gwOpts ...gatewaytest.Option) *keluarEnv {
	t.Helper()
	gw := gatewaytest.Start(t, append([]gatewaytest.Option{gatewaytest.WithOfficial("dev-kadis", "Budi Kadis"),
		gatewaytest.WithOfficial("dev-bupati", "Ratu Tatu")}, gwOpts...)...)
	log := &lockedBuffer{}
	opt := func(o *Options) {
		o.Gateway = &HTTPGateway{BaseURL: gw.URL, APIKey: gw.APIKey, TempDir: t.TempDir()}
		o.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var ta *testApp
	if pg {
		ta = newTestAppPG(t, opt)
	} else {
		ta = newTestApp(t, opt)
	}
	addTestKlasifikasi(t, ta.App)
	return &keluarEnv{testApp: ta, gw: gw, log: log}
}

// addTestKlasifikasi adds the JRA codes the tests use.
func addTestKlasifikasi(t testing.TB, a *App) {
	t.Helper()
	for _, k := range [][2]string{{"005", "Undangan"}, {"800", "Kepegawaian"}} {
		if _, err := a.db.Exec(`INSERT INTO klasifikasi (code, name, active_years, inactive_years, final) VALUES ($1, $2, 2, 1, 'musnah')`,
			k[0], k[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// draftForm is a complete new-letter form signed by position signer.
func (e *keluarEnv) draftForm(signer string, subject string) url.Values {
	return url.Values{
		"kind": {"undangan"}, "klasifikasi": {"005"}, "sifat": {"penting"}, "subject": {subject},
		"signer":            {strconv.FormatInt(e.Pos[signer].ID, 10)},
		"to_unit":           {strconv.FormatInt(e.Units["KOMINFO"].ID, 10)},
		"external":          {"Camat Ciruas\nKepala Desa Kaserangan"},
		"tembusan_unit":     {strconv.FormatInt(e.Units["SERANG"].ID, 10)},
		"tembusan_external": {"Arsip"},
	}
}

// letterIDFrom reads the letter id of a redirect to /surat/{id}/….
func letterIDFrom(t testing.TB, r *response) int64 {
	t.Helper()
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/surat/") {
		t.Fatalf("want a redirect to the letter, got %d %q %s", r.Code, r.Location, r.Body)
	}
	rest := strings.TrimPrefix(r.Location, "/surat/")
	id, err := strconv.ParseInt(rest[:strings.IndexByte(rest, '/')], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *keluarEnv) status(id int64) (status, number string) {
	e.t.Helper()
	if err := e.db.QueryRow(`SELECT status, number FROM letters WHERE id = $1`, id).Scan(&status, &number); err != nil {
		e.t.Fatal(err)
	}
	return status, number
}

func wantCode(t testing.TB, what string, r *response, code int, contains ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("%s: %d, want %d: %s", what, r.Code, code, r.Body)
	}
	for _, c := range contains {
		if !strings.Contains(r.Body, c) {
			t.Fatalf("%s: the page does not say %q: %s", what, c, r.Body)
		}
	}
}

// TestKeluarFlow is the whole life of an outgoing letter through HTTP:
// a staf drafts it, the Kasi gives paraf, the Kabid returns it with a
// corrected file, the staf resubmits, the chain starts again, the Kepala
// Dinas types a wrong passphrase (no number used) and then signs; the
// letter gets its number, written into it, and verifies; Segel's page
// shows it; the internal recipient has it in its surat masuk.
func TestKeluarFlow(t *testing.T) {
	e := newKeluarEnv(t, false)
	staf, kasi, kabid, kadis := e.login("staf"), e.login("kasi"), e.login("kabid"), e.login("kadis")

	// The form offers the signers above the drafter who have a profile.
	r := staf.get("/surat-keluar/baru")
	wantCode(t, "form", r, 200, "Kepala Dinas Penanaman Modal dan PTSP (Budi Kadis)", "Bupati Serang (Ratu Tatu)")
	if strings.Contains(r.Body, `value="`+strconv.FormatInt(e.Pos["kabid"].ID, 10)+`">Kepala Bidang`) {
		t.Error("a position without a signing profile is offered as signer")
	}

	// A draft without ${ttd} is refused with a clear message, the form kept.
	noTTD := gatewaytest.LetterWith("PEMERINTAH KABUPATEN SERANG", "Nomor: ${nomor}", "Tanpa tempat tanda tangan")
	r = staf.postFile("/surat-keluar/baru", e.draftForm("kadis", "Undangan rapat perizinan"), "draft", "draf.pdf", noTTD)
	wantCode(t, "draft without ${ttd}", r, http.StatusUnprocessableEntity, "Tanda ${ttd} tidak ditemukan", "Undangan rapat perizinan")
	r = staf.postFile("/surat-keluar/baru", e.draftForm("kadis", "Undangan rapat perizinan"), "draft", "x.pdf", []byte("bukan PDF"))
	wantCode(t, "not a PDF", r, http.StatusUnprocessableEntity, "bukan PDF")
	var n int
	e.db.QueryRow(`SELECT COUNT(*) FROM letters`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d letters after refused drafts", n)
	}

	r = staf.postFile("/surat-keluar/baru", e.draftForm("kadis", "Undangan rapat perizinan"), "draft", "undangan.pdf", gatewaytest.Letter())
	id := letterIDFrom(t, r)
	page := fmt.Sprintf("/surat/%d/paraf", id)
	if st, _ := e.status(id); st != statusParaf {
		t.Fatalf("status %s after submission", st)
	}
	// The chain is the Kasi, then the Kabid (the Kepala Dinas signs).
	r = staf.get(page)
	wantCode(t, "letter page", r, 200, "Kepala Seksi Perizinan Usaha", "Kepala Bidang Pelayanan Perizinan", "Menunggu paraf")
	if strings.Index(r.Body, "Kepala Seksi Perizinan Usaha") > strings.Index(r.Body, "Kepala Bidang Pelayanan Perizinan —") {
		t.Error("the chain is not bottom up")
	}

	// Not the Kabid's turn yet.
	r = kabid.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}})
	wantCode(t, "kabid before kasi", r, http.StatusForbidden)
	// The Kasi has it in the inbox and gives paraf.
	wantCode(t, "kasi inbox", kasi.get("/"), 200, "Menunggu paraf Anda", "Undangan rapat perizinan")
	wantCode(t, "kasi paraf", kasi.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}, "note": {"Sudah sesuai"}}), http.StatusSeeOther)
	// A second paraf of the same level is refused.
	wantCode(t, "kasi twice", kasi.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}}), http.StatusForbidden)

	// The Kabid returns it with a note and a corrected file (version 2).
	corrected := gatewaytest.LetterWith("PEMERINTAH KABUPATEN SERANG", "Nomor: ${nomor}", "Perihal: Undangan Rapat Perizinan",
		"", "Dengan hormat, kami mengundang Saudara pada rapat perizinan terpadu.", "", "Kepala Dinas,", "${ttd}")
	wantCode(t, "return without note", kabid.post(page, url.Values{"aksi": {"kembalikan"}}), http.StatusUnprocessableEntity, "Tulis catatan")
	r = kabid.postFile(page, url.Values{"aksi": {"kembalikan"}, "note": {"Perbaiki kalimat pembuka"}}, "draft", "perbaikan.pdf", corrected)
	wantCode(t, "kabid returns", r, http.StatusSeeOther)
	if st, _ := e.status(id); st != statusReturned {
		t.Fatalf("status %s after a return", st)
	}
	wantCode(t, "after return", staf.get(page), 200, "Dikembalikan", "Perbaiki kalimat pembuka", "perbaikan.pdf", "Ajukan lagi")
	// Only the drafter resubmits.
	wantCode(t, "kasi resubmits", kasi.post(page, url.Values{"aksi": {"ajukan"}}), http.StatusForbidden)
	wantCode(t, "staf resubmits", staf.post(page, url.Values{"aksi": {"ajukan"}}), http.StatusSeeOther)

	// The chain starts again from the Kasi, on version 2.
	wantCode(t, "kabid before kasi again", kabid.post(page, url.Values{"aksi": {"setuju"}, "version": {"2"}}), http.StatusForbidden)
	wantCode(t, "kasi on a stale version", kasi.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}}), http.StatusConflict, "versi yang lebih baru")
	wantCode(t, "kasi again", kasi.post(page, url.Values{"aksi": {"setuju"}, "version": {"2"}}), http.StatusSeeOther)
	wantCode(t, "kabid again", kabid.post(page, url.Values{"aksi": {"setuju"}, "version": {"2"}}), http.StatusSeeOther)
	if st, num := e.status(id); st != statusSiapTTD || num != "" {
		t.Fatalf("status %s number %q after the chain", st, num)
	}
	var rounds int
	e.db.QueryRow(`SELECT COUNT(*) FROM paraf WHERE letter_id = $1`, id).Scan(&rounds)
	if rounds != 4 { // kasi approved, kabid returned; kasi, kabid approved
		t.Errorf("%d paraf rows, want 4", rounds)
	}

	// Only the signing official reaches the signing screen.
	ttd := fmt.Sprintf("/surat/%d/ttd", id)
	wantCode(t, "kabid signing screen", kabid.get(ttd), http.StatusNotFound)
	wantCode(t, "kadis inbox", kadis.get("/"), 200, "Surat untuk Anda tandatangani", "Undangan rapat perizinan")
	wantCode(t, "signing screen", kadis.get(ttd), 200, "Versi final", `type="password"`, fmt.Sprintf("/surat/%d/berkas/2", id))

	// A wrong passphrase: refused, attempts left, no number used.
	r = kadis.post(ttd, url.Values{"passphrase": {"salah"}})
	wantCode(t, "wrong passphrase", r, http.StatusForbidden, "Passphrase tidak diterima", "Sisa percobaan sebelum dikunci: 4")
	if st, num := e.status(id); st != statusSiapTTD || num != "" {
		t.Fatalf("status %s number %q after a wrong passphrase", st, num)
	}
	var last int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM number_seq WHERE last > 0`).Scan(&last); err != nil || last != 0 {
		t.Fatalf("number_seq after a refused signature: %d %v", last, err)
	}

	pass := e.gw.Official("dev-kadis").Passphrase
	r = kadis.post(ttd, url.Values{"passphrase": {pass}})
	wantCode(t, "sign", r, http.StatusSeeOther)
	st, number := e.status(id)
	if st != statusSigned || number != "005/1/DPMPTSP/2026" {
		t.Fatalf("after signing: %s %q", st, number)
	}
	wantCode(t, "signed screen", kadis.get(r.Location), 200, "ditandatangani dengan nomor 005/1/DPMPTSP/2026")
	wantCode(t, "sign twice", kadis.post(ttd, url.Values{"passphrase": {pass}}), http.StatusConflict)

	// The signed letter: the number written in, a valid B-LTA signature.
	var sha, docID, verifyURL string
	if err := e.db.QueryRow(`SELECT f.sha256, l.document_id, l.verify_url FROM letter_files f JOIN letters l ON l.id = f.letter_id
		WHERE f.letter_id = $1 AND f.kind = 'signed' AND f.version = 3`, id).Scan(&sha, &docID, &verifyURL); err != nil {
		t.Fatal(err)
	}
	signed, err := os.ReadFile(filepath.Join(e.files, sha))
	if err != nil {
		t.Fatal(err)
	}
	// The signer saw the final version, and gets the signed letter, on
	// the letter's file links.
	if r := kadis.get(fmt.Sprintf("/surat/%d/berkas/2", id)); r.Code != 200 || r.Body != string(corrected) {
		t.Errorf("the final version on the signing screen's link: %d, %d bytes", r.Code, len(r.Body))
	}
	if r := kadis.get(fmt.Sprintf("/surat/%d/berkas/3", id)); r.Code != 200 || r.Body != string(signed) {
		t.Errorf("the signed letter's link: %d, %d bytes", r.Code, len(r.Body))
	}
	rep, err := verify.Verify(context.Background(), bytes.NewReader(signed), int64(len(signed)), &verify.Options{Trust: e.gw.Trust})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indication != verify.TotalPassed {
		t.Fatalf("signed letter: %s %+v", rep.Indication, rep.Signatures)
	}
	if rep.Signatures[0].Level != "PAdES-BASELINE-LTA" {
		t.Errorf("level %s, want B-LTA", rep.Signatures[0].Level)
	}
	if got := rep.Signatures[0].Signer.CommonName; got != "Budi Kadis" {
		t.Errorf("signer %q", got)
	}
	if !pdfShows(t, signed, number) || !pdfShows(t, signed, "rapat perizinan terpadu") {
		t.Error("the signed letter does not show its number or the corrected text")
	}
	doc, err := e.gw.Store.GetDocument(context.Background(), docID)
	if err != nil || doc.Number != number || doc.Subject != "Undangan rapat perizinan" || doc.Profile != "dev-kadis" {
		t.Fatalf("Segel's register: %+v %v", doc, err)
	}
	if verifyURL != e.gw.URL+"/v/"+docID {
		t.Fatalf("verify URL %q, want the gateway's /v/%s", verifyURL, docID)
	}
	res, err := http.Get(verifyURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, s := range []string{number, "Undangan rapat perizinan", "Budi Kadis"} {
		if res.StatusCode != 200 || !strings.Contains(string(body), s) {
			t.Errorf("citizens' page (%d) does not show %q", res.StatusCode, s)
		}
	}

	// The trail has every step.
	r = staf.get(page)
	for _, s := range []string{"Draf dibuat", "Paraf", "Dikembalikan", "Versi baru diunggah", "Diajukan untuk paraf",
		"Tanda tangan gagal", "Ditandatangani", "Dikirim ke unit penerima", number} {
		if !strings.Contains(r.Body, s) {
			t.Errorf("the trail does not show %q", s)
		}
	}
	if strings.Contains(r.Body, pass) {
		t.Fatal("the passphrase is on the letter page")
	}
	// The log tells the crash window's story, never the passphrase.
	logged := e.log.String()
	if strings.Contains(logged, pass) || strings.Contains(logged, "salah") {
		t.Fatalf("a passphrase is in the log:\n%s", logged)
	}
	if !strings.Contains(logged, "signed at Segel") || !strings.Contains(logged, docID) {
		t.Errorf("the log does not record the document id before the commit:\n%s", logged)
	}

	// KOMINFO (an addressee) and SERANG (tembusan) have it in their surat
	// masuk, with an agenda number, passed to their heads.
	rows, err := e.db.Query(`SELECT l.unit_id, l.agenda_no, l.sender_number, l.status, d.to_position_id
		FROM letters l LEFT JOIN dispositions d ON d.letter_id = l.id WHERE l.direction = 'in' ORDER BY l.unit_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int64{}
	for rows.Next() {
		var unit, agenda, head int64
		var num, st string
		if err := rows.Scan(&unit, &agenda, &num, &st, &head); err != nil {
			t.Fatal(err)
		}
		if agenda != 1 || num != number || st != "baru" {
			t.Errorf("incoming copy of unit %d: agenda %d, number %q, status %s", unit, agenda, num, st)
		}
		got[unit] = head
	}
	rows.Close()
	if len(got) != 2 || got[e.Units["KOMINFO"].ID] != e.Pos["kadis2"].ID || got[e.Units["SERANG"].ID] != e.Pos["bupati"].ID {
		t.Errorf("incoming copies: %v", got)
	}
	// The head of KOMINFO has it in the inbox, opens it, and gets the
	// signed letter from its own copy.
	kadis2 := e.login("kadis2")
	wantCode(t, "recipient's inbox", kadis2.get("/"), 200, "Undangan rapat perizinan")
	var inID int64
	if err := e.db.QueryRow(`SELECT id FROM letters WHERE direction = 'in' AND unit_id = $1`, e.Units["KOMINFO"].ID).Scan(&inID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "recipient's copy", kadis2.get(fmt.Sprintf("/surat/%d", inID)), 200, number, "Undangan rapat perizinan")
	if r := kadis2.get(fmt.Sprintf("/surat/%d/berkas/1", inID)); r.Code != 200 || r.Body != string(signed) {
		t.Errorf("the recipient's file: %d, %d bytes", r.Code, len(r.Body))
	}
	// The copy is the recipient's: the signer, in another OPD, neither
	// opens it nor finds it in the archive (nor so the dispositions the
	// recipient makes on it), and has the letter itself only once there.
	wantCode(t, "the signer on the recipient's copy", kadis.get(fmt.Sprintf("/surat/%d", inID)), http.StatusNotFound)
	if r := kadis.get("/arsip?nomor=" + url.QueryEscape(number)); r.Code != 200 || strings.Count(r.Body, `href="/surat/`) != 1 {
		t.Errorf("the signer's archive for %s: %d, %d letters", number, r.Code, strings.Count(r.Body, `href="/surat/`))
	}
}

// pdfShows reports whether a page of the PDF shows text.
func pdfShows(t testing.TB, b []byte, text string) bool {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(b), int64(len(b)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		g, err := pdftext.Page(r, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(pdftext.Find(g, text)) > 0 {
			return true
		}
	}
	return false
}

// TestSignLevelFallback: a profile that may not sign B-LTA signs at its
// default level (the gateway refuses the level before the passphrase, so
// the retry costs no attempt).
func TestSignLevelFallback(t *testing.T) {
	e := newKeluarEnv(t, false, gatewaytest.WithOptions(func(o *httpapi.Options) {
		for _, p := range o.Profiles {
			if p.Name == "dev-kadis" {
				p.DefaultLevel, p.AllowedLevels = signer.LevelT, []signer.Level{signer.LevelB, signer.LevelT}
			}
		}
	}))
	ids := e.readyLetters(1)
	r := e.login("kadis").post(fmt.Sprintf("/surat/%d/ttd", ids[0]), url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}})
	wantCode(t, "sign", r, http.StatusSeeOther)
	var docID string
	e.db.QueryRow(`SELECT document_id FROM letters WHERE id = $1`, ids[0]).Scan(&docID)
	doc, err := e.gw.Store.GetDocument(context.Background(), docID)
	if err != nil || doc.Level != "B-T" {
		t.Fatalf("Segel's record: %+v %v", doc, err)
	}
	if left, _ := e.attemptsLeft(context.Background(), e.Users["kadis"].ID); left != signAttempts {
		t.Errorf("attempts left %d after the level retry", left)
	}
}

// TestSignSampleLetters: the sample drafts of testdata/letters (the demo's
// and the README tour's) pass the draft check, get their number written
// in at ${nomor}, and verify.
func TestSignSampleLetters(t *testing.T) {
	e := newKeluarEnv(t, false)
	kabid, kadis := e.login("kabid"), e.login("kadis")
	pass := e.gw.Official("dev-kadis").Passphrase
	for i, name := range []string{"undangan.pdf", "surat-dinas.pdf", "nota-dinas.pdf"} {
		draft, err := os.ReadFile(filepath.Join("..", "testdata", "letters", name))
		if err != nil {
			t.Fatal(err)
		}
		id := letterIDFrom(t, kabid.postFile("/surat-keluar/baru", e.draftForm("kadis", name), "draft", name, draft))
		wantCode(t, name, kadis.post(fmt.Sprintf("/surat/%d/ttd", id), url.Values{"passphrase": {pass}}), http.StatusSeeOther)
		want := fmt.Sprintf("005/%d/DPMPTSP/2026", i+1)
		if _, num := e.status(id); num != want {
			t.Fatalf("%s: number %q, want %q", name, num, want)
		}
		r := kadis.get(fmt.Sprintf("/surat/%d/berkas/2", id))
		signed := []byte(r.Body)
		rep, err := verify.Verify(context.Background(), bytes.NewReader(signed), int64(len(signed)), &verify.Options{Trust: e.gw.Trust})
		if err != nil || rep.Indication != verify.TotalPassed {
			t.Fatalf("%s: %v %+v", name, err, rep)
		}
		if !pdfShows(t, signed, want) {
			t.Errorf("%s: the signed letter does not show %s", name, want)
		}
	}
}

// TestKeluarOnSeed: the tour of the demo data (Seed): the staf of
// DPMPTSP drafts an undangan from testdata/letters to the Kepala Dinas,
// the Kasi and the Kabid give paraf, the Kepala Dinas signs, and the
// Kepala Dinas of DISKOMINFOSATPER has it in the inbox.
func TestKeluarOnSeed(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("dev-kadis-dpmptsp", "Ir. H. Bambang Setiawan, M.T."))
	ta := &testApp{t: t, clock: &testClock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}}
	a, err := New(context.Background(), Options{DataDir: t.TempDir(), Now: ta.clock.Now, Logger: slogDiscard(),
		Gateway: &HTTPGateway{BaseURL: gw.URL, APIKey: gw.APIKey, TempDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ta.App = a
	var pw bytes.Buffer
	if err := Seed(context.Background(), a.DB(), &pw, SeedOptions{Now: ta.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	ta.srv = httptest.NewServer(a.Handler())
	t.Cleanup(ta.srv.Close)
	passwords := map[string]string{}
	for _, line := range strings.Split(pw.String(), "\n") {
		if f := strings.Split(line, "\t"); len(f) >= 2 && !strings.HasPrefix(line, "#") {
			passwords[f[0]] = f[1]
		}
	}
	login := func(user string) *client {
		c := ta.anon()
		if r := c.tryLogin(user, passwords[user]); r.Code != http.StatusSeeOther {
			t.Fatalf("login %s: %d", user, r.Code)
		}
		c.refreshCSRF()
		return c
	}
	var kadisPos, kominfo int64
	a.db.QueryRow(`SELECT position_id FROM users WHERE username = 'kadis.dpmptsp'`).Scan(&kadisPos)
	a.db.QueryRow(`SELECT id FROM units WHERE code = 'DISKOMINFOSATPER'`).Scan(&kominfo)
	draft, err := os.ReadFile(filepath.Join("..", "testdata", "letters", "undangan.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	staf := login("staf.dpmptsp")
	r := staf.postFile("/surat-keluar/baru", url.Values{"kind": {"undangan"}, "klasifikasi": {"005"}, "sifat": {"biasa"},
		"subject": {"Undangan Rapat Koordinasi"}, "signer": {strconv.FormatInt(kadisPos, 10)},
		"to_unit": {strconv.FormatInt(kominfo, 10)}}, "draft", "undangan.pdf", draft)
	id := letterIDFrom(t, r)
	page := fmt.Sprintf("/surat/%d/paraf", id)
	for _, u := range []string{"kasi.dpmptsp", "kabid.dpmptsp"} {
		wantCode(t, u, login(u).post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}}), http.StatusSeeOther)
	}
	kadis := login("kadis.dpmptsp")
	wantCode(t, "sign", kadis.post(fmt.Sprintf("/surat/%d/ttd", id), url.Values{"passphrase": {gw.Official("dev-kadis-dpmptsp").Passphrase}}),
		http.StatusSeeOther)
	var number string
	a.db.QueryRow(`SELECT number FROM letters WHERE id = $1`, id).Scan(&number)
	if number != "005/1/DPMPTSP/2026" {
		t.Fatalf("number %q", number)
	}
	wantCode(t, "kominfo inbox", login("kadis.kominfo").get("/"), 200, "Undangan Rapat Koordinasi")
}
