package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSkipLocally runs itself as a child with CI set and unset: the
// child's SkipLocally must fail it in CI and skip it elsewhere.
func TestSkipLocally(t *testing.T) {
	if os.Getenv("SEGEL_TESTENV_CHILD") == "1" {
		SkipLocally(t, "the child cannot run")
		return
	}
	for _, c := range []struct {
		ci   string
		fail bool
		want string
	}{{"true", true, "--- FAIL"}, {"false", false, "--- SKIP"}, {"", false, "--- SKIP"}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSkipLocally$", "-test.v")
		cmd.Env = append(os.Environ(), "SEGEL_TESTENV_CHILD=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fail || !strings.Contains(string(out), c.want) {
			t.Errorf("CI=%q: err %v, output:\n%s", c.ci, err, out)
		}
	}
}
