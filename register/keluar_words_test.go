package register

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestKeluarWords: every word has both languages, and the keluar pages
// rendered in English show no untranslated key.
func TestKeluarWords(t *testing.T) {
	for k := range keluarWordsID {
		if _, ok := keluarWordsEN[k]; !ok {
			t.Errorf("%s: no English", k)
		}
	}
	for k := range keluarWordsEN {
		if _, ok := keluarWordsID[k]; !ok {
			t.Errorf("%s: no Indonesian", k)
		}
	}
	e := newKeluarEnv(t, false)
	kabid := e.login("kabid")
	id := letterIDFrom(t, kabid.postFile("/surat-keluar/baru", e.draftForm("kadis", "Surat"), "draft", "d.pdf", draftTTD(t)))
	key := regexp.MustCompile(`\b(keluar|sign|status|paraf|naskah|sifat|event|notice|inbox|penomoran)\.[a-z_.]+\b`)
	kadis, admin := e.login("kadis"), e.login("admin")
	for _, lang := range []string{"en", "id"} {
		for _, c := range []struct {
			who  *client
			path string
		}{{kabid, "/surat-keluar"}, {kabid, "/surat-keluar/baru"}, {kabid, fmt.Sprintf("/surat/%d/paraf", id)},
			{kadis, fmt.Sprintf("/surat/%d/ttd", id)}, {kadis, "/"}, {admin, "/admin/penomoran"}} {
			r := c.who.get(c.path + "?lang=" + lang)
			if r.Code != 200 {
				t.Fatalf("%s: %d", c.path, r.Code)
			}
			body := r.Body[strings.Index(r.Body, "<main"):]
			if m := key.FindString(body); m != "" {
				t.Errorf("%s (%s) shows the key %q", c.path, lang, m)
			}
		}
	}
}

// draftTTD is a draft with ${ttd} and no ${nomor}.
func draftTTD(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/draft-ttd.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
