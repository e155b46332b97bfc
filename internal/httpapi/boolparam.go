package httpapi

import (
	"errors"
	"strings"
)

// errNotBoolean reports a boolean parameter spelt in no way parseBool knows.
var errNotBoolean = errors.New("not a boolean: use true/false, yes/no, ya/tidak, on/off or 1/0")

// parseBool reads a boolean request parameter in the spellings people and
// HTML forms use (a checked checkbox sends "on"), in any case: 1, t, true,
// y, yes, ya, on are true; 0, f, false, n, no, tidak, off and the empty
// string are false. Anything else is an error, never silently false: a
// letter meant to be confidential must not become public over a spelling.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "y", "yes", "ya", "on":
		return true, nil
	case "", "0", "f", "false", "n", "no", "tidak", "off":
		return false, nil
	}
	return false, errNotBoolean
}

// boolProblem is the answer to a boolean parameter that parseBool refuses.
func boolProblem(name string) *Problem {
	return newProblem("bad-request", name+": "+errNotBoolean.Error())
}
