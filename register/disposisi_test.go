package register

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestDispoOnlyDown: a disposition upwards, sideways or to oneself is
// refused with a clear message and writes nothing; a staf disposes
// nothing; one who does not hold the row may not dispose from it.
func TestDispoOnlyDown(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	id := register(t, ta.login("tu"), "Laporan realisasi investasi", "penting")
	kadis := ta.login("kadis")
	dispose(t, kadis, id, rowTo(t, ta, id, "kadis"), []int64{ta.Pos["kabid"].ID}, []string{"Tindak lanjuti"}, "")
	kabid := ta.login("kabid")
	rowKabid := rowTo(t, ta, id, "kabid")
	before := count(t, ta, `SELECT COUNT(*) FROM dispositions`)
	try := func(c *client, from int64, to string) *response {
		return c.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(from)},
			"kepada": {fmt.Sprint(ta.Pos[to].ID)}, "instruksi": {"Untuk diketahui"}})
	}
	for _, c := range []struct{ to, why string }{
		{"kadis", "upwards, to the superior"},
		{"sekda", "upwards, two levels"},
		{"tu", "sideways, in the same unit"},
		{"kadis2", "sideways, another OPD"},
		{"tu2", "into another OPD"},
		{"kabid", "to oneself"},
	} {
		r := try(kabid, rowKabid, c.to)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "hanya dapat ke jabatan di bawah Anda") {
			t.Errorf("kabid → %s (%s): %d, want 422 and the message", c.to, c.why, r.Code)
		}
	}
	// One recipient not below spoils the whole disposition.
	r := kabid.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(rowKabid)},
		"kepada": {fmt.Sprint(ta.Pos["kasi"].ID), fmt.Sprint(ta.Pos["kadis2"].ID)}, "instruksi": {"Pelajari"}})
	if r.Code != http.StatusUnprocessableEntity {
		t.Errorf("kasi and kadis2 at once: %d", r.Code)
	}
	// The form kept the choice.
	if !strings.Contains(r.Body, fmt.Sprintf(`value="%d" checked`, ta.Pos["kasi"].ID)) {
		t.Error("the refused form lost its recipients")
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM dispositions`); n != before {
		t.Errorf("refused dispositions wrote %d rows", n-before)
	}

	// Someone who does not hold the row (the kasi, who sees nothing of it
	// yet; and the head, who sees the letter but does not hold the
	// kabid's row).
	kasi := ta.login("kasi")
	if r := try(kasi, rowKabid, "staf"); r.Code != http.StatusNotFound {
		t.Errorf("kasi from the kabid's row, before seeing the letter: %d, want 404", r.Code)
	}
	if r := try(kadis, rowKabid, "kasi"); r.Code != http.StatusForbidden {
		t.Errorf("the head from the kabid's row: %d, want 403", r.Code)
	}
	if r := kadis.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, rowKabid)); r.Code != http.StatusForbidden {
		t.Errorf("the head opens the kabid's disposition screen: %d, want 403", r.Code)
	}
	// Without ?dari: the kabid gets his own row; the clerk, who holds
	// none, 403.
	if r := kabid.get(fmt.Sprintf("/surat/%d/disposisi", id)); r.Code != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf(`name="dari" value="%d"`, rowKabid)) {
		t.Errorf("the kabid's screen without ?dari: %d", r.Code)
	}
	if r := ta.login("tu").get(fmt.Sprintf("/surat/%d/disposisi", id)); r.Code != http.StatusForbidden {
		t.Errorf("the clerk's screen without ?dari: %d, want 403", r.Code)
	}
	// A row of another letter.
	other := register(t, ta.login("tu"), "Surat lain", "biasa")
	if r := try(kabid, rowTo(t, ta, other, "kadis"), "kasi"); r.Code != http.StatusForbidden {
		t.Errorf("a row of another letter: %d, want 403", r.Code)
	}

	// A staf marks done but disposes nothing.
	dispose(t, kabid, id, rowKabid, []int64{ta.Pos["kasi"].ID}, []string{"Tindak lanjuti"}, "")
	rowKasi := rowTo(t, ta, id, "kasi")
	dispose(t, kasi, id, rowKasi, []int64{ta.Pos["staf"].ID}, []string{"Siapkan jawaban"}, "")
	staf := ta.login("staf")
	rowStaf := rowTo(t, ta, id, "staf")
	page := staf.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, rowStaf))
	if page.Code != http.StatusOK || strings.Contains(page.Body, `id="form-disposisi"`) || !strings.Contains(page.Body, `id="form-selesai"`) {
		t.Errorf("the staf's screen: %d (want no disposition form, a done form)", page.Code)
	}
	// Nobody is below a staf, but even so the kind refuses.
	r = staf.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(rowStaf)},
		"kepada": {fmt.Sprint(ta.Pos["kasi"].ID)}, "instruksi": {"Arsipkan"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "tidak mendisposisikan") {
		t.Errorf("a staf disposes: %d", r.Code)
	}

	// Bad forms: no recipient, no instruction, a due date in the past.
	for name, v := range map[string]url.Values{
		"no recipient":   {"dari": {fmt.Sprint(rowKasi)}, "instruksi": {"Arsipkan"}},
		"no instruction": {"dari": {fmt.Sprint(rowKasi)}, "kepada": {fmt.Sprint(ta.Pos["staf"].ID)}},
		"past due":       {"dari": {fmt.Sprint(rowKasi)}, "kepada": {fmt.Sprint(ta.Pos["staf"].ID)}, "instruksi": {"Arsipkan"}, "batas": {"2026-03-01"}},
		"unknown instr.": {"dari": {fmt.Sprint(rowKasi)}, "kepada": {fmt.Sprint(ta.Pos["staf"].ID)}, "instruksi": {"Bakar"}},
	} {
		if r := kasi.post(fmt.Sprintf("/surat/%d/disposisi", id), v); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, r.Code)
		}
	}
}

// TestDispoDelegation: a Plh acts for the absent head; the action is
// marked on the trail and on the lembar.
func TestDispoDelegation(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	ctx := context.Background()
	now := ta.now()
	// The kabid is Plh. of the head for a week.
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO delegations (position_id, user_id, kind, starts, ends, created_at)
		VALUES ($1, $2, 'plh', $3, $4, $3)`, ta.Pos["kadis"].ID, ta.Users["kabid"].ID,
		FormatTime(now.Add(-time.Hour)), FormatTime(now.Add(7*24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	id := register(t, ta.login("tu"), "Undangan peresmian mal pelayanan publik", "segera")
	kabid := ta.login("kabid")
	r := kabid.get("/")
	if !strings.Contains(r.Body, "Undangan peresmian mal pelayanan publik") || !strings.Contains(r.Body, "· Plh. Kepala Dinas Penanaman Modal dan PTSP") {
		t.Fatalf("the Plh's inbox lacks the head's letter, marked:\n%s", r.Body)
	}
	root := rowTo(t, ta, id, "kadis")
	r = kabid.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, root))
	if r.Code != http.StatusOK || !strings.Contains(r.Body, "Plh. Kepala Dinas Penanaman Modal dan PTSP") {
		t.Fatalf("the Plh's screen: %d\n%s", r.Code, r.Body)
	}
	dispose(t, kabid, id, root, []int64{ta.Pos["kasi"].ID}, []string{"Hadiri/wakili"}, "2026-03-04")
	var acting string
	if err := ta.db.QueryRow(`SELECT acting_as FROM dispositions WHERE letter_id = $1 AND to_position_id = $2`,
		id, ta.Pos["kasi"].ID).Scan(&acting); err != nil || acting != "Plh. Kepala Dinas Penanaman Modal dan PTSP" {
		t.Errorf("acting_as %q, %v", acting, err)
	}
	r = ta.login("kasi").get(fmt.Sprintf("/surat/%d", id))
	if !strings.Contains(r.Body, "<strong>Plh. Kepala Dinas Penanaman Modal dan PTSP</strong> (Kabul Kabid)") {
		t.Errorf("the trail does not mark the Plh:\n%s", r.Body)
	}
	l, err := getInLetter(ctx, ta.db, id)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := ta.lembarOf(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(lb.Entries) != 1 || lb.Entries[0].ActingAs != "Plh." || !strings.Contains(lb.Entries[0].To, "Kepala Seksi Perizinan Usaha (Kasih Kasi)") {
		t.Errorf("lembar entries %+v", lb.Entries)
	}
	// When the delegation has ended, the kabid no longer holds the row.
	ta.advance(8 * 24 * time.Hour)
	kabid = ta.login("kabid")
	if r := kabid.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, root)); r.Code != http.StatusForbidden {
		t.Errorf("after the delegation: %d, want 403", r.Code)
	}
}

