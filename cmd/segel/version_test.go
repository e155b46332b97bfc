package main

import (
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionOf: the version, commit and Go version read from the build
// information, with "devel" and "unknown" for what it does not hold.
func TestVersionOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "-compiler", Value: "gc"}, {Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, c := range []struct {
		name string
		ld   string
		bi   *debug.BuildInfo
		want buildVersion
	}{
		{"no build information", "", nil, buildVersion{"devel", "unknown", false, runtime.Version()}},
		{"go build in a clean checkout", "", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("0123456789abcdef0123456789abcdef01234567", "false")},
			buildVersion{"devel", "0123456789abcdef0123456789abcdef01234567", false, "go1.26.1"}},
		{"modified tree, tag-derived version", "", &debug.BuildInfo{GoVersion: "go1.26.1",
			Main: debug.Module{Version: "v0.4.1-0.20261202131622-0123456789ab+dirty"}, Settings: vcs("0123456789ab", "true")},
			buildVersion{"v0.4.1-0.20261202131622-0123456789ab+dirty", "0123456789ab", true, "go1.26.1"}},
		{"go install module@version", "", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.2.3"}},
			buildVersion{"v1.2.3", "unknown", false, "go1.26.1"}},
		{"-ldflags -X wins", "v1.3.0", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.2.3"}},
			buildVersion{"v1.3.0", "unknown", false, "go1.26.1"}},
		{"empty settings", "", &debug.BuildInfo{Settings: vcs("", "")}, buildVersion{"devel", "unknown", false, runtime.Version()}},
	} {
		if got := versionOf(c.ld, c.bi); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestVersionCommand: the built binary prints its version, the commit
// it was built from (this checkout's HEAD when Go recorded it) and the
// Go version that built it.
func TestVersionCommand(t *testing.T) {
	r := segelExec(t, nil, nil, "version")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	lines := strings.Split(strings.TrimSuffix(string(r.stdout), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "segel ") || len(lines[0]) == len("segel ") ||
		!strings.HasPrefix(lines[1], "commit: ") || lines[2] != "go: "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH {
		t.Fatalf("segel version printed:\n%s", r.stdout)
	}
	commit, _, _ := strings.Cut(strings.TrimPrefix(lines[1], "commit: "), " ")
	if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil && commit != "unknown" {
		if want := strings.TrimSpace(string(head)); commit != want {
			t.Errorf("commit %s, want HEAD %s", commit, want)
		}
	} else {
		t.Logf("commit %q (git: %v)", commit, err)
	}
	for _, arg := range []string{"--version", "-version"} {
		if o := segelExec(t, nil, nil, arg); o.code != 0 || string(o.stdout) != string(r.stdout) {
			t.Errorf("%s: %v\n%s", arg, o, o.stdout)
		}
	}
}
