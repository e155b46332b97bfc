package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/register"
)

// readmeTourCommands returns the shell lines of the README's "Letter
// register" section that read the passwords file (the awk lines), so that
// the test runs exactly what the README tells a reader to type.
func readmeTourCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n## Letter register\n")
	if i < 0 {
		t.Fatal("README.md has no \"Letter register\" section")
	}
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	if !strings.Contains(s, "```sh\nmake run\n```") {
		t.Error("the README's tour does not start with make run")
	}
	var cmds []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "awk ") {
			cmds = append(cmds, l)
		}
	}
	if len(cmds) != 3 {
		t.Fatalf("the README's tour has %d awk lines, want 3 (clerk, Kepala Dinas, passphrase)", len(cmds))
	}
	return cmds
}

// TestRegisterTour takes the README's tour of the letter register on what
// `make run` starts (segel serve --dev with its register): the README's
// commands read the clerk's and the Kepala Dinas's passwords and his
// passphrase from segel-dev/register-passwords.txt; then, in headless
// Chromium at 360×800, the clerk logs in and registers a sample letter
// that reaches the Kepala Dinas's inbox, a staf drafts
// testdata/letters/surat-dinas.pdf for him, the Kasi and the Kabid give
// paraf, and he signs it with the passphrase: it has its number, and the
// citizens' page on the gateway shows it.
func TestRegisterTour(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	t.Setenv("SEGEL_DEV_SOFTHSM", "off")
	work := t.TempDir()
	dir := filepath.Join(work, "segel-dev")
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0", "--register-listen", "127.0.0.1:0")
	base := registerURL(t, srv)

	// The README's commands, verbatim, in the directory that holds
	// segel-dev (the repository root after make run).
	var out []string
	for _, c := range readmeTourCommands(t) {
		cmd := exec.Command("sh", "-c", c)
		cmd.Dir = work
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" || strings.ContainsAny(v, " \t\n") {
			t.Fatalf("%s printed %q, want one secret", c, v)
		}
		out = append(out, v)
	}
	clerkPW, kadisPW, passphrase := out[0], out[1], out[2]
	pw := map[string]string{"tu.dpmptsp": clerkPW, "kadis.dpmptsp": kadisPW}
	passwords, passphrases, err := register.ReadSeedFile(bytes.NewReader(readFile(t, filepath.Join(dir, "register-passwords.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	if passwords["tu.dpmptsp"] != clerkPW || passwords["kadis.dpmptsp"] != kadisPW || passphrases["kadis.dpmptsp"] != passphrase {
		t.Fatal("the README's commands read other values than the passwords file holds")
	}
	for _, u := range []string{"staf.dpmptsp", "kasi.dpmptsp", "kabid.dpmptsp"} {
		pw[u] = passwords[u]
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s: %v (on %s)", what, err, loc)
		}
	}
	markOld := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`document.documentElement.dataset.old = "1", true`)(ctx, t)
		return err
	})
	loaded := chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(`html:not([data-old]) main`)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`!document.documentElement.dataset.old && document.readyState === "complete"`)(ctx, t)
			return err
		}))
	open := func(u string) { t.Helper(); do("opening "+u, markOld, chromedp.Navigate(u), loaded) }
	click := func(sel string) { t.Helper(); do("clicking "+sel, markOld, chromedp.Click(chromedp.CSS(sel)), loaded) }
	set := func(sel, v string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = %q; return true })()`, sel, v)))
		if err != nil || !ok {
			t.Fatalf("setting %s: %v", sel, err)
		}
	}
	typ := func(sel, v string) {
		t.Helper()
		set(sel, "")
		do("typing into "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("the text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	// optionFor is the value of the first option of sel whose label
	// contains label.
	optionFor := func(sel, label string) string {
		t.Helper()
		v := eval(fmt.Sprintf(`(Array.from(document.querySelectorAll(%q)).find(o => o.textContent.includes(%q)) || {value: ""}).value`, sel+" option", label))
		if v == "" {
			t.Fatalf("no option %q in %s", label, sel)
		}
		return v
	}
	loggedIn := ""
	login := func(user string) {
		t.Helper()
		if loggedIn != "" {
			open(base + "/")
			click(`form[action="/keluar-sesi"] button[type=submit]`)
		}
		open(base + "/masuk")
		typ("#username", user)
		typ("#password", pw[user])
		click(`form[action="/masuk"] button[type=submit]`)
		if h := text("h1"); h != "Kotak masuk" {
			t.Fatalf("logging in as %s: %q\n%s", user, h, text("main"))
		}
		loggedIn = user
	}
	abs := func(rel string) string {
		p, err := filepath.Abs(rel)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	// 1. The clerk registers an incoming letter.
	open(base)
	login("tu.dpmptsp")
	click(`nav a[href="/surat-masuk"]`)
	click(`#masuk-baru`)
	typ("#pengirim", "Dinas Kesehatan Provinsi Banten")
	typ("#nomor", "440/77/Dinkes/2026")
	today := time.Now().In(time.FixedZone("WIB", 7*3600)).Format("2006-01-02")
	set("#tanggal", today)
	set("#diterima", today)
	typ("#perihal", "Undangan rapat koordinasi kesehatan")
	do("sifat", chromedp.Click(chromedp.CSS(`input[name=sifat][value=penting]`)))
	set("#klasifikasi", "005")
	do("the scan", chromedp.SetUploadFiles(chromedp.CSS("#berkas"), []string{abs("../../testdata/letters/undangan.pdf")}))
	click("#catat")
	agenda := strings.TrimSpace(text("#agenda"))
	if agenda == "" {
		t.Fatalf("no agenda number:\n%s", text("main"))
	}

	// 2. It is in the Kepala Dinas's inbox.
	login("kadis.dpmptsp")
	if !strings.Contains(text("main"), "Undangan rapat koordinasi kesehatan") {
		t.Errorf("the Kepala Dinas's inbox lacks the letter:\n%s", text("main"))
	}

	// 3. A staf drafts the sample surat dinas for the Kepala Dinas; the
	// Kasi and the Kabid give paraf.
	login("staf.dpmptsp")
	click(`nav a[href="/surat-keluar"]`)
	click(`main a[href="/surat-keluar/baru"]`)
	set("#kind", "surat_dinas")
	set("#klasifikasi", "005")
	typ("#subject", "Pemberitahuan jadwal pelayanan perizinan")
	set("#signer", optionFor("#signer", "Kepala Dinas Penanaman Modal"))
	typ("#external", "Camat Ciruas")
	do("the draft", chromedp.SetUploadFiles(chromedp.CSS("#draft"), []string{abs("../../testdata/letters/surat-dinas.pdf")}))
	click(`form[action="/surat-keluar/baru"] button[type=submit]`)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	var id int
	if _, err := fmt.Sscanf(strings.TrimPrefix(loc, base), "/surat/%d/", &id); err != nil {
		t.Fatalf("after drafting the browser is on %s:\n%s", loc, text("main"))
	}
	for _, u := range []string{"kasi.dpmptsp", "kabid.dpmptsp"} {
		login(u)
		open(fmt.Sprintf("%s/surat/%d/paraf", base, id))
		click(`form:has(input[name=aksi][value=setuju]) button[type=submit]`)
	}

	// 4. The Kepala Dinas signs with the passphrase.
	login("kadis.dpmptsp")
	open(fmt.Sprintf("%s/surat/%d/ttd", base, id))
	typ("#passphrase", passphrase)
	click(fmt.Sprintf(`form[action="/surat/%d/ttd"] button[type=submit]`, id))
	want := fmt.Sprintf("005/1/DPMPTSP/%d", time.Now().In(time.FixedZone("WIB", 7*3600)).Year())
	if m := text("main"); !strings.Contains(m, want) {
		t.Fatalf("after signing, no number %s:\n%s", want, m)
	}
	verifyURL := eval(`(document.querySelector('main a[href*="/v/"]') || {}).href || ""`)
	if !strings.HasPrefix(verifyURL, srv.url+"/v/") {
		t.Fatalf("the signed letter links %q, not the gateway's /v/ page", verifyURL)
	}
	open(verifyURL)
	if m := text("main"); !strings.Contains(m, want) || !strings.Contains(m, "Pemberitahuan jadwal pelayanan perizinan") {
		t.Errorf("the citizens' page:\n%s", m)
	}
	srv.shutdown(t)
}
