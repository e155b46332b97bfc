package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3"; when empty, the main module's version
// from the build information is used (set by go install module@version,
// or derived by go build from a VCS tag), else "devel".
var version string

// buildVersion is what `segel version` prints.
type buildVersion struct {
	Version  string // release or module version, "devel" when unknown
	Commit   string // VCS revision, "unknown" when not recorded
	Modified bool   // the working tree had local changes at build time
	Go       string // the Go toolchain that built the binary
}

// versionOf reads the version from ld (the -X value, may be empty) and
// the build information bi (nil when the binary has none).
func versionOf(ld string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ld, Commit: "unknown", Go: runtime.Version()}
	if bi != nil {
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if s.Value != "" {
					v.Commit = s.Value
				}
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
		if bi.GoVersion != "" {
			v.Go = bi.GoVersion
		}
	}
	if v.Version == "" {
		v.Version = "devel"
	}
	return v
}

// writeVersion prints the version, commit and Go version of this binary.
func writeVersion(w io.Writer) {
	bi, _ := debug.ReadBuildInfo() // nil when the binary has none
	v := versionOf(version, bi)
	commit := v.Commit
	if v.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(w, "segel %s\ncommit: %s\ngo: %s %s/%s\n", v.Version, commit, v.Go, runtime.GOOS, runtime.GOARCH)
}
