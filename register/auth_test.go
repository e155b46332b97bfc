package register

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("rahasia sekali")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
	if ok, err := CheckPassword(h, "rahasia sekali"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := CheckPassword(h, "rahasia sekal"); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	h2, _ := HashPassword("rahasia sekali")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "x", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, err := CheckPassword(bad, "x"); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestLoginAndInbox(t *testing.T) {
	ta := newTestApp(t)
	c := ta.anon()
	r := c.get("/")
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/masuk?next=") {
		t.Fatalf("anonymous / = %d %q; want a redirect to the login page", r.Code, r.Location)
	}
	c = ta.login("kadis")
	r = c.get("/")
	if r.Code != 200 || !strings.Contains(r.Body, "Budi Kadis") || !strings.Contains(r.Body, "Kotak masuk") {
		t.Fatalf("inbox: %d %s", r.Code, r.Body)
	}
	if strings.Contains(r.Body, `href="/admin"`) {
		t.Error("a non-admin sees the admin link")
	}
	// The login page of a logged-in user goes on to next, kept on this site.
	if r := c.get("/masuk?next=//evil.example/x"); r.Code != http.StatusSeeOther || r.Location != "/" {
		t.Errorf("next=//evil: %d %q", r.Code, r.Location)
	}
}

func TestLoginNext(t *testing.T) {
	ta := newTestApp(t)
	c := ta.anon()
	r := c.get("/masuk?next=/healthz")
	m := loginTokenRE.FindStringSubmatch(r.Body)
	r = c.send("POST", "/masuk", url.Values{"csrf": {m[1]}, "username": {"staf"}, "password": {"sandi-staf"}, "next": {"/healthz"}})
	if r.Code != http.StatusSeeOther || r.Location != "/healthz" {
		t.Fatalf("login with next: %d %q", r.Code, r.Location)
	}
}

func TestLoginWrong(t *testing.T) {
	ta := newTestApp(t)
	c := ta.anon()
	wrongPass := c.tryLogin("kadis", "salah")
	unknown := c.tryLogin("tidak-ada", "sandi-kadis")
	empty := c.tryLogin("kadis", "")
	for name, r := range map[string]*response{"wrong password": wrongPass, "unknown user": unknown, "empty password": empty} {
		if r.Code != http.StatusUnauthorized || !strings.Contains(r.Body, "Nama pengguna atau kata sandi salah.") {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
		for _, c := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, sessionCookie+"=") {
				t.Errorf("%s: a session cookie was set", name)
			}
		}
	}
	// The username typed is kept, the password never.
	if !strings.Contains(wrongPass.Body, `value="kadis"`) || strings.Contains(wrongPass.Body, "salah\"") {
		t.Errorf("the form after a wrong login: %s", wrongPass.Body)
	}
	if r := c.get("/"); r.Code != http.StatusSeeOther {
		t.Errorf("after wrong logins / = %d", r.Code)
	}
	// A disabled user cannot log in, even with the right password.
	if _, err := ta.db.Exec(`UPDATE users SET disabled = TRUE WHERE username = 'kasi'`); err != nil {
		t.Fatal(err)
	}
	if r := ta.anon().tryLogin("kasi", "sandi-kasi"); r.Code != http.StatusUnauthorized {
		t.Errorf("disabled user: %d", r.Code)
	}
}