// TestDispoOverdue: a disposition past its due date and not done is
// highlighted in the inbox and on the letter; done, it is not.
func TestDispoOverdue(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	id := register(t, ta.login("tu"), "Permintaan data perizinan triwulan", "segera")
	kadis := ta.login("kadis")
	dispose(t, kadis, id, rowTo(t, ta, id, "kadis"), []int64{ta.Pos["kabid"].ID}, []string{"Tindak lanjuti"}, "2026-03-03")
	kabid := ta.login("kabid")
	if r := kabid.get("/"); strings.Contains(r.Body, `class="overdue"`) {
		t.Error("overdue before the due date")
	}
	ta.advance(24 * time.Hour) // 03-03: the due date itself is not late
	kabid = ta.login("kabid")
	if r := kabid.get("/"); strings.Contains(r.Body, `class="overdue"`) {
		t.Error("overdue on the due date")
	}
	ta.advance(24 * time.Hour) // 03-04
	kabid = ta.login("kabid")
	r := kabid.get("/")
	if !strings.Contains(r.Body, `<li class="overdue"><a href="/surat/`+fmt.Sprint(id)) {
		t.Errorf("the inbox does not highlight the overdue disposition:\n%s", r.Body)
	}
	r = kabid.get(fmt.Sprintf("/surat/%d", id))
	if !strings.Contains(r.Body, `id="lewat"`) || !strings.Contains(r.Body, "Lewat batas waktu") {
		t.Errorf("the letter does not highlight the overdue disposition:\n%s", r.Body)
	}
	r = kabid.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(rowTo(t, ta, id, "kabid"))},
		"aksi": {"selesai"}, "catatan_selesai": {"Data dikirim."}})
	if r.Code != http.StatusSeeOther {
		t.Fatal(r.Code)
	}
	if r := kabid.get(fmt.Sprintf("/surat/%d", id)); strings.Contains(r.Body, `id="lewat"`) {
		t.Error("still overdue once done")
	}
}

