package register

// Test helpers shared by every part of the register's tests.
//
//	ta := newTestApp(t)                 // temp SQLite, seeded with the tree below
//	bothDBs(t, func(t *testing.T, ta *testApp) { … }) // the same test on SQLite and PostgreSQL
//	ta := newTestAppPG(t)               // the same on PostgreSQL (internal/pgtest)
//	c := ta.login("kadis")              // a client logged in as user "kadis"
//	r := c.get("/")                     // r.Code, r.Body, r.Location
//	r = c.post("/surat/1/disposisi", url.Values{"to": {"3"}}) // adds the CSRF token
//	r = c.postFile("/surat-masuk/baru", form, "scan", "a.pdf", pdfBytes)
//	ta.advance(13 * time.Hour)          // move the app's clock
//
// Every test user's password is "sandi-" + username. The tree:
//
//	SERANG (kabupaten)      bupati (bupati, profile dev-bupati), sekda (sekda)
//	DPMPTSP (opd)           kadis (eselon2, under sekda, profile dev-kadis), tu (clerk, under kadis)
//	DPMPTSP-YAN (bidang)    kabid (eselon3, under kadis)
//	DPMPTSP-YAN-IZN (seksi) kasi (eselon4, under kabid), staf (staf, under kasi)
//	KOMINFO (opd)           kadis2 (eselon2, under sekda), tu2 (clerk, under kadis2)
//	                        admin (is_admin, no position)
//
// Positions are keyed like the users who hold them (ta.Pos["kabid"]).

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// testArgon makes the test users' hashes cheap to check.
var testArgon = argonParams{Memory: 64, Time: 1, Threads: 1}

// testClock is the app's clock in tests; it starts at 2026-03-02 09:00 WIB.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

type testApp struct {
	*App
	t     testing.TB
	srv   *httptest.Server
	clock *testClock
	// Units by code, Pos and Users by username (see the tree above).
	Units map[string]*Unit
	Pos   map[string]*Position
	Users map[string]*User
}

// newTestApp starts the register on a temporary SQLite database, seeded
// with the test tree, behind an httptest server; opts adjust the Options.
func newTestApp(t testing.TB, opts ...func(*Options)) *testApp {
	t.Helper()
	return startTestApp(t, "", opts...)
}

// newTestAppPG is newTestApp on a fresh PostgreSQL database; it skips
// locally without PostgreSQL (fails in CI), as internal/pgtest does.
func newTestAppPG(t testing.TB, opts ...func(*Options)) *testApp {
	t.Helper()
	return startTestApp(t, pgtest.DSN(t), opts...)
}

func startTestApp(t testing.TB, dsn string, opts ...func(*Options)) *testApp {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	o := Options{DSN: dsn, DataDir: t.TempDir(), Now: clock.Now,
		Logger: slogDiscard()}
	for _, f := range opts {
		f(&o)
	}
	a, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("register.New: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	ta := &testApp{App: a, t: t, clock: clock,
		Units: map[string]*Unit{}, Pos: map[string]*Position{}, Users: map[string]*User{}}
	ta.seedTree()
	ta.srv = httptest.NewServer(a.Handler())
	t.Cleanup(ta.srv.Close)
	return ta
}

// advance moves the app's clock forward.
func (ta *testApp) advance(d time.Duration) {
	ta.clock.mu.Lock()
	ta.clock.t = ta.clock.t.Add(d)
	ta.clock.mu.Unlock()
}

