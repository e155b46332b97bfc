package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/register"
)

var registerBannerRE = regexp.MustCompile(`register\s+(http://[^\s]+)`)

// registerURL waits for the register's line of the dev banner.
func registerURL(t *testing.T, s *server) string {
	t.Helper()
	m := registerBannerRE.FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no register in the banner:\n%s", s.stdout)
	}
	return m[1]
}

// registerLogin logs in to the register at base over HTTP, as a browser
// does, and returns the client and the inbox page.
func registerLogin(t *testing.T, base, user, password string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, body := call(t, c, "GET", base+"/masuk", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `action="/masuk"`) {
		t.Fatalf("login page: %s\n%s", resp.Status, body)
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	form := url.Values{"csrf": {string(m[1])}, "username": {user}, "password": {password}}
	resp, body = call(t, c, "POST", base+"/masuk", "", []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if resp.StatusCode != 200 {
		t.Fatalf("login as %s: %s", user, resp.Status)
	}
	return c, string(body)
}

// TestServeDevRegister starts `segel serve --dev` with its register: the
// login page is served, the seeded demo users log in with the passwords
// of the file, and the signing officials' profiles sign through the
// register's API client with the passphrases of the same file; nothing
// secret reaches the output; a restart keeps it all.
func TestServeDevRegister(t *testing.T) {
	t.Setenv("SEGEL_DEV_SOFTHSM", "off")
	dir := filepath.Join(t.TempDir(), "segel-dev")
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0", "--register-listen", "127.0.0.1:0")
	base := registerURL(t, srv)
	pwFile := filepath.Join(dir, "register-passwords.txt")
	if !strings.Contains(srv.stdout.String(), pwFile) {
		t.Errorf("the banner does not name %s:\n%s", pwFile, srv.stdout)
	}
	st, err := os.Stat(pwFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", pwFile, st, err)
	}
	raw := readFile(t, pwFile)
	passwords, passphrases, err := register.ReadSeedFile(bytes.NewReader(raw))
	if err != nil || len(passwords) < 10 || len(passphrases) != 3 {
		t.Fatalf("passwords file: %d passwords, %d passphrases, %v", len(passwords), len(passphrases), err)
	}
	_, inbox := registerLogin(t, base, "kadis.dpmptsp", passwords["kadis.dpmptsp"])
	if !strings.Contains(inbox, "Kepala Dinas Penanaman Modal") {
		t.Errorf("inbox of kadis.dpmptsp:\n%s", inbox)
	}

	// The officials' profiles sign for the register's client, and only
	// with their passphrase.
	key := devFile(t, dir, devmode.RegisterAPIKeyFile)
	gw := &register.HTTPGateway{BaseURL: srv.url, APIKey: key}
	for _, s := range register.DemoSigners() {
		var out bytes.Buffer
		pdf := letter(t)
		res, err := gw.Sign(context.Background(), &register.SignRequest{Profile: s.Profile, Passphrase: []byte(passphrases[s.Username]),
			PDF: bytes.NewReader(pdf), Size: int64(len(pdf)), Level: "B-T", Number: "800/1/2026", Subject: "Uji", Title: s.Title}, &out)
		if err != nil {
			t.Fatalf("sign as %s: %v", s.Profile, err)
		}
		if res.DocumentID == "" || !strings.HasPrefix(res.VerifyURL, srv.url) {
			t.Errorf("%s: %+v", s.Profile, res)
		}
		rep := srv.verify(t, devFile(t, dir, devmode.APIKeyFile), out.Bytes())
		// The certificate (in the CMS, in the PDF) names the official.
		if rep.Indication != "TOTAL_PASSED" || !bytes.Contains(out.Bytes(), []byte(s.Name)) {
			t.Errorf("%s: verified %+v", s.Profile, rep)
		}
	}
	pdf := letter(t)
	_, err = gw.Sign(context.Background(), &register.SignRequest{Profile: "dev-bupati", Passphrase: []byte("salah"),
		PDF: bytes.NewReader(pdf), Size: int64(len(pdf))}, &bytes.Buffer{})
	if !register.IsKind(err, register.KindWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	// The register's client signs with the officials' profiles only.
	_, err = gw.Sign(context.Background(), &register.SignRequest{Profile: devmode.Profile, PDF: bytes.NewReader(pdf), Size: int64(len(pdf))}, &bytes.Buffer{})
	if err == nil {
		t.Error("the register's client signs with profile dev")
	}
	if code := srv.shutdown(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, srv.stderr)
	}
	var secrets []string
	for _, p := range passwords {
		secrets = append(secrets, p)
	}
	for _, p := range passphrases {
		secrets = append(secrets, p)
	}
	for _, out := range []string{srv.stdout.String(), srv.stderr.String()} {
		for _, s := range append(secrets, key) {
			if strings.Contains(out, s) {
				t.Fatal("a register password, passphrase or key is in the output")
			}
		}
	}
	checkNoSecrets(t, dir, srv.stdout.String(), srv.stderr.String())

	// A restart: no new seed, the same passwords.
	srv2 := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0", "--register-listen", "127.0.0.1:0")
	if !bytes.Equal(readFile(t, pwFile), raw) {
		t.Error("the restart rewrote the passwords file")
	}
	registerLogin(t, registerURL(t, srv2), "bupati", passwords["bupati"])
	srv2.shutdown(t)
}

func TestServeDevRegisterOff(t *testing.T) {
	t.Setenv("SEGEL_DEV_SOFTHSM", "off")
	dir := t.TempDir()
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0", "--register-listen", "off")
	if strings.Contains(srv.stdout.String(), "register ") {
		t.Errorf("a register with --register-listen off:\n%s", srv.stdout)
	}
	srv.shutdown(t)
	if _, err := os.Stat(filepath.Join(dir, "register.db")); err == nil {
		t.Error("register.db made with --register-listen off")
	}
}

func TestRegisterFlags(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{
		{"register"},
		{"register", "--gateway", "http://127.0.0.1:1"},
		{"register", "--gateway", "ftp://x", "--api-key-file", "/dev/null"},
		{"register", "--gateway", "http://127.0.0.1:1", "--api-key-file", filepath.Join(t.TempDir(), "missing")},
		{"register", "--gateway", "http://127.0.0.1:1", "--api-key-file", "/dev/null", "extra"},
		{"serve", "--register-listen", "127.0.0.1:0"},
	} {
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != exitUsage {
			t.Errorf("%q: exit %d; want %d\n%s", args, code, exitUsage, errb.String())
		}
	}
	errb.Reset()
	key := writeFile(t, t.TempDir(), "api-key", []byte("k\n"))
	if code := run(context.Background(), []string{"register", "--gateway", "http://127.0.0.1:1", "--api-key-file", key,
		"--trusted-proxy", "10.0.0.0/33"}, strings.NewReader(""), &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "trusted-proxy") {
		t.Errorf("--trusted-proxy 10.0.0.0/33: exit %d; want %d naming the flag\n%s", code, exitUsage, errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"help"}, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "register  run the letter register") {
		t.Errorf("help lacks register:\n%s", out.String())
	}
}

// TestRegisterHTTPMode runs `segel register` against a real gateway over
// HTTP, seeded: the login page is served and a demo user logs in.
func TestRegisterHTTPMode(t *testing.T) {
	gw := gatewaytest.Start(t)
	dir := t.TempDir()
	keyFile := writeFile(t, dir, "api-key", []byte(gw.APIKey+"\n"))
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1), stop: cancel}
	go func() {
		s.done <- run(ctx, []string{"register", "--gateway", gw.URL, "--api-key-file", keyFile, "--data", filepath.Join(dir, "data"),
			"--listen", "127.0.0.1:0", "--seed", "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"}, strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() { s.shutdown(t) })
	s.waitURL(t)
	pwFile := filepath.Join(dir, "data", "register-passwords.txt")
	if !strings.Contains(s.stdout.String(), pwFile) {
		t.Errorf("output does not name the passwords file:\n%s", s.stdout)
	}
	pw, _, err := register.ReadSeedFile(bytes.NewReader(readFile(t, pwFile)))
	if err != nil {
		t.Fatal(err)
	}
	_, inbox := registerLogin(t, s.url, "admin", pw["admin"])
	if !strings.Contains(inbox, `href="/admin"`) {
		t.Errorf("admin inbox:\n%s", inbox)
	}
	for p := range pw {
		if strings.Contains(s.stdout.String()+s.stderr.String(), pw[p]) {
			t.Fatal("a password is in the output")
		}
	}
	if code := s.shutdown(t); code != 0 {
		t.Errorf("exit %d\n%s", code, s.stderr)
	}
}

// regBrowser is a logged-in browser of the register that does not
// follow redirects.
type regBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfMetaRE = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

func newRegBrowser(t *testing.T, base, user, password string) *regBrowser {
	t.Helper()
	c, inbox := registerLogin(t, base, user, password)
	m := csrfMetaRE.FindStringSubmatch(inbox)
	if m == nil {
		t.Fatalf("login as %s: no session", user)
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &regBrowser{t: t, base: base, c: c, csrf: m[1]}
}

func (b *regBrowser) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, body := call(b.t, b.c, "GET", b.base+path, "", nil)
	return resp, string(body)
}

func (b *regBrowser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	form.Set("csrf", b.csrf)
	resp, _ := call(b.t, b.c, "POST", b.base+path, "", []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	return resp
}

func (b *regBrowser) postFile(path string, form url.Values, field, name string, data []byte) *http.Response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	resp, _ := call(b.t, b.c, "POST", b.base+path, "", buf.Bytes(), "Content-Type", mw.FormDataContentType())
	return resp
}

// TestServeDevRegisterSigns drafts a letter in the dev register and has
// the seeded Kepala Dinas sign it with the passphrase of the passwords
// file: dev mode's in-process gateway and the seeded signer's profile
// work together.
func TestServeDevRegisterSigns(t *testing.T) {
	t.Setenv("SEGEL_DEV_SOFTHSM", "off")
	dir := filepath.Join(t.TempDir(), "segel-dev")
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0", "--register-listen", "127.0.0.1:0")
	base := registerURL(t, srv)
	pw, pp, err := register.ReadSeedFile(bytes.NewReader(readFile(t, filepath.Join(dir, "register-passwords.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	kabid := newRegBrowser(t, base, "kabid.dpmptsp", pw["kabid.dpmptsp"])
	_, form := kabid.get("/surat-keluar/baru")
	m := regexp.MustCompile(`<option value="(\d+)"[^>]*>Kepala Dinas Penanaman Modal[^<]*</option>`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no Kepala Dinas among the signers:\n%s", form)
	}
	resp := kabid.postFile("/surat-keluar/baru", url.Values{"kind": {"undangan"}, "klasifikasi": {"005"}, "sifat": {"biasa"},
		"subject": {"Undangan rapat koordinasi perizinan"}, "signer": {m[1]}, "external": {"Camat Ciruas"}},
		"draft", "undangan.pdf", gatewaytest.Letter())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/surat/") {
		t.Fatalf("draft: %s %q", resp.Status, loc)
	}
	id := strings.SplitN(strings.TrimPrefix(loc, "/surat/"), "/", 2)[0]
	kadis := newRegBrowser(t, base, "kadis.dpmptsp", pw["kadis.dpmptsp"])
	// Whatever paraf the chain asks for first (none: the drafter is the
	// signer's direct subordinate).
	if resp, page := kadis.get("/surat/" + id + "/ttd"); resp.StatusCode != 200 {
		t.Fatalf("signing page: %s\n%s", resp.Status, page)
	}
	if resp := kadis.post("/surat/"+id+"/ttd", url.Values{"passphrase": {"salah"}}); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a wrong passphrase signed")
	}
	resp = kadis.post("/surat/"+id+"/ttd", url.Values{"passphrase": {pp["kadis.dpmptsp"]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %s", resp.Status)
	}
	_, page := kadis.get("/surat/" + id + "/paraf")
	if !strings.Contains(page, "005/1/DPMPTSP/2026") || !strings.Contains(page, "Ditandatangani") {
		t.Errorf("the signed letter shows no number:\n%s", page)
	}
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	for _, s := range []string{pp["kadis.dpmptsp"], pw["kadis.dpmptsp"], pw["kabid.dpmptsp"]} {
		if strings.Contains(srv.stdout.String()+srv.stderr.String(), s) {
			t.Fatal("a secret is in the output")
		}
	}
}
