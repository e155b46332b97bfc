package register

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMasukWordsComplete: both languages have every phrase, and the
// format verbs agree.
func TestMasukWordsComplete(t *testing.T) {
	for k, v := range masukWordsID {
		en, ok := masukWordsEN[k]
		if !ok {
			t.Errorf("%s has no English", k)
			continue
		}
		if strings.Count(v, "%") != strings.Count(en, "%") {
			t.Errorf("%s: %q and %q differ in their format verbs", k, v, en)
		}
	}
	for k := range masukWordsEN {
		if _, ok := masukWordsID[k]; !ok {
			t.Errorf("%s has no Indonesian", k)
		}
	}
	for _, s := range LembarInstructions {
		if _, ok := masukWordsEN["instruksi."+s]; !ok {
			t.Errorf("instruction %q has no words", s)
		}
	}
	for _, s := range sifatValues {
		if _, ok := masukWordsEN["sifat."+s]; !ok {
			t.Errorf("sifat %q has no words", s)
		}
	}
}

// untranslated finds a key shown as such (T falls back to the key).
var untranslated = regexp.MustCompile(`\b(masuk|dispo|sifat|status|instruksi|event)\.[a-z][A-Za-z./ ]*`)

// TestMasukPagesTranslated renders every surat masuk screen in both
// languages and finds no key left untranslated.
func TestMasukPagesTranslated(t *testing.T) {
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	id := register(t, ta.login("tu"), "Undangan musyawarah", "penting")
	kadis := ta.login("kadis")
	root := rowTo(t, ta, id, "kadis")
	dispose(t, kadis, id, root, []int64{ta.Pos["kabid"].ID}, LembarInstructions, "2026-03-03")
	ta.advance(48 * time.Hour) // overdue
	for _, lang := range []string{"id", "en"} {
		tu, kabid := ta.login("tu"), ta.login("kabid")
		rowKabid := rowTo(t, ta, id, "kabid")
		pages := map[string]string{
			"list":   tu.get("/surat-masuk?lang=" + lang).Body,
			"new":    tu.get("/surat-masuk/baru?lang=" + lang).Body,
			"errors": tu.postFile("/surat-masuk/baru?lang="+lang, url.Values{"sifat": {"x"}}, "berkas", "a.pdf", []byte("x")).Body,
			"letter": kabid.get(fmt.Sprintf("/surat/%d?lang=%s&ok=dispo.sent", id, lang)).Body,
			"dispo":  kabid.get(fmt.Sprintf("/surat/%d/disposisi?dari=%d&lang=%s", id, rowKabid, lang)).Body,
			"inbox":  kabid.get("/?lang=" + lang).Body,
		}
		for name, body := range pages {
			body = strings.NewReplacer("/static/masuk.css", "", "/static/masuk.js", "").Replace(body)
			if m := untranslated.FindString(body); m != "" {
				t.Errorf("%s page in %s shows the key %q", name, lang, m)
			}
		}
		if lang == "en" && !strings.Contains(pages["letter"], "Disposition trail") {
			t.Error("the English letter page is not in English")
		}
	}
}