// seedTree writes the test tree described at the top of this file.
func (ta *testApp) seedTree() {
	t := ta.t
	ctx := context.Background()
	unit := func(code, name, kind, parent string) {
		u := &Unit{Code: code, Name: name, Kind: kind}
		if parent != "" {
			u.ParentID = ta.Units[parent].ID
		}
		if err := insertUnit(ctx, ta.db, u); err != nil {
			t.Fatal(err)
		}
		ta.Units[code] = u
	}
	person := func(username, name, unit, title, kind, superior, profile string) {
		p := &Position{UnitID: ta.Units[unit].ID, Title: title, Kind: kind, Unit: ta.Units[unit]}
		if superior != "" {
			p.ParentID = ta.Pos[superior].ID
		}
		if err := insertPosition(ctx, ta.db, p); err != nil {
			t.Fatal(err)
		}
		ta.Pos[username] = p
		ta.addUser(&User{Username: username, Name: name, NIP: "19800101200501" + username[:1] + "001",
			PositionID: p.ID, Profile: profile, Position: p})
	}
	unit("SERANG", "Pemerintah Kabupaten Serang", "kabupaten", "")
	unit("DPMPTSP", "Dinas Penanaman Modal dan PTSP", "opd", "SERANG")
	unit("DPMPTSP-YAN", "Bidang Pelayanan Perizinan", "bidang", "DPMPTSP")
	unit("DPMPTSP-YAN-IZN", "Seksi Perizinan Usaha", "seksi", "DPMPTSP-YAN")
	unit("KOMINFO", "Dinas Komunikasi dan Informatika", "opd", "SERANG")
	person("bupati", "Ratu Tatu", "SERANG", "Bupati Serang", PosBupati, "", "dev-bupati")
	person("sekda", "Entol Sekda", "SERANG", "Sekretaris Daerah", PosSekda, "bupati", "")
	person("kadis", "Budi Kadis", "DPMPTSP", "Kepala Dinas Penanaman Modal dan PTSP", PosEselon2, "sekda", "dev-kadis")
	person("tu", "Tuti Agenda", "DPMPTSP", "Pengadministrasi Umum (TU)", PosClerk, "kadis", "")
	person("kabid", "Kabul Kabid", "DPMPTSP-YAN", "Kepala Bidang Pelayanan Perizinan", PosEselon3, "kadis", "")
	person("kasi", "Kasih Kasi", "DPMPTSP-YAN-IZN", "Kepala Seksi Perizinan Usaha", PosEselon4, "kabid", "")
	person("staf", "Sri Staf", "DPMPTSP-YAN-IZN", "Analis Perizinan", PosStaf, "kasi", "")
	person("kadis2", "Dedi Kominfo", "KOMINFO", "Kepala Dinas Komunikasi dan Informatika", PosEselon2, "sekda", "")
	person("tu2", "Tini Agenda", "KOMINFO", "Pengadministrasi Umum (TU)", PosClerk, "kadis2", "")
	ta.addUser(&User{Username: "admin", Name: "Admin Register", IsAdmin: true})
}

// addUser adds a user whose password is "sandi-" + username.
func (ta *testApp) addUser(u *User) {
	ta.t.Helper()
	h, err := hashPassword("sandi-"+u.Username, testArgon)
	if err != nil {
		ta.t.Fatal(err)
	}
	if err := insertUser(context.Background(), ta.db, u, h, ta.clock.Now()); err != nil {
		ta.t.Fatal(err)
	}
	ta.Users[u.Username] = u
}

// response is what a client request answered (redirects are not followed).
type response struct {
	Code     int
	Body     string
	Location string
	Header   http.Header
}

// client is a browser: a cookie jar, and the session's CSRF token once
// logged in.
type client struct {
	t    testing.TB
	ta   *testApp
	hc   *http.Client
	csrf string
}

// anon returns a client that has not logged in.
func (ta *testApp) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: ta.t, ta: ta, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login returns a client logged in as username (password "sandi-"+username);
// the test fails if the login does.
func (ta *testApp) login(username string) *client {
	ta.t.Helper()
	c := ta.anon()
	r := c.tryLogin(username, "sandi-"+username)
	if r.Code != http.StatusSeeOther {
		ta.t.Fatalf("login as %s: %d %s", username, r.Code, r.Body)
	}
	c.refreshCSRF()
	return c
}

var (
	loginTokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfMetaRE   = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
)

// tryLogin fills in the login form and answers what the server did.
func (c *client) tryLogin(username, password string) *response {
	c.t.Helper()
	r := c.get("/masuk")
	m := loginTokenRE.FindStringSubmatch(r.Body)
	if m == nil {
		c.t.Fatalf("no CSRF token on the login page: %d %s", r.Code, r.Body)
	}
	return c.send(http.MethodPost, "/masuk", url.Values{"csrf": {m[1]}, "username": {username}, "password": {password}})
}

// refreshCSRF reads the session's CSRF token from a page.
func (c *client) refreshCSRF() {
	c.t.Helper()
	r := c.get("/")
	m := csrfMetaRE.FindStringSubmatch(r.Body)
	if m == nil {
		c.t.Fatalf("no CSRF token on /: %d %s", r.Code, r.Body)
	}
	c.csrf = m[1]
}

// get fetches path.
func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.ta.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends the form to path with the session's CSRF token.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set(csrfField, c.csrf)
	return c.send(http.MethodPost, path, f)
}

// send posts the form as it is (no token added).
func (c *client) send(method, path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.ta.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// postFile sends a multipart form with one file (field, name, data) and
// the session's CSRF token.
func (c *client) postFile(path string, form url.Values, field, name string, data []byte) *response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(csrfField, c.csrf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.ta.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{Code: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// pgtestDSN is pgtest.DSN (a fresh PostgreSQL database, or a skip).
func pgtestDSN(t testing.TB) string { t.Helper(); return pgtest.DSN(t) }

// httptestServer serves h for the test's duration.
func httptestServer(t testing.TB, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// bothDBs runs f on a test app on SQLite and on one on PostgreSQL (the
// latter skipped locally without PostgreSQL, as internal/pgtest does).
func bothDBs(t *testing.T, f func(t *testing.T, ta *testApp), opts ...func(*Options)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newTestApp(t, opts...)) })
	t.Run("postgres", func(t *testing.T) { f(t, newTestAppPG(t, opts...)) })
}