func TestCSRF(t *testing.T) {
	ta := newTestApp(t)
	c := ta.login("kabid")
	// Logout without the token: 403, and the session lives on.
	if r := c.send("POST", "/keluar-sesi", url.Values{}); r.Code != http.StatusForbidden {
		t.Fatalf("POST without CSRF token: %d", r.Code)
	}
	if r := c.send("POST", "/keluar-sesi", url.Values{"csrf": {"x" + c.csrf}}); r.Code != http.StatusForbidden {
		t.Fatalf("POST with a wrong CSRF token: %d", r.Code)
	}
	// Another session's token does not do either.
	other := ta.login("kasi")
	if r := c.send("POST", "/keluar-sesi", url.Values{"csrf": {other.csrf}}); r.Code != http.StatusForbidden {
		t.Fatalf("POST with another session's token: %d", r.Code)
	}
	if r := c.get("/"); r.Code != 200 {
		t.Fatalf("the session ended without a token: %d", r.Code)
	}
	// The login form needs its token too (login CSRF).
	if r := ta.anon().send("POST", "/masuk", url.Values{"username": {"kabid"}, "password": {"sandi-kabid"}}); r.Code != http.StatusForbidden {
		t.Fatalf("login without its token: %d", r.Code)
	}
	// The token in the header works as well as in the form.
	req, _ := http.NewRequest("POST", ta.srv.URL+"/keluar-sesi", nil)
	req.Header.Set(csrfHeader, c.csrf)
	if r := c.do(req); r.Code != http.StatusSeeOther {
		t.Fatalf("logout with the header token: %d %s", r.Code, r.Body)
	}
	if r := c.get("/"); r.Code != http.StatusSeeOther {
		t.Fatalf("after logout / = %d", r.Code)
	}
	// A cross-site POST is refused even with the token.
	c = ta.login("kabid")
	req, _ = http.NewRequest("POST", ta.srv.URL+"/keluar-sesi", strings.NewReader("csrf="+url.QueryEscape(c.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := c.do(req); r.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", r.Code)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	ta := newTestApp(t)
	c := ta.login("staf")
	cookies := c.hc.Jar.Cookies(mustURL(t, ta.srv.URL))
	if r := c.post("/keluar-sesi", nil); r.Code != http.StatusSeeOther || r.Location != "/masuk" {
		t.Fatalf("logout: %d %q", r.Code, r.Location)
	}
	// The old cookie, replayed, opens nothing: the session row is gone.
	replay := ta.anon()
	replay.hc.Jar.SetCookies(mustURL(t, ta.srv.URL), cookies)
	if r := replay.get("/"); r.Code != http.StatusSeeOther {
		t.Fatalf("replayed cookie after logout: %d", r.Code)
	}
	var n int
	ta.db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d sessions left after logout", n)
	}
	// A POST without a session is refused before its form is read.
	if r := replay.send("POST", "/akun/sandi", url.Values{"old": {"x"}}); r.Code != http.StatusUnauthorized {
		t.Fatalf("POST without a session: %d", r.Code)
	}
}

func TestSessionExpiry(t *testing.T) {
	ta := newTestApp(t)
	c := ta.login("kasi")
	ta.advance(defaultSessionTTL - time.Minute)
	if r := c.get("/"); r.Code != 200 {
		t.Fatalf("before expiry: %d", r.Code)
	}
	ta.advance(2 * time.Minute)
	if r := c.get("/"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/masuk") {
		t.Fatalf("after expiry: %d %q", r.Code, r.Location)
	}
	// Only the token's hash is stored, never the token.
	var stored string
	ta.db.QueryRow(`SELECT token_hash FROM sessions`).Scan(&stored)
	for _, ck := range c.hc.Jar.Cookies(mustURL(t, ta.srv.URL)) {
		if ck.Name == sessionCookie && (ck.Value == stored || stored != hashToken(ck.Value)) {
			t.Fatal("the session table does not hold the token's SHA-256")
		}
	}
	// Logging in again drops the expired session.
	ta.login("kasi")
	var n int
	ta.db.QueryRow(`SELECT COUNT(*) FROM sessions WHERE expires_at <= $1`, FormatTime(ta.clock.Now())).Scan(&n)
	if n != 0 {
		t.Fatalf("%d expired sessions kept", n)
	}
}

func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		ta := newTestApp(t, func(o *Options) { o.SecureCookies = secure })
		r := ta.anon().tryLogin("kadis", "sandi-kadis")
		var sc string
		for _, c := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, sessionCookie+"=") {
				sc = c
			}
		}
		if sc == "" {
			t.Fatal("no session cookie")
		}
		if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || !strings.Contains(sc, "Path=/") {
			t.Errorf("session cookie %q lacks HttpOnly, SameSite=Lax or Path=/", sc)
		}
		if strings.Contains(sc, "Secure") != secure {
			t.Errorf("SecureCookies=%v: cookie %q", secure, sc)
		}
		val := strings.TrimPrefix(strings.SplitN(sc, ";", 2)[0], sessionCookie+"=")
		if len(val) != 43 { // 32 random bytes, unpadded base64url
			t.Errorf("session token %q is not 32 bytes", val)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ta := newTestApp(t)
	r := ta.anon().get("/masuk")
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "http") {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", r.Header)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	// No asset from another host in the layout.
	if strings.Contains(r.Body, "//") && regexpHost.MatchString(r.Body) {
		t.Errorf("the login page refers to another host: %s", regexpHost.FindString(r.Body))
	}
	s := ta.anon().get("/static/style.css")
	if s.Code != 200 || !strings.HasPrefix(s.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %q", s.Code, s.Header.Get("Content-Type"))
	}
	if ta.anon().get("/static/").Code != http.StatusNotFound {
		t.Error("/static/ lists the directory")
	}
}

