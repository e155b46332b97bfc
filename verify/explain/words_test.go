package explain

import (
	"regexp"
	"testing"
)

// argNames are the values verify's notes carry (verify.Note.Args, and
// docs/contracts.md).
var argNames = map[string]bool{"cert": true, "date": true, "poe": true, "time": true, "n": true, "i": true,
	"bits": true, "field": true, "action": true, "hash": true, "sigHash": true, "level": true, "source": true,
	"subFilter": true, "issuers": true, "signer": true, "from": true, "p": true, "object": true, "change": true, "detail": true}

// TestPlaceholders: every sentence names only values notes carry, and no
// Indonesian sentence names the English detail or the English change.
func TestPlaceholders(t *testing.T) {
	re := regexp.MustCompile(`\{([A-Za-z]+)\}`)
	for code, w := range noteWords {
		for _, m := range re.FindAllStringSubmatch(w.en, -1) {
			if !argNames[m[1]] {
				t.Errorf("%s (en) names %q", code, m[1])
			}
		}
		for _, m := range re.FindAllStringSubmatch(w.id, -1) {
			if !argNames[m[1]] || m[1] == "detail" || m[1] == "change" || m[1] == "object" {
				t.Errorf("%s (id) names %q", code, m[1])
			}
		}
	}
}