// TestMasukAccess: every route of surat masuk answers 404 to a user who
// may not see the letter (ids are guessable), and rahasia letters are
// seen only by those directly involved.
func TestMasukAccess(t *testing.T)   { testMasukAccess(t, newTestApp(t)) }
func TestMasukAccessPG(t *testing.T) { testMasukAccess(t, newTestAppPG(t)) }

func testMasukAccess(t *testing.T, ta *testApp) {
	addKlasifikasi(t, ta)
	tu := ta.login("tu")
	biasa := register(t, tu, "Surat biasa dari provinsi", "biasa")
	rahasia := register(t, tu, "Laporan pemeriksaan internal", "rahasia")
	root := rowTo(t, ta, biasa, "kadis")

	routes := func(id int64) []func(c *client) *response {
		return []func(c *client) *response{
			func(c *client) *response { return c.get(fmt.Sprintf("/surat/%d", id)) },
			func(c *client) *response { return c.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, root)) },
			func(c *client) *response {
				return c.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(root)},
					"kepada": {fmt.Sprint(ta.Pos["kabid"].ID)}, "instruksi": {"Arsipkan"}})
			},
			func(c *client) *response {
				return c.post(fmt.Sprintf("/surat/%d/disposisi", id), url.Values{"dari": {fmt.Sprint(root)}, "aksi": {"selesai"}})
			},
			func(c *client) *response { return c.get(fmt.Sprintf("/surat/%d/lembar.pdf", id)) },
			func(c *client) *response { return c.get(fmt.Sprintf("/surat/%d/berkas/1", id)) },
		}
	}
	// Another OPD's head, a staf below the unit (not involved), the admin
	// (no position: admin grants no letters).
	for _, user := range []string{"kadis2", "staf", "admin"} {
		c := ta.login(user)
		for i, f := range routes(biasa) {
			if r := f(c); r.Code != http.StatusNotFound {
				t.Errorf("%s, route %d on a letter not theirs: %d, want 404", user, i, r.Code)
			}
		}
		if r := c.get("/surat-masuk"); strings.Contains(r.Body, "Surat biasa dari provinsi") {
			t.Errorf("%s finds the letter in the list", user)
		}
		if r := c.get("/"); strings.Contains(r.Body, "Surat biasa dari provinsi") {
			t.Errorf("%s finds the letter in the inbox", user)
		}
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM dispositions WHERE done_at <> '' OR parent_id IS NOT NULL`); n != 0 {
		t.Errorf("forbidden requests changed %d dispositions", n)
	}
	// Ids that are no letter.
	kadis := ta.login("kadis")
	for _, p := range []string{"/surat/999", "/surat/0", "/surat/x", "/surat/-1/lembar.pdf", "/surat/999/berkas/1", fmt.Sprintf("/surat/%d/berkas/2", biasa), fmt.Sprintf("/surat/%d/berkas/x", biasa)} {
		if r := kadis.get(p); r.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, r.Code)
		}
	}
	// Not logged in: the login page.
	anon := ta.anon()
	for _, p := range []string{fmt.Sprintf("/surat/%d", biasa), fmt.Sprintf("/surat/%d/berkas/1", biasa), "/surat-masuk"} {
		if r := anon.get(p); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/masuk") {
			t.Errorf("anonymous %s: %d %s", p, r.Code, r.Location)
		}
	}

	// The unit subtree: the Bupati and the Sekda see the OPD's ordinary
	// letter, but not its rahasia one.
	for _, user := range []string{"bupati", "sekda"} {
		c := ta.login(user)
		if r := c.get(fmt.Sprintf("/surat/%d", biasa)); r.Code != http.StatusOK {
			t.Errorf("%s on the OPD's ordinary letter: %d", user, r.Code)
		}
		for i, f := range routes(rahasia) {
			if r := f(c); r.Code != http.StatusNotFound {
				t.Errorf("%s, route %d on a rahasia letter: %d, want 404", user, i, r.Code)
			}
		}
		if r := c.get("/surat-masuk"); strings.Contains(r.Body, "Laporan pemeriksaan internal") || !strings.Contains(r.Body, "Surat biasa dari provinsi") {
			t.Errorf("%s's list", user)
		}
	}
	// Those involved see the rahasia letter: the clerk who registered it,
	// the head it went to, and the kabid once it is disposed to him.
	for _, user := range []string{"tu", "kadis"} {
		if r := ta.login(user).get(fmt.Sprintf("/surat/%d", rahasia)); r.Code != http.StatusOK {
			t.Errorf("%s on the rahasia letter they are involved in: %d", user, r.Code)
		}
	}
	kabid := ta.login("kabid")
	if r := kabid.get(fmt.Sprintf("/surat/%d", rahasia)); r.Code != http.StatusNotFound {
		t.Errorf("kabid before the disposition: %d", r.Code)
	}
	dispose(t, kadis, rahasia, rowTo(t, ta, rahasia, "kadis"), []int64{ta.Pos["kabid"].ID}, []string{"Pelajari"}, "")
	if r := kabid.get(fmt.Sprintf("/surat/%d", rahasia)); r.Code != http.StatusOK {
		t.Errorf("kabid after the disposition: %d", r.Code)
	}
	// The kasi, below the kabid, still does not.
	if r := ta.login("kasi").get(fmt.Sprintf("/surat/%d", rahasia)); r.Code != http.StatusNotFound {
		t.Errorf("kasi on a rahasia letter disposed to his superior: %d", r.Code)
	}
}

func TestDispoConcurrentDone(t *testing.T)   { testDispoConcurrentDone(t, newTestApp(t)) }
func TestDispoConcurrentDonePG(t *testing.T) { testDispoConcurrentDone(t, newTestAppPG(t)) }

// testDispoConcurrentDone: four branches finished at the same moment
// leave the letter selesai (each transaction sees the others' marks).
func testDispoConcurrentDone(t *testing.T, ta *testApp) {
	addKlasifikasi(t, ta)
	id := register(t, ta.login("tu"), "Edaran jam kerja Ramadan", "biasa")
	to := []string{"kabid", "kasi", "staf", "tu"}
	var ids []int64
	for _, p := range to {
		ids = append(ids, ta.Pos[p].ID)
	}
	dispose(t, ta.login("kadis"), id, rowTo(t, ta, id, "kadis"), ids, []string{"Untuk diketahui", "Edarkan"}, "")
	ctx := context.Background()
	errs := make(chan error, len(to))
	start := make(chan struct{})
	for _, p := range to {
		u, err := loadUser(ctx, ta.db, ta.Users[p].ID, ta.now())
		if err != nil {
			t.Fatal(err)
		}
		row := rowTo(t, ta, id, p)
		go func() {
			<-start
			errs <- ta.finish(ctx, u, id, row, "")
		}()
	}
	close(start)
	for range to {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if s := letterStatus(t, ta, id); s != "selesai" {
		t.Errorf("every branch done at once: status %q", s)
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM events WHERE letter_id = $1 AND action = 'masuk.selesai'`, id); n != 1 {
		t.Errorf("%d completion events, want 1", n)
	}
}

