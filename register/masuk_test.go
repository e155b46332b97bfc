package register

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// scanPDF is a real two-page PDF (made by the repository's testdata
// script), the scanned letter of the tests.
func scanPDF(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/pdf/form-2page.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addKlasifikasi adds the JRA codes the tests use.
func addKlasifikasi(t testing.TB, ta *testApp) {
	t.Helper()
	for _, k := range [][2]string{{"005", "Undangan"}, {"800", "Kepegawaian"}} {
		if _, err := ta.db.ExecContext(context.Background(), `INSERT INTO klasifikasi (code, name, active_years, inactive_years)
			VALUES ($1, $2, 2, 1) ON CONFLICT (code) DO NOTHING`, k[0], k[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// masukForm is a good registration form; the clock of the test apps is
// 2026-03-02 WIB.
func masukValues(subject, sifat string) url.Values {
	return url.Values{
		"pengirim": {"Dinas Kesehatan Provinsi Banten"}, "nomor": {"440/123/Dinkes/II/2026"},
		"tanggal": {"2026-02-26"}, "diterima": {"2026-03-02"}, "perihal": {subject},
		"sifat": {sifat}, "klasifikasi": {"005"},
	}
}

var letterPathRE = regexp.MustCompile(`^/surat/(\d+)\?dicatat=1$`)

// register registers a letter as the clerk c and returns its id.
func register(t testing.TB, c *client, subject, sifat string) int64 {
	t.Helper()
	r := c.postFile("/surat-masuk/baru", masukValues(subject, sifat), "berkas", "scan.pdf", scanPDF(t))
	m := letterPathRE.FindStringSubmatch(r.Location)
	if r.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("registering %q: %d %q\n%s", subject, r.Code, r.Location, r.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// rowTo returns the id of the newest disposition of a letter to pos.
func rowTo(t testing.TB, ta *testApp, letter int64, pos string) int64 {
	t.Helper()
	var id int64
	err := ta.db.QueryRowContext(context.Background(), `SELECT MAX(id) FROM dispositions WHERE letter_id = $1 AND to_position_id = $2`,
		letter, ta.Pos[pos].ID).Scan(&id)
	if err != nil {
		t.Fatalf("disposition of %d to %s: %v", letter, pos, err)
	}
	return id
}

func letterStatus(t testing.TB, ta *testApp, id int64) string {
	t.Helper()
	var s string
	if err := ta.db.QueryRowContext(context.Background(), `SELECT status FROM letters WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func count(t testing.TB, ta *testApp, query string, args ...any) int {
	t.Helper()
	var n int
	if err := ta.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// dispose posts a disposition and wants it accepted.
func dispose(t testing.TB, c *client, letter, from int64, to []int64, instructions []string, due string) {
	t.Helper()
	v := url.Values{"dari": {fmt.Sprint(from)}, "instruksi": instructions, "batas": {due},
		"catatan": {"Mohon segera ditindaklanjuti."}}
	for _, p := range to {
		v.Add("kepada", fmt.Sprint(p))
	}
	r := c.post(fmt.Sprintf("/surat/%d/disposisi", letter), v)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("disposition from row %d: %d\n%s", from, r.Code, r.Body)
	}
}

func TestMasukFlow(t *testing.T)   { testMasukFlow(t, newTestApp(t)) }
func TestMasukFlowPG(t *testing.T) { testMasukFlow(t, newTestAppPG(t)) }

// testMasukFlow: the clerk registers a letter → the head disposes it to
// the kabid → the kabid disposes it to the kasi → the kasi marks it done
// → the letter is selesai; the trail, the inboxes and the read marks
// follow along.
func testMasukFlow(t *testing.T, ta *testApp) {
	addKlasifikasi(t, ta)
	tu := ta.login("tu")
	id := register(t, tu, "Undangan rapat koordinasi perizinan", "segera")

	r := tu.get(fmt.Sprintf("/surat/%d?dicatat=1", id))
	if r.Code != http.StatusOK || !strings.Contains(r.Body, `id="agenda">1/2026<`) || !strings.Contains(r.Body, "nomor agenda 1/2026") {
		t.Fatalf("the clerk's view after registering: %d\n%s", r.Code, r.Body)
	}
	if got := letterStatus(t, ta, id); got != "baru" {
		t.Errorf("status %q after registering", got)
	}
	var sum string
	var pages int
	if err := ta.db.QueryRow(`SELECT sha256, pages FROM letter_files WHERE letter_id = $1 AND kind = 'scan'`, id).Scan(&sum, &pages); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(ta.files, sum)); err != nil || string(b) != string(scanPDF(t)) || pages != 2 {
		t.Fatalf("the stored scan: %v, %d pages", err, pages)
	}
	r = tu.get(fmt.Sprintf("/surat/%d/berkas/1", id))
	if r.Code != http.StatusOK || r.Body != string(scanPDF(t)) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the scan download: %d %s", r.Code, r.Header.Get("Content-Type"))
	}

	// The head's inbox holds it, unread.
	kadis := ta.login("kadis")
	r = kadis.get("/")
	if !strings.Contains(r.Body, "Undangan rapat koordinasi perizinan") || !strings.Contains(r.Body, "Belum dibaca") {
		t.Fatalf("the head's inbox lacks the letter:\n%s", r.Body)
	}
	root := rowTo(t, ta, id, "kadis")
	if n := count(t, ta, `SELECT COUNT(*) FROM dispositions WHERE id = $1 AND read_at = ''`, root); n != 1 {
		t.Fatal("read before it was opened")
	}
	r = kadis.get(fmt.Sprintf("/surat/%d", id))
	if r.Code != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf(`/surat/%d/disposisi?dari=%d`, id, root)) {
		t.Fatalf("the head's view: %d\n%s", r.Code, r.Body)
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM dispositions WHERE id = $1 AND read_at <> ''`, root); n != 1 {
		t.Fatal("opening the letter did not mark it read")
	}

	// The disposition screen offers only positions below the head.
	r = kadis.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, root))
	if r.Code != http.StatusOK {
		t.Fatalf("disposition screen: %d\n%s", r.Code, r.Body)
	}
	for _, below := range []string{"kabid", "kasi", "staf", "tu"} {
		if !strings.Contains(r.Body, fmt.Sprintf(`name="kepada" value="%d"`, ta.Pos[below].ID)) {
			t.Errorf("the screen does not offer %s", below)
		}
	}
	for _, notBelow := range []string{"kadis", "sekda", "bupati", "kadis2"} {
		if strings.Contains(r.Body, fmt.Sprintf(`name="kepada" value="%d"`, ta.Pos[notBelow].ID)) {
			t.Errorf("the screen offers %s, who is not below the head", notBelow)
		}
	}
	dispose(t, kadis, id, root, []int64{ta.Pos["kabid"].ID}, []string{"Tindak lanjuti", "Koordinasikan"}, "2026-03-06")
	if got := letterStatus(t, ta, id); got != "didisposisi" {
		t.Errorf("status %q after the first disposition", got)
	}
	// On the letter, the head's row is no longer waiting for him; he may
	// dispose to more positions from it.
	r = kadis.get(fmt.Sprintf("/surat/%d", id))
	if strings.Contains(r.Body, `id="mine-h"`) || !strings.Contains(r.Body, fmt.Sprintf(`id="lagi-%d"`, root)) {
		t.Errorf("the head's view after disposing:\n%s", r.Body)
	}
	// It left the head's inbox (disposed further) and reached the kabid's.
	if r := kadis.get("/"); strings.Contains(r.Body, "Undangan rapat koordinasi perizinan") {
		t.Error("the letter stays in the head's inbox after disposing it")
	}
	kabid := ta.login("kabid")
	r = kabid.get("/")
	if !strings.Contains(r.Body, "Undangan rapat koordinasi perizinan") {
		t.Fatalf("the kabid's inbox lacks the letter:\n%s", r.Body)
	}
	rowKabid := rowTo(t, ta, id, "kabid")
	kabid.get(fmt.Sprintf("/surat/%d", id))
	dispose(t, kabid, id, rowKabid, []int64{ta.Pos["kasi"].ID}, []string{"Siapkan jawaban"}, "")

	kasi := ta.login("kasi")
	rowKasi := rowTo(t, ta, id, "kasi")
	r = kasi.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(rowKasi)}, "aksi": {"selesai"},
		"catatan_selesai": {"Jawaban sudah dikirim."}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("marking done: %d\n%s", r.Code, r.Body)
	}
	if got := letterStatus(t, ta, id); got != "selesai" {
		t.Errorf("status %q when every branch is done", got)
	}
	// Done twice is refused, and changes nothing.
	r = kasi.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(rowKasi)}, "aksi": {"selesai"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "sudah selesai") {
		t.Errorf("done twice: %d", r.Code)
	}

	// The trail on the letter: who, when, what.
	r = kadis.get(fmt.Sprintf("/surat/%d", id))
	for _, want := range []string{"Budi Kadis", "Kabul Kabid", "Kasih Kasi", "Tuti Agenda", "Tindak lanjuti", "Siapkan jawaban",
		"Jawaban sudah dikirim.", "mendisposisikan", "menandai disposisinya selesai", "surat selesai", `id="selesai"`,
		`data-state="done"`, "Selesai"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the trail lacks %q", want)
		}
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM events WHERE letter_id = $1`, id); n != 5 {
		t.Errorf("%d trail events, want 5 (registered, 2 dispositions, done, selesai)", n)
	}
	// The list shows it to the clerk, as selesai.
	if r := tu.get("/surat-masuk"); !strings.Contains(r.Body, "Undangan rapat koordinasi perizinan") || !strings.Contains(r.Body, "st-selesai") {
		t.Errorf("the list:\n%s", r.Body)
	}
}

// TestMasukTwoBranches: a letter disposed to two positions is selesai
// only when both branches are done.
func TestMasukTwoBranches(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	id := register(t, ta.login("tu"), "Permohonan data investasi", "biasa")
	kadis := ta.login("kadis")
	dispose(t, kadis, id, rowTo(t, ta, id, "kadis"), []int64{ta.Pos["kabid"].ID, ta.Pos["tu"].ID},
		[]string{"Untuk diketahui", "Arsipkan"}, "")
	done := func(user string) {
		c := ta.login(user)
		r := c.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(rowTo(t, ta, id, user))}, "aksi": {"selesai"}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("%s marks done: %d %s", user, r.Code, r.Body)
		}
	}
	done("kabid")
	if s := letterStatus(t, ta, id); s != "didisposisi" {
		t.Errorf("one branch of two done: status %q", s)
	}
	done("tu")
	if s := letterStatus(t, ta, id); s != "selesai" {
		t.Errorf("both branches done: status %q", s)
	}
}

// TestMasukBadInput: every bad form is refused with a clear message, the
// form keeps what was typed, and nothing is written: no row, no file.
func TestMasukBadInput(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	tu := ta.login("tu")
	good := masukValues("Surat yang ditolak", "penting")
	scan := scanPDF(t)
	with := func(k, v string) url.Values {
		w := url.Values{}
		for kk, vv := range good {
			w[kk] = vv
		}
		w.Set(k, v)
		return w
	}
	for name, c := range map[string]struct {
		form url.Values
		file []byte
		want string
	}{
		"no sender":      {with("pengirim", ""), scan, "Isi nama pengirim"},
		"bad date":       {with("tanggal", "kemarin"), scan, "TTTT-BB-HH"},
		"future":         {with("diterima", "2026-03-05"), scan, "belum lewat"},
		"unknown sifat":  {with("sifat", "sangat-rahasia"), scan, "Pilih sifat"},
		"unknown klas":   {with("klasifikasi", "999"), scan, "klasifikasi arsip dari daftar"},
		"not a pdf":      {good, []byte("GIF89a, not a letter"), "bukan PDF"},
		"truncated pdf":  {good, scan[:len(scan)/3], "bukan PDF"},
		"empty file":     {good, nil, "Lampirkan pindaian"},
		"too large file": {good, append([]byte("%PDF-1.7\n"), make([]byte, DefaultMaxScan)...), "terlalu besar"},
	} {
		r := tu.postFile("/surat-masuk/baru", c.form, "berkas", "x.pdf", c.file)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.want) {
			t.Errorf("%s: %d, want 422 with %q\n%s", name, r.Code, c.want, r.Body)
			continue
		}
		// The form is kept.
		if !strings.Contains(r.Body, `value="440/123/Dinkes/II/2026"`) || !strings.Contains(r.Body, "Surat yang ditolak</textarea>") {
			t.Errorf("%s: the form lost what was typed", name)
		}
	}
	// Without the file field at all.
	r := tu.post("/surat-masuk/baru", good)
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Lampirkan pindaian") {
		t.Errorf("no file field: %d", r.Code)
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM letters`); n != 0 {
		t.Errorf("%d letters written by refused forms", n)
	}
	if got := regularFiles(t, ta.files); len(got) != 0 {
		t.Errorf("files left in DATA/files by refused forms: %v", got)
	}
	// Only a clerk registers.
	kabid := ta.login("kabid")
	if r := kabid.get("/surat-masuk/baru"); r.Code != http.StatusForbidden {
		t.Errorf("GET the form as kabid: %d", r.Code)
	}
	if r := kabid.postFile("/surat-masuk/baru", good, "berkas", "x.pdf", scan); r.Code != http.StatusForbidden {
		t.Errorf("POST the form as kabid: %d", r.Code)
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM letters`); n != 0 {
		t.Error("a kabid registered a letter")
	}
}

// TestMasukFailedTransaction: when the transaction fails after the file
// was placed, the file is removed again (no file without a row).
func TestMasukFailedTransaction(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	ctx := context.Background()
	u := ta.Users["tu"]
	in, errs := parseMasuk(masukValues("x", "biasa"), ta.now().In(wib), isKlasifikasi(ctx, ta.db))
	if errs != nil {
		t.Fatal(errs)
	}
	s, err := spoolPDF(ta.files, strings.NewReader(string(scanPDF(t))), DefaultMaxScan)
	if err != nil {
		t.Fatal(err)
	}
	defer s.discard()
	// A sifat that the table's CHECK refuses makes the transaction fail
	// after the file was placed.
	in.Sifat = "bogus"
	if _, _, err := ta.registerIncoming(ctx, u, ta.Pos["tu"], "", in, s, "x.pdf"); err == nil {
		t.Fatal("a letter with a bad sifat was written")
	}
	if _, err := os.Stat(filepath.Join(ta.files, s.sha256)); !os.IsNotExist(err) {
		t.Errorf("the scan stays after the failed transaction: %v", err)
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM letters`); n != 0 {
		t.Error("a row was left")
	}
}

func TestAgendaConcurrent(t *testing.T) {
	testAgendaConcurrent(t, newTestApp(t), nil)
}

// TestAgendaConcurrentPG runs the registrations on two Apps (two
// replicas) sharing one PostgreSQL database.
func TestAgendaConcurrentPG(t *testing.T) {
	ta := newTestAppPG(t)
	other, err := New(context.Background(), Options{DSN: ta.opts.DSN, DataDir: ta.opts.DataDir, Now: ta.clock.Now, Logger: slogDiscard()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	testAgendaConcurrent(t, ta, other)
}

// testAgendaConcurrent registers 20 letters at once in two units and
// wants the agenda numbers 1..n of each unit, no gap, no repeat.
func testAgendaConcurrent(t *testing.T, ta *testApp, other *App) {
	addKlasifikasi(t, ta)
	const n = 20
	ctx := context.Background()
	scan := scanPDF(t)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app, clerk := ta.App, "tu"
			if i%2 == 1 {
				clerk = "tu2"
			}
			if other != nil && i%4 >= 2 {
				app = other
			}
			u, err := loadUser(ctx, app.db, ta.Users[clerk].ID, app.now())
			if err != nil {
				errs <- err
				return
			}
			in, ferrs := parseMasuk(masukValues(fmt.Sprintf("Surat %d", i), "biasa"), app.now().In(wib), isKlasifikasi(ctx, app.db))
			if ferrs != nil {
				errs <- fmt.Errorf("%v", ferrs)
				return
			}
			// Each its own bytes: distinct files.
			s, err := spoolPDF(app.files, strings.NewReader(string(scan)+fmt.Sprintf("\n%% %d\n", i)), DefaultMaxScan)
			if err != nil {
				errs <- err
				return
			}
			defer s.discard()
			if _, _, err := app.registerIncoming(ctx, u, u.Position, "", in, s, "scan.pdf"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, unit := range []string{"DPMPTSP", "KOMINFO"} {
		r, err := ta.db.Query(`SELECT agenda_no FROM letters WHERE unit_id = $1 AND direction = 'in' ORDER BY agenda_no`, ta.Units[unit].ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for r.Next() {
			var a int
			r.Scan(&a)
			got = append(got, a)
		}
		r.Close()
		if len(got) != n {
			t.Errorf("%s: %d letters, want %d", unit, len(got), n)
		}
		for i, a := range got {
			if a != i+1 {
				t.Errorf("%s: agenda numbers %v, want 1..%d", unit, got, n)
				break
			}
		}
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM letter_files`); n != 2*20 {
		t.Errorf("%d files recorded", n)
	}
}

// TestMasukClerkInSekretariat: a TU sitting in the OPD's Sekretariat (a
// bidang) registers into the OPD's agenda, and the letter goes to the
// Kepala Dinas, not to the Sekretaris.
func TestMasukClerkInSekretariat(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	ctx := context.Background()
	sekre := &Unit{Code: "DPMPTSP-SEKRE", Name: "Sekretariat DPMPTSP", Kind: "bidang", ParentID: ta.Units["DPMPTSP"].ID}
	if err := insertUnit(ctx, ta.db, sekre); err != nil {
		t.Fatal(err)
	}
	sekdis := &Position{UnitID: sekre.ID, ParentID: ta.Pos["kadis"].ID, Title: "Sekretaris DPMPTSP", Kind: PosEselon3, Unit: sekre}
	if err := insertPosition(ctx, ta.db, sekdis); err != nil {
		t.Fatal(err)
	}
	clerk := &Position{UnitID: sekre.ID, ParentID: sekdis.ID, Title: "Pengadministrasi Umum Sekretariat", Kind: PosClerk, Unit: sekre}
	if err := insertPosition(ctx, ta.db, clerk); err != nil {
		t.Fatal(err)
	}
	ta.addUser(&User{Username: "tu3", Name: "Tono Sekretariat", PositionID: clerk.ID, Position: clerk})
	first := register(t, ta.login("tu"), "Surat pertama", "biasa")
	id := register(t, ta.login("tu3"), "Surat kedua", "biasa")
	l, err := getInLetter(ctx, ta.db, id)
	if err != nil {
		t.Fatal(err)
	}
	if l.UnitID != ta.Units["DPMPTSP"].ID || l.Agenda() != "2/2026" {
		t.Errorf("unit %d agenda %s, want the OPD's agenda 2/2026", l.UnitID, l.Agenda())
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM dispositions WHERE letter_id = $1 AND to_position_id = $2`, id, ta.Pos["kadis"].ID); n != 1 {
		t.Error("the letter did not go to the Kepala Dinas")
	}
	// The Sekretariat's TU keeps the OPD's agenda: they see the letter
	// the other clerk registered too.
	if r := ta.login("tu3").get("/surat-masuk"); !strings.Contains(r.Body, "Surat pertama") || !strings.Contains(r.Body, "Surat kedua") {
		t.Errorf("the Sekretariat's TU does not see the OPD's letters (%d)", first)
	}
}

// TestMasukOnSeed: with the demo data of `make run`, each TU's letters go
// to the right head: the OPD's Kepala Dinas, and the Sekretariat
// Daerah's to the Bupati.
func TestMasukOnSeed(t *testing.T) {
	ctx := context.Background()
	a, err := New(ctx, Options{DataDir: t.TempDir(), Logger: slogDiscard()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := Seed(ctx, a.db, io.Discard, SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	for clerk, head := range map[string]string{"tu.dpmptsp": "kadis.dpmptsp", "tu.kominfo": "kadis.kominfo", "tu.setda": "bupati"} {
		var uid, headPos int64
		if err := a.db.QueryRow(`SELECT id FROM users WHERE username = $1`, clerk).Scan(&uid); err != nil {
			t.Fatalf("%s: %v", clerk, err)
		}
		if err := a.db.QueryRow(`SELECT position_id FROM users WHERE username = $1`, head).Scan(&headPos); err != nil {
			t.Fatalf("%s: %v", head, err)
		}
		u, err := loadUser(ctx, a.db, uid, a.now())
		if err != nil {
			t.Fatal(err)
		}
		p, _ := clerkPosition(u)
		if p == nil {
			t.Fatalf("%s is no clerk", clerk)
		}
		in, errs := parseMasuk(masukValues("Surat untuk "+head, "biasa"), a.now().In(wib), isKlasifikasi(ctx, a.db))
		if errs != nil {
			t.Fatalf("the seed's klasifikasi: %v", errs)
		}
		s, err := spoolPDF(a.files, bytes.NewReader(append(scanPDF(t), clerk...)), DefaultMaxScan)
		if err != nil {
			t.Fatal(err)
		}
		l, got, err := a.registerIncoming(ctx, u, p, "", in, s, "scan.pdf")
		s.discard()
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != headPos || l.AgendaNo != 1 {
			t.Errorf("%s's letter went to %s (agenda %d), want %s's position", clerk, got.Title, l.AgendaNo, head)
		}
	}
}

// TestMasukNoHead: a unit without a head refuses the registration with
// a clear message, the form kept, nothing written.
func TestMasukNoHead(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	ctx := context.Background()
	unit := &Unit{Code: "BARU", Name: "Badan Baru", Kind: "opd", ParentID: ta.Units["SERANG"].ID}
	if err := insertUnit(ctx, ta.db, unit); err != nil {
		t.Fatal(err)
	}
	clerk := &Position{UnitID: unit.ID, ParentID: ta.Pos["sekda"].ID, Title: "TU Badan Baru", Kind: PosClerk, Unit: unit}
	if err := insertPosition(ctx, ta.db, clerk); err != nil {
		t.Fatal(err)
	}
	ta.addUser(&User{Username: "tubaru", Name: "Tu Baru", PositionID: clerk.ID, Position: clerk})
	r := ta.login("tubaru").postFile("/surat-masuk/baru", masukValues("Surat ke badan baru", "biasa"), "berkas", "a.pdf", scanPDF(t))
	if r.Code != http.StatusConflict || !strings.Contains(r.Body, "belum memiliki pimpinan") || !strings.Contains(r.Body, "Surat ke badan baru</textarea>") {
		t.Errorf("no head: %d\n%s", r.Code, r.Body)
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM letters`); n != 0 {
		t.Error("a letter was written")
	}
	if got := regularFiles(t, ta.files); len(got) != 0 {
		t.Errorf("files written: %v", got)
	}
}