func TestLanguage(t *testing.T) {
	ta := newTestApp(t)
	c := ta.anon()
	if r := c.get("/masuk"); !strings.Contains(r.Body, "Kata sandi") || !strings.Contains(r.Body, `lang="id"`) {
		t.Fatalf("default language is not Indonesian: %s", r.Body)
	}
	if r := c.get("/masuk?lang=en"); !strings.Contains(r.Body, "Password") || !strings.Contains(r.Body, `<html lang="en">`) {
		t.Fatalf("?lang=en: %s", r.Body)
	}
	// Kept in a cookie.
	if r := c.get("/masuk"); !strings.Contains(r.Body, "Password") {
		t.Fatal("the English switch was not kept")
	}
	if r := c.get("/masuk?lang=id"); !strings.Contains(r.Body, "Kata sandi") {
		t.Fatal("?lang=id does not switch back")
	}
	// The user's own setting, without a cookie; Accept-Language never.
	if _, err := ta.db.Exec(`UPDATE users SET lang = 'en' WHERE username = 'kabid'`); err != nil {
		t.Fatal(err)
	}
	u := ta.login("kabid")
	if r := u.get("/"); !strings.Contains(r.Body, "Inbox") {
		t.Fatal("the user's language setting is not used")
	}
	req, _ := http.NewRequest("GET", ta.srv.URL+"/masuk", nil)
	req.Header.Set("Accept-Language", "en")
	if r := ta.anon().do(req); !strings.Contains(r.Body, "Kata sandi") {
		t.Fatal("Accept-Language switched the language")
	}
	if T(LangEN, "no.such.key") != "no.such.key" || T("xx", "login.title") != "Masuk" {
		t.Fatal("T fallbacks")
	}
}