// TestSuratOut: /surat/{id} of an outgoing letter shows its drafter the
// surat keluar page, and is 404 to one who may not see it.
func TestSuratOut(t *testing.T) {
	ta := newTestApp(t)
	now := FormatTime(ta.now())
	id, err := InsertID(context.Background(), ta.db, `INSERT INTO letters (direction, unit_id, subject, sifat, status, created_by,
		created_at, updated_at) VALUES ('out', $1, 'Draf nota dinas', 'biasa', 'draf', $2, $3, $3) RETURNING id`,
		ta.Units["DPMPTSP"].ID, ta.Users["staf"].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if r := ta.login("staf").get(fmt.Sprintf("/surat/%d", id)); r.Code != http.StatusOK || !strings.Contains(r.Body, "Draf nota dinas") {
		t.Errorf("the drafter: %d %q", r.Code, r.Location)
	}
	if r := ta.login("kadis2").get(fmt.Sprintf("/surat/%d", id)); r.Code != http.StatusNotFound {
		t.Errorf("another OPD: %d", r.Code)
	}
	// An outgoing letter is no incoming one: the masuk routes refuse it.
	if r := ta.login("staf").get(fmt.Sprintf("/surat/%d/lembar.pdf", id)); r.Code != http.StatusNotFound {
		t.Errorf("lembar of an outgoing letter: %d", r.Code)
	}
}

// TestDispoVacant: a vacant position below is offered, marked as such.
func TestDispoVacant(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	vacant := &Position{UnitID: ta.Units["DPMPTSP-YAN"].ID, ParentID: ta.Pos["kabid"].ID, Title: "Kepala Seksi Pengaduan", Kind: PosEselon4}
	if err := insertPosition(context.Background(), ta.db, vacant); err != nil {
		t.Fatal(err)
	}
	id := register(t, ta.login("tu"), "Pengaduan masyarakat", "biasa")
	r := ta.login("kadis").get(fmt.Sprintf("/surat/%d/disposisi", id))
	if !strings.Contains(r.Body, `value="`+fmt.Sprint(vacant.ID)+`"> <span>Kepala Seksi Pengaduan <em>(belum ada pejabatnya)</em>`) {
		t.Errorf("the vacant position is not marked:\n%s", r.Body)
	}
	if strings.Contains(r.Body, "Kepala Seksi Perizinan Usaha (Kasih Kasi) <em>") {
		t.Error("a held position is marked vacant")
	}
}
