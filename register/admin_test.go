package register

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// adminEvents counts the administration changes in the trail.
func adminEvents(t *testing.T, ta *testApp, action string) int {
	t.Helper()
	var n int
	if err := ta.db.QueryRow(`SELECT COUNT(*) FROM events WHERE letter_id IS NULL AND action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAdminOnlyForAdmins(t *testing.T) {
	ta := newTestApp(t)
	c := ta.login("kadis")
	for _, p := range []string{"/admin", "/admin/unit", "/admin/jabatan", "/admin/pengguna", "/admin/delegasi",
		fmt.Sprintf("/admin/pengguna/%d", ta.Users["staf"].ID)} {
		if r := c.get(p); r.Code != http.StatusForbidden {
			t.Errorf("GET %s as kadis: %d", p, r.Code)
		}
	}
	if r := c.post("/admin/unit", url.Values{"code": {"X"}, "name": {"X"}, "kind": {"opd"}, "parent": {"1"}}); r.Code != http.StatusForbidden {
		t.Errorf("POST /admin/unit as kadis: %d", r.Code)
	}
	if r := c.post(fmt.Sprintf("/admin/pengguna/%d/sandi", ta.Users["staf"].ID), nil); r.Code != http.StatusForbidden {
		t.Errorf("password reset as kadis: %d", r.Code)
	}
	a := ta.login("admin")
	r := a.get("/admin")
	if r.Code != 200 || !strings.Contains(r.Body, `href="/admin/unit"`) {
		t.Fatalf("admin index: %d %s", r.Code, r.Body)
	}
	if r := a.get("/"); !strings.Contains(r.Body, `href="/admin"`) {
		t.Error("the admin does not see the admin link")
	}
}

func TestAdminUnits(t *testing.T) { bothDBs(t, testAdminUnits) }

func testAdminUnits(t *testing.T, ta *testApp) {
	c := ta.login("admin")
	serang := fmt.Sprint(ta.Units["SERANG"].ID)
	r := c.post("/admin/unit", url.Values{"code": {"KEC-CIRUAS"}, "name": {"Kecamatan Ciruas"}, "kind": {"kecamatan"}, "parent": {serang}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("add unit: %d %s", r.Code, r.Body)
	}
	if r := c.get(r.Location); !strings.Contains(r.Body, "Kecamatan Ciruas") || !strings.Contains(r.Body, "Perubahan disimpan.") {
		t.Fatalf("the list after adding: %s", r.Body)
	}
	if adminEvents(t, ta, "admin.unit.add") != 1 {
		t.Error("adding a unit is not in the trail")
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"bad code":    {url.Values{"code": {"ke cil"}, "name": {"X"}, "kind": {"opd"}, "parent": {serang}}, "Kode unit wajib diisi"},
		"taken code":  {url.Values{"code": {"DPMPTSP"}, "name": {"X"}, "kind": {"opd"}, "parent": {serang}}, "Kode unit DPMPTSP sudah dipakai"},
		"no name":     {url.Values{"code": {"XA"}, "name": {" "}, "kind": {"opd"}, "parent": {serang}}, "Nama unit wajib diisi"},
		"bad kind":    {url.Values{"code": {"XB"}, "name": {"X"}, "kind": {"desa"}, "parent": {serang}}, "Pilih jenis unit."},
		"no parent":   {url.Values{"code": {"XC"}, "name": {"X"}, "kind": {"opd"}}, "Hanya unit berjenis Kabupaten"},
		"lost parent": {url.Values{"code": {"XD"}, "name": {"X"}, "kind": {"opd"}, "parent": {"99999"}}, "Unit induk tidak ditemukan."},
	} {
		r := c.post("/admin/unit", tc.form)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", name, r.Code, tc.msg)
		}
	}
	// The form keeps what was typed.
	if r := c.post("/admin/unit", url.Values{"code": {"XC"}, "name": {"Nama Diketik"}, "kind": {"opd"}}); !strings.Contains(r.Body, `value="Nama Diketik"`) {
		t.Error("the form lost the typed name")
	}
	// Edit; a unit cannot move under itself or its subtree.
	dp := ta.Units["DPMPTSP"]
	edit := fmt.Sprintf("/admin/unit/%d", dp.ID)
	if r := c.get(edit); r.Code != 200 || !strings.Contains(r.Body, `value="DPMPTSP"`) {
		t.Fatalf("edit form: %d", r.Code)
	}
	r = c.post(edit, url.Values{"code": {"DPMPTSP"}, "name": {"Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"}, "kind": {"opd"}, "parent": {serang}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.Code, r.Body)
	}
	u, _ := getUnit(t.Context(), ta.db, dp.ID)
	if u.Name != "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu" {
		t.Errorf("name after edit: %q", u.Name)
	}
	for _, p := range []string{fmt.Sprint(dp.ID), fmt.Sprint(ta.Units["DPMPTSP-YAN-IZN"].ID)} {
		r := c.post(edit, url.Values{"code": {"DPMPTSP"}, "name": {"X"}, "kind": {"opd"}, "parent": {p}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "tidak boleh unit itu sendiri") {
			t.Errorf("parent %s (a cycle): %d", p, r.Code)
		}
	}
	if r := c.get("/admin/unit/99999"); r.Code != http.StatusNotFound {
		t.Errorf("unknown unit: %d", r.Code)
	}
	if r := c.get("/admin/unit/abc"); r.Code != http.StatusNotFound {
		t.Errorf("unit abc: %d", r.Code)
	}
	// English messages with ?lang=en.
	if r := c.post("/admin/unit?lang=en", url.Values{"code": {""}, "name": {"X"}, "kind": {"opd"}, "parent": {serang}}); !strings.Contains(r.Body, "The unit code is required") {
		t.Errorf("English message: %s", r.Body)
	}
	// ?ok= shows only known notices, never the text given.
	if r := c.get("/admin/unit?ok=%3Cscript%3E"); strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, `class="notice"`) {
		t.Error("?ok= put arbitrary text on the page")
	}
}

func TestAdminPositions(t *testing.T) { bothDBs(t, testAdminPositions) }

func testAdminPositions(t *testing.T, ta *testApp) {
	c := ta.login("admin")
	kabid := ta.Pos["kabid"]
	r := c.post("/admin/jabatan", url.Values{"title": {"Kepala Seksi Pengaduan"}, "kind": {"eselon4"},
		"unit": {fmt.Sprint(ta.Units["DPMPTSP-YAN"].ID)}, "parent": {fmt.Sprint(kabid.ID)}, "holder": {fmt.Sprint(ta.Users["staf"].ID)}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("add position: %d %s", r.Code, r.Body)
	}
	u, err := loadUser(t.Context(), ta.db, ta.Users["staf"].ID, ta.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u.Position == nil || u.Position.Title != "Kepala Seksi Pengaduan" || u.Position.ParentID != kabid.ID {
		t.Fatalf("the holder's position: %+v", u.Position)
	}
	if r := c.get("/admin/jabatan"); !strings.Contains(r.Body, "Kepala Seksi Pengaduan") || !strings.Contains(r.Body, "Sri Staf") {
		t.Error("the list lacks the new position and its holder")
	}
	// The superior cannot be the position itself or below it.
	edit := fmt.Sprintf("/admin/jabatan/%d", ta.Pos["kadis"].ID)
	r = c.post(edit, url.Values{"title": {"Kepala Dinas"}, "kind": {"eselon2"}, "unit": {fmt.Sprint(ta.Units["DPMPTSP"].ID)},
		"parent": {fmt.Sprint(ta.Pos["kasi"].ID)}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "bawahannya") {
		t.Errorf("cycle: %d", r.Code)
	}
	r = c.post(edit, url.Values{"title": {""}, "kind": {"raja"}, "unit": {"99999"}, "parent": {"x"}})
	for _, msg := range []string{"Nama jabatan wajib diisi", "Pilih jenis jabatan.", "Pilih unit jabatan.", "Atasan langsung tidak ditemukan."} {
		if !strings.Contains(r.Body, msg) {
			t.Errorf("missing message %q", msg)
		}
	}
	r = c.post(edit, url.Values{"title": {"Kepala Dinas PMPTSP"}, "kind": {"eselon2"}, "unit": {fmt.Sprint(ta.Units["DPMPTSP"].ID)},
		"parent": {fmt.Sprint(ta.Pos["sekda"].ID)}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("edit position: %d %s", r.Code, r.Body)
	}
	p, _ := getPosition(t.Context(), ta.db, ta.Pos["kadis"].ID)
	if p.Title != "Kepala Dinas PMPTSP" {
		t.Errorf("title after edit %q", p.Title)
	}
	if adminEvents(t, ta, "admin.position.add") != 1 || adminEvents(t, ta, "admin.position.edit") != 1 {
		t.Error("position changes are not in the trail")
	}
}

var passwordRE = regexp.MustCompile(`<code id="sandi-baru">([^<]+)</code>`)

func TestAdminUsers(t *testing.T) { bothDBs(t, testAdminUsers) }

func testAdminUsers(t *testing.T, ta *testApp) {
	c := ta.login("admin")
	r := c.post("/admin/pengguna", url.Values{"username": {"camat.ciruas"}, "name": {"Drs. H. Camat"}, "nip": {"197001011990031001"},
		"position": {fmt.Sprint(ta.Pos["kasi"].ID)}, "profile": {"dev-camat"}})
	if r.Code != 200 {
		t.Fatalf("add user: %d %s", r.Code, r.Body)
	}
	m := passwordRE.FindStringSubmatch(r.Body)
	if m == nil || len(m[1]) < 12 {
		t.Fatalf("no new password shown: %s", r.Body)
	}
	u := ta.anon()
	if r := u.tryLogin("camat.ciruas", m[1]); r.Code != http.StatusSeeOther {
		t.Fatalf("the new user cannot log in: %d", r.Code)
	}
	u.refreshCSRF()
	// The password is in no later page and not in the trail.
	if r := c.get("/admin/pengguna"); strings.Contains(r.Body, m[1]) {
		t.Error("the password shows again")
	}
	var trail string
	ta.db.QueryRow(`SELECT detail FROM events WHERE action = 'admin.user.add'`).Scan(&trail)
	if trail == "" || strings.Contains(trail, m[1]) {
		t.Errorf("trail %q", trail)
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"taken":    {url.Values{"username": {"kadis"}, "name": {"X"}}, "Nama pengguna kadis sudah dipakai."},
		"bad name": {url.Values{"username": {"A B"}, "name": {"X"}}, "Nama pengguna 3–32 karakter"},
		"bad nip":  {url.Values{"username": {"xyz"}, "name": {"X"}, "nip": {"123"}}, "NIP harus 18 angka"},
		"no name":  {url.Values{"username": {"xyz"}}, "Nama lengkap wajib diisi"},
		"bad pos":  {url.Values{"username": {"xyz"}, "name": {"X"}, "position": {"99999"}}, "Jabatan tidak ditemukan."},
		"profile":  {url.Values{"username": {"xyz"}, "name": {"X"}, "profile": {"../etc"}}, "Profil TTE hanya boleh"},
	} {
		if r := c.post("/admin/pengguna", tc.form); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", name, r.Code, tc.msg)
		}
	}
	// Edit and disable: the user's sessions end.
	id := ta.Users["kasi"].ID
	kasi := ta.login("kasi")
	edit := fmt.Sprintf("/admin/pengguna/%d", id)
	r = c.post(edit, url.Values{"name": {"Kasih Kasi, S.E."}, "nip": {"198001012005011001"}, "position": {fmt.Sprint(ta.Pos["kasi"].ID)}, "disabled": {"1"}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("edit user: %d %s", r.Code, r.Body)
	}
	if r := kasi.get("/"); r.Code != http.StatusSeeOther {
		t.Errorf("a disabled user's session lives on: %d", r.Code)
	}
	got, _ := loadUser(t.Context(), ta.db, id, ta.clock.Now())
	if !got.Disabled || got.Name != "Kasih Kasi, S.E." || got.NIP != "198001012005011001" || got.Username != "kasi" {
		t.Errorf("after edit: %+v", got)
	}
	// The admin cannot lock themself out.
	me := fmt.Sprintf("/admin/pengguna/%d", ta.Users["admin"].ID)
	if r := c.post(me, url.Values{"name": {"Admin"}, "disabled": {"1"}, "is_admin": {"1"}}); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("self-disable: %d", r.Code)
	}
	if r := c.post(me, url.Values{"name": {"Admin"}}); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("self-demote: %d", r.Code)
	}
	// Password reset: a new password, the old one and old sessions gone.
	staf := ta.login("staf")
	r = c.post(fmt.Sprintf("/admin/pengguna/%d/sandi", ta.Users["staf"].ID), nil)
	m = passwordRE.FindStringSubmatch(r.Body)
	if r.Code != 200 || m == nil {
		t.Fatalf("reset: %d %s", r.Code, r.Body)
	}
	if r := staf.get("/"); r.Code != http.StatusSeeOther {
		t.Error("the session survived a password reset")
	}
	if r := ta.anon().tryLogin("staf", "sandi-staf"); r.Code != http.StatusUnauthorized {
		t.Error("the old password still works")
	}
	if r := ta.anon().tryLogin("staf", m[1]); r.Code != http.StatusSeeOther {
		t.Error("the new password does not work")
	}
	if r := c.post("/admin/pengguna/99999/sandi", nil); r.Code != http.StatusNotFound {
		t.Errorf("reset of an unknown user: %d", r.Code)
	}
	if adminEvents(t, ta, "admin.user.edit") != 1 || adminEvents(t, ta, "admin.user.password") != 1 {
		t.Error("user changes are not in the trail")
	}
}

func TestAdminDelegations(t *testing.T) { bothDBs(t, testAdminDelegations) }

func testAdminDelegations(t *testing.T, ta *testApp) {
	c := ta.login("admin")
	// The clock is 2026-03-02 09:00 WIB.
	form := url.Values{"position": {fmt.Sprint(ta.Pos["kadis"].ID)}, "user": {fmt.Sprint(ta.Users["kabid"].ID)},
		"kind": {"plh"}, "starts": {"2026-03-02"}, "ends": {"2026-03-04"}}
	if r := c.post("/admin/delegasi", form); r.Code != http.StatusSeeOther {
		t.Fatalf("add delegation: %d %s", r.Code, r.Body)
	}
	kabid := ta.login("kabid")
	if r := kabid.get("/"); !strings.Contains(r.Body, "Plh. Kepala Dinas Penanaman Modal dan PTSP") {
		t.Fatal("the delegation is not active for kabid")
	}
	list := c.get("/admin/delegasi")
	if !strings.Contains(list.Body, "02-03-2026 – 04-03-2026") || !strings.Contains(list.Body, "Berlaku") {
		t.Errorf("the list: %s", list.Body)
	}
	// It lasts to the end of the last day (WIB), not a moment longer.
	// (Sessions last 12 hours: log in again after moving the clock.)
	ta.advance(2*24*time.Hour + 14*time.Hour + 59*time.Minute) // 2026-03-04 23:59 WIB
	kabid = ta.login("kabid")
	if r := kabid.get("/"); !strings.Contains(r.Body, "Plh. Kepala Dinas") {
		t.Error("the delegation ended before its last day was over")
	}
	ta.advance(2 * time.Minute)
	if r := kabid.get("/"); r.Code != 200 || strings.Contains(r.Body, "Plh. Kepala Dinas") {
		t.Error("the delegation outlived its last day")
	}
	c = ta.login("admin")
	// Validation.
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"own position": {url.Values{"position": {fmt.Sprint(ta.Pos["kabid"].ID)}, "user": {fmt.Sprint(ta.Users["kabid"].ID)}, "kind": {"plt"}, "starts": {"2026-03-05"}, "ends": {"2026-03-06"}}, "sudah memangku"},
		"order":        {url.Values{"position": {fmt.Sprint(ta.Pos["kadis"].ID)}, "user": {fmt.Sprint(ta.Users["kabid"].ID)}, "kind": {"plt"}, "starts": {"2026-03-09"}, "ends": {"2026-03-06"}}, "tidak boleh sebelum"},
		"past":         {url.Values{"position": {fmt.Sprint(ta.Pos["kadis"].ID)}, "user": {fmt.Sprint(ta.Users["kabid"].ID)}, "kind": {"plt"}, "starts": {"2026-01-01"}, "ends": {"2026-01-02"}}, "sudah berakhir"},
		"kind":         {url.Values{"position": {fmt.Sprint(ta.Pos["kadis"].ID)}, "user": {fmt.Sprint(ta.Users["kabid"].ID)}, "kind": {"raja"}, "starts": {"2026-03-05"}, "ends": {"2026-03-06"}}, "Pilih Plt. atau Plh."},
		"dates":        {url.Values{"position": {fmt.Sprint(ta.Pos["kadis"].ID)}, "user": {fmt.Sprint(ta.Users["kabid"].ID)}, "kind": {"plt"}, "starts": {"5/3/2026"}}, "format TTTT-BB-HH"},
		"nobody":       {url.Values{"position": {"99999"}, "user": {"99999"}, "kind": {"plt"}, "starts": {"2026-03-05"}, "ends": {"2026-03-06"}}, "Pilih pelaksana"},
	} {
		if r := c.post("/admin/delegasi", tc.form); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", name, r.Code, tc.msg)
		}
	}
	// One at a time per position.
	overlap := url.Values{"position": {fmt.Sprint(ta.Pos["kadis"].ID)}, "user": {fmt.Sprint(ta.Users["sekda"].ID)},
		"kind": {"plt"}, "starts": {"2026-03-04"}, "ends": {"2026-03-06"}}
	if r := c.post("/admin/delegasi", overlap); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "sudah memiliki Plt./Plh.") {
		t.Errorf("overlapping delegation: %d %s", r.Code, r.Body)
	}
	// End one early.
	form.Set("starts", "2026-03-05")
	form.Set("ends", "2026-03-10")
	if r := c.post("/admin/delegasi", form); r.Code != http.StatusSeeOther {
		t.Fatalf("add second: %d %s", r.Code, r.Body)
	}
	ta.advance(24 * time.Hour)
	kabid, c = ta.login("kabid"), ta.login("admin")
	if r := kabid.get("/"); !strings.Contains(r.Body, "Plh. Kepala Dinas") {
		t.Fatal("the second delegation is not active")
	}
	var id int64
	ta.db.QueryRow(`SELECT MAX(id) FROM delegations`).Scan(&id)
	if r := c.post(fmt.Sprintf("/admin/delegasi/%d/akhiri", id), nil); r.Code != http.StatusSeeOther {
		t.Fatalf("end: %d", r.Code)
	}
	if r := kabid.get("/"); r.Code != 200 || strings.Contains(r.Body, "Plh. Kepala Dinas") {
		t.Error("an ended delegation still acts")
	}
	if r := c.post("/admin/delegasi/99999/akhiri", nil); r.Code != http.StatusNotFound {
		t.Errorf("end unknown: %d", r.Code)
	}
	if adminEvents(t, ta, "admin.delegation.add") != 2 || adminEvents(t, ta, "admin.delegation.end") != 1 {
		t.Error("delegation changes are not in the trail")
	}
}