func TestCurrentUserDelegations(t *testing.T) {
	ta := newTestApp(t)
	now := ta.clock.Now()
	d := &Delegation{PositionID: ta.Pos["kadis"].ID, UserID: ta.Users["kabid"].ID, Kind: "plh",
		Starts: now.Add(-time.Hour), Ends: now.Add(24 * time.Hour)}
	if err := insertDelegation(context.Background(), ta.db, d, ta.Users["admin"].ID, now); err != nil {
		t.Fatal(err)
	}
	old := &Delegation{PositionID: ta.Pos["kasi"].ID, UserID: ta.Users["kabid"].ID, Kind: "plt",
		Starts: now.Add(-48 * time.Hour), Ends: now.Add(-24 * time.Hour)}
	if err := insertDelegation(context.Background(), ta.db, old, 0, now); err != nil {
		t.Fatal(err)
	}
	u, err := loadUser(context.Background(), ta.db, ta.Users["kabid"].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if u.Position == nil || u.Position.Unit == nil || u.Position.Unit.Code != "DPMPTSP-YAN" {
		t.Fatalf("position %+v", u.Position)
	}
	if len(u.Delegations) != 1 || u.Delegations[0].Label() != "Plh. Kepala Dinas Penanaman Modal dan PTSP" {
		t.Fatalf("delegations %+v", u.Delegations)
	}
	if l, ok := u.ActingAs(ta.Pos["kadis"].ID); !ok || !strings.HasPrefix(l, "Plh.") {
		t.Errorf("ActingAs(kadis) = %q %v", l, ok)
	}
	if _, ok := u.ActingAs(ta.Pos["kasi"].ID); ok {
		t.Error("an ended delegation still lets the user act")
	}
	if l, ok := u.ActingAs(ta.Pos["kabid"].ID); !ok || l != "" {
		t.Errorf("own position: %q %v", l, ok)
	}
	c := ta.login("kabid")
	if r := c.get("/"); !strings.Contains(r.Body, "Plh. Kepala Dinas") {
		t.Errorf("the inbox does not show the delegation: %s", r.Body)
	}
	ta.advance(25 * time.Hour)
	if r := c.get("/"); strings.Contains(r.Body, "Plh. Kepala Dinas") {
		t.Error("an ended delegation is still shown")
	}
}

func TestMigrateTwice(t *testing.T) {
	ta := newTestApp(t)
	if err := Migrate(context.Background(), ta.db); err != nil {
		t.Fatal(err)
	}
	var v int
	ta.db.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&v)
	if v != 1 {
		t.Fatalf("schema version %d", v)
	}
	var pattern string
	ta.db.QueryRow(`SELECT value FROM settings WHERE key = 'number_pattern'`).Scan(&pattern)
	if pattern != "{klasifikasi}/{urut}/{kode_unit}/{tahun}" {
		t.Fatalf("number_pattern %q", pattern)
	}
}

