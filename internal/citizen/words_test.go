package citizen

import (
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWords: every phrase exists in both languages.
func TestWords(t *testing.T) {
	for k, w := range words {
		if w.id == "" || w.en == "" {
			t.Errorf("%s: %q / %q", k, w.id, w.en)
		}
		if strings.Count(w.id, "%s") != strings.Count(w.en, "%s") {
			t.Errorf("%s: the verbs differ: %q / %q", k, w.id, w.en)
		}
	}
}

func TestPickLang(t *testing.T) {
	for _, c := range []struct {
		query, accept string
		want          lang
	}{
		// Indonesian whatever the browser prefers (issue 14): the page is
		// the regency's; English is the reader's explicit choice.
		{"", "", langID},
		{"", "en-US,en;q=0.9", langID},
		{"", "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", langID},
		{"", "fr-FR,fr;q=0.9,en;q=0.8", langID},
		{"lang=id", "en-US", langID},
		{"lang=en", "id-ID", langEN},
		{"lang=EN", "", langEN},
		{"lang=xx", "en", langID},
	} {
		r := httptest.NewRequest("GET", "/verify?"+c.query, nil)
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := pickLang(r); got != c.want {
			t.Errorf("?%s, Accept-Language %q: %v, want %v", c.query, c.accept, got, c.want)
		}
	}
}

func TestDNAttr(t *testing.T) {
	for _, c := range []struct{ dn, attr, want string }{
		{"CN=Budi Santoso,O=Pemerintah Kabupaten Sleman,C=ID", "CN", "Budi Santoso"},
		{"CN=Budi Santoso,O=Pemerintah Kabupaten Sleman,C=ID", "O", "Pemerintah Kabupaten Sleman"},
		{"SERIALNUMBER=3604012345670001,CN=Sari\\, S.H.,OU=Bagian Umum+O=Dinas Kominfo,C=ID", "CN", "Sari, S.H."},
		{"SERIALNUMBER=3604012345670001,CN=Sari\\, S.H.,OU=Bagian Umum+O=Dinas Kominfo,C=ID", "O", "Dinas Kominfo"},
		{"CN=BSrE CA DS G1,O=Badan Siber dan Sandi Negara,C=ID", "cn", "BSrE CA DS G1"},
		{"CN=a\\2Cb", "CN", "a,b"},
		{"O=Only", "CN", ""},
		{"", "CN", ""},
	} {
		if got := dnAttr(c.dn, c.attr); got != c.want {
			t.Errorf("dnAttr(%q, %q) = %q, want %q", c.dn, c.attr, got, c.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	if got := formatTime(langID, "2026-03-02T07:05:00Z", wib); got != "2 Maret 2026, 14.05 WIB" {
		t.Errorf("id: %q", got)
	}
	if got := formatTime(langEN, "2026-03-02T07:05:00Z", wib); got != "2 March 2026, 14:05 WIB" {
		t.Errorf("en: %q", got)
	}
	if got := formatTime(langEN, "not a time", wib); got != "not a time" {
		t.Errorf("bad: %q", got)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, ok := l.allow("a", now); !ok {
			t.Fatalf("upload %d refused", i+1)
		}
	}
	wait, ok := l.allow("a", now)
	if ok || wait != 20*time.Second {
		t.Fatalf("fourth upload: %v %v", ok, wait)
	}
	if _, ok := l.allow("b", now); !ok {
		t.Fatal("another address was refused")
	}
	if _, ok := l.allow("a", now.Add(20*time.Second)); !ok {
		t.Fatal("refused after a token came back")
	}
	if _, ok := l.allow("a", now.Add(21*time.Second)); ok {
		t.Fatal("allowed before a token came back")
	}
	// The map stays bounded.
	for i := range limiterPrune + 10 {
		l.allow(strconv.Itoa(i), now.Add(time.Duration(i)*time.Millisecond+2*time.Minute))
	}
	if len(l.buckets) > limiterPrune+10 {
		t.Errorf("%d buckets", len(l.buckets))
	}
	if clientKey("2001:db8:1:2:3:4:5:6") != clientKey("2001:db8:1:2:ffff::1") || clientKey("192.0.2.1") == clientKey("192.0.2.2") {
		t.Error("clientKey")
	}
}

// TestContrast holds the colour pairs of page.css to WCAG's 4.5:1 for
// normal text.
func TestContrast(t *testing.T) {
	css, err := assets.ReadFile("page.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6});`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	for _, p := range [][2]string{
		{"fg", "bg"}, {"fg", "card"}, {"muted", "card"}, {"muted", "bg"}, {"link", "card"}, {"link", "bg"},
		{"btn-fg", "btn-bg"}, {"ok-fg", "ok-bg"}, {"bad-fg", "bad-bg"}, {"warn-fg", "warn-bg"},
		{"code-fg", "code-bg"}, {"muted", "ok-bg"}, {"muted", "bad-bg"}, {"muted", "warn-bg"},
	} {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Errorf("--%s or --%s is not in page.css", p[0], p[1])
			continue
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("--%s %s on --%s %s: contrast %.2f < 4.5", p[0], fg, p[1], bg, r)
		}
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range 3 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
