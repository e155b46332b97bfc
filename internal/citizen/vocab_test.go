package citizen

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/vocabtest"
)

var (
	skipBlocks = regexp.MustCompile(`(?s)<(style|script)\b.*?</(style|script)>`)
	tagRE      = regexp.MustCompile(`<[^>]*>`)
)

// textNodes returns the text a reader sees of an HTML page, one node a
// line.
func textNodes(page string) []string {
	page = skipBlocks.ReplaceAllString(page, "")
	var out []string
	for _, n := range tagRE.Split(page, -1) {
		if n = strings.TrimSpace(html.UnescapeString(n)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// TestPageNoEnglish: over a corpus of real reports of every verdict kind
// and every reason code, no text node of the Indonesian result page
// holds an English word (user data such as the signer's name, the codes,
// and the switch to English aside), while the English page of the same
// reports does.
func TestPageNoEnglish(t *testing.T) {
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	wib := time.FixedZone("WIB", 7*3600)
	render := func(l lang, c vocabtest.Case) string {
		p := &page{Lang: l.Code(), T: table(l), Nonce: "00", Page: "result", Q: "?lang=" + l.Code(), Toggle: "?lang=en",
			Brand: &brandView{Name: "Segel", Site: "Segel"}}
		p.Verdict = verdictOf(l, c.Report, wib)
		p.Title = p.Verdict.Headline
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, "layout.html", p); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		return b.String()
	}
	englishSeen := 0
	for _, c := range vocabtest.Corpus(t) {
		allow := vocabtest.UserData(c.Report)
		for _, n := range textNodes(render(langID, c)) {
			if w := vocabtest.English(n, allow); len(w) > 0 {
				t.Errorf("%s: English %q in %q", c.Name, w, n)
			}
		}
		if len(vocabtest.English(strings.Join(textNodes(render(langEN, c)), "\n"), allow)) > 0 {
			englishSeen++
		}
	}
	if englishSeen == 0 {
		t.Fatal("the English pages hold no English: the scanner is broken")
	}
}