func TestSchemaConstraints(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			var ta *testApp
			if pg {
				ta = newTestAppPG(t)
			} else {
				ta = newTestApp(t)
			}
			ctx := context.Background()
			now := FormatTime(ta.clock.Now())
			unit := ta.Units["DPMPTSP"].ID
			ins := func(dir string, agenda int, number, status string) error {
				_, err := ta.db.ExecContext(ctx, `INSERT INTO letters (direction, unit_id, year, agenda_no, number, status, created_at, updated_at)
					VALUES ($1, $2, 2026, $3, $4, $5, $6, $6)`, dir, unit, agenda, number, status, now)
				return err
			}
			if err := ins("in", 1, "", "baru"); err != nil {
				t.Fatal(err)
			}
			if err := ins("in", 1, "", "baru"); !IsUnique(err) {
				t.Errorf("a second agenda number 1: %v", err)
			}
			if err := ins("out", 0, "", "draf"); err != nil {
				t.Fatal(err)
			}
			if err := ins("out", 0, "", "draf"); err != nil {
				t.Errorf("two drafts without a number: %v", err)
			}
			if err := ins("out", 0, "005/1/DPMPTSP/2026", "ditandatangani"); err != nil {
				t.Fatal(err)
			}
			if err := ins("out", 0, "005/1/DPMPTSP/2026", "ditandatangani"); !IsUnique(err) {
				t.Errorf("a duplicate number: %v", err)
			}
			if err := ins("out", 0, "", "nonsense"); err == nil || IsUnique(err) {
				t.Errorf("a status outside the list: %v", err)
			}
			if _, err := ta.db.ExecContext(ctx, `INSERT INTO positions (unit_id, title, kind) VALUES (99999, 'x', 'staf')`); err == nil {
				t.Error("a position in a unit that does not exist")
			}
			if err := insertUnit(ctx, ta.db, &Unit{Code: "DPMPTSP", Name: "again", Kind: "opd"}); !IsUnique(err) {
				t.Errorf("a duplicate unit code: %v", err)
			}
			c := ta.login("tu")
			if r := c.get("/"); r.Code != 200 {
				t.Fatalf("inbox on %s: %d", name, r.Code)
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/surat/1": "/surat/1", "//evil": "/", "/\\evil": "/",
		"https://evil": "/", "surat": "/", "/a\r\nSet-Cookie: x": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q; want %q", in, got, want)
		}
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var regexpHost = regexp.MustCompile(`(?:src|href)="(?:https?:)?//`)

func TestNotFoundAndLangLink(t *testing.T) {
	ta := newTestApp(t)
	c := ta.login("staf")
	r := c.get("/tidak-ada")
	if r.Code != http.StatusNotFound || !strings.Contains(r.Body, "Halaman tidak ditemukan.") {
		t.Errorf("unknown path: %d %s", r.Code, r.Body)
	}
	if r := ta.anon().get("/tidak-ada"); r.Code != http.StatusSeeOther {
		t.Errorf("unknown path, not logged in: %d (want the login first)", r.Code)
	}
	r = c.get("/akun?x=1&ok=saved")
	if !strings.Contains(r.Body, `href="/akun?lang=en&amp;x=1"`) {
		t.Errorf("language link of a GET page: %s", r.Body)
	}
	r = c.post("/akun/sandi", url.Values{"old": {"x"}})
	if !strings.Contains(r.Body, `href="/?lang=en"`) {
		t.Errorf("language link after a POST: %s", r.Body)
	}
}

func TestLoginFormWhileLoggedIn(t *testing.T) {
	ta := newTestApp(t)
	c := ta.anon()
	// A second tab shows the login form while the first logs in; then
	// the second one is sent.
	m := loginTokenRE.FindStringSubmatch(c.get("/masuk").Body)
	if r := c.tryLogin("kasi", "sandi-kasi"); r.Code != http.StatusSeeOther {
		t.Fatal(r.Code)
	}
	r := c.send("POST", "/masuk", url.Values{"csrf": {m[1]}, "username": {"kabid"}, "password": {"sandi-kabid"}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("login over a session: %d", r.Code)
	}
	c.refreshCSRF()
	if r := c.get("/"); !strings.Contains(r.Body, "Kabul Kabid") {
		t.Error("the second login did not replace the session")
	}
}

// TestWordsBothLanguages checks that every word has both languages.
func TestWordsBothLanguages(t *testing.T) {
	wordsMu.RLock()
	defer wordsMu.RUnlock()
	for k := range words[LangID] {
		if _, ok := words[LangEN][k]; !ok {
			t.Errorf("%q has no English", k)
		}
	}
	for k := range words[LangEN] {
		if _, ok := words[LangID][k]; !ok {
			t.Errorf("%q has no Indonesian", k)
		}
	}
}

func TestPublicURLOrigin(t *testing.T) {
	ta := newTestApp(t, func(o *Options) { o.PublicURL = "https://surat.serangkab.go.id/" })
	c := ta.login("staf")
	// A proxy rewrote Host; the browser sent the public Origin (and no
	// Sec-Fetch-Site, as older browsers do).
	req, _ := http.NewRequest("POST", ta.srv.URL+"/keluar-sesi", strings.NewReader("csrf="+url.QueryEscape(c.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://surat.serangkab.go.id")
	if r := c.do(req); r.Code != http.StatusSeeOther {
		t.Fatalf("POST from the public origin: %d", r.Code)
	}
	c = ta.login("staf")
	req, _ = http.NewRequest("POST", ta.srv.URL+"/keluar-sesi", strings.NewReader("csrf="+url.QueryEscape(c.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r := c.do(req); r.Code != http.StatusForbidden {
		t.Fatalf("POST from another origin: %d", r.Code)
	}
	if _, err := New(t.Context(), Options{DataDir: t.TempDir(), PublicURL: "not a url"}); err == nil {
		t.Error("a bad public URL is accepted")
	}
}
