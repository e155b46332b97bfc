package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/vocabtest"
)

// TestReportNoEnglish: over a corpus of real reports of every verdict
// kind and every reason code, no line of the Indonesian text report
// holds an English word (user data such as the signer's name and the
// ETSI codes aside), while the English report of the same failed
// reports does: the reasons are worded by verify/explain, not copied
// from verify's English messages.
func TestReportNoEnglish(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	englishSeen := 0
	for _, c := range vocabtest.Corpus(t) {
		allow := vocabtest.UserData(c.Report)
		var id, en bytes.Buffer
		writeReportIn(&id, c.Report, "id", wib)
		for _, l := range strings.Split(id.String(), "\n") {
			if w := vocabtest.English(l, allow); len(w) > 0 {
				t.Errorf("%s: English %q in %q", c.Name, w, l)
			}
		}
		writeReportIn(&en, c.Report, "en", wib)
		if len(vocabtest.English(en.String(), allow)) > 0 {
			englishSeen++
		}
	}
	if englishSeen == 0 {
		t.Fatal("the English reports hold no English: the scanner is broken")
	}
}
