package register

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAccountPassword(t *testing.T) { bothDBs(t, testAccountPassword) }

func testAccountPassword(t *testing.T, ta *testApp) {
	c := ta.login("kasi")
	other := ta.login("kasi") // another device
	if r := c.get("/akun"); r.Code != 200 || !strings.Contains(r.Body, "Kepala Seksi Perizinan Usaha") {
		t.Fatalf("account page: %d %s", r.Code, r.Body)
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"wrong old": {url.Values{"old": {"salah"}, "new": {"kata-sandi-baru-1"}, "new2": {"kata-sandi-baru-1"}}, "Kata sandi sekarang salah."},
		"short":     {url.Values{"old": {"sandi-kasi"}, "new": {"pendek"}, "new2": {"pendek"}}, "paling sedikit 10 karakter"},
		"differ":    {url.Values{"old": {"sandi-kasi"}, "new": {"kata-sandi-baru-1"}, "new2": {"kata-sandi-baru-2"}}, "tidak sama"},
		"unchanged": {url.Values{"old": {"sandi-kasi"}, "new": {"sandi-kasi"}, "new2": {"sandi-kasi"}}, "sama dengan yang sekarang"},
	} {
		if r := c.post("/akun/sandi", tc.form); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", name, r.Code, tc.msg)
		}
	}
	r := c.post("/akun/sandi", url.Values{"old": {"sandi-kasi"}, "new": {"kata-sandi-baru-1"}, "new2": {"kata-sandi-baru-1"}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.Code, r.Body)
	}
	if r := c.get(r.Location); !strings.Contains(r.Body, "Kata sandi diubah.") {
		t.Error("no notice after the change")
	}
	if r := other.get("/"); r.Code != http.StatusSeeOther {
		t.Error("the other device's session survived the change")
	}
	if r := ta.anon().tryLogin("kasi", "sandi-kasi"); r.Code != http.StatusUnauthorized {
		t.Error("the old password still works")
	}
	if r := ta.anon().tryLogin("kasi", "kata-sandi-baru-1"); r.Code != http.StatusSeeOther {
		t.Error("the new password does not work")
	}
	// The language setting.
	if r := c.post("/akun/bahasa", url.Values{"lang": {"en"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("language: %d", r.Code)
	}
	if r := c.get("/"); !strings.Contains(r.Body, "Inbox") {
		t.Error("the language setting is not used")
	}
	if r := c.post("/akun/bahasa", url.Values{"lang": {"fr"}}); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("lang fr: %d", r.Code)
	}
}

func TestLoginThrottle(t *testing.T) {
	ta := newTestApp(t)
	c := ta.anon()
	for i := 0; i < loginMaxFailures; i++ {
		if r := c.tryLogin("kabid", "salah"); r.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, r.Code)
		}
	}
	// Now even the right password waits.
	r := c.tryLogin("kabid", "sandi-kabid")
	if r.Code != http.StatusTooManyRequests || !strings.Contains(r.Body, "Terlalu banyak percobaan") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("throttled: %d %q", r.Code, r.Header.Get("Retry-After"))
	}
	// Others are not locked out.
	if r := ta.anon().tryLogin("kasi", "sandi-kasi"); r.Code != http.StatusSeeOther {
		t.Errorf("another user: %d", r.Code)
	}
	ta.advance(loginWindow + time.Second)
	if r := c.tryLogin("kabid", "sandi-kabid"); r.Code != http.StatusSeeOther {
		t.Fatalf("after the window: %d", r.Code)
	}
	// A success forgets the failures.
	for i := 0; i < loginMaxFailures-1; i++ {
		ta.anon().tryLogin("kabid", "salah")
	}
	if r := ta.anon().tryLogin("kabid", "sandi-kabid"); r.Code != http.StatusSeeOther {
		t.Fatal("nine failures lock out")
	}
	for i := 0; i < loginMaxFailures-1; i++ {
		ta.anon().tryLogin("kabid", "salah")
	}
	if r := ta.anon().tryLogin("kabid", "sandi-kabid"); r.Code != http.StatusSeeOther {
		t.Fatal("the failures before a success still count")
	}
}

func TestAdminTrailShown(t *testing.T) {
	ta := newTestApp(t)
	c := ta.login("admin")
	c.post("/admin/unit", url.Values{"code": {"KEC.CIRUAS"}, "name": {"Kecamatan Ciruas"}, "kind": {"kecamatan"},
		"parent": {itoa(ta.Units["SERANG"].ID)}})
	if r := c.get("/admin"); !strings.Contains(r.Body, "admin.unit.add") || !strings.Contains(r.Body, "KEC.CIRUAS: Kecamatan Ciruas") ||
		!strings.Contains(r.Body, "Admin Register") {
		t.Errorf("the trail on /admin: %s", r.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
