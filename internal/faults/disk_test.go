//go:build faults

package faults

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
)

// tmpfs mounts a tmpfs of size bytes on a new directory, unmounted when
// the test ends. It skips where mounting is impossible (not root, no
// mount), and fails instead under CI=true.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("mount -t tmpfs (needed in CI): %v: %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the file system is full, and returns
// its path. The server may still be giving space back (a pooled spool
// file is emptied after its answer has gone out), so fill tops the file
// up until the file system has stayed full for three checks 50 ms apart:
// space freed after a single pass let letters through (seen under load).
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for quiet := 0; quiet < 3; {
		wrote := false
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("filling %s: %v", dir, err)
				}
				break
			}
			wrote = true
		}
		if wrote {
			quiet = 0
		} else {
			quiet++
		}
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

// TestDiskFull: the temporary directory (where bodies above
// limits.spool_memory are spooled) and the blob directory (where kept
// letters are stored) on small tmpfs mounts, filled. Every signature is 503 temporarily-unavailable with
// no server path in its detail; nothing is recorded or handed out, no
// partial file is left; once space is back the service signs again.
func TestDiskFull(t *testing.T) {
	for _, which := range []string{"temp", "blob"} {
		t.Run(which, func(t *testing.T) {
			var o envOptions
			full := tmpfs(t, "1m")
			if which == "temp" {
				o.tmp = full
				// Letters above the spool's memory threshold, so that
				// they go to the full directory (small ones are signed
				// in memory and need none).
				o.limits = "  spool_memory: 1KiB\n"
			} else {
				o.blobs = full
			}
			e := newEnv(t, o)
			p := e.start(t)
			l := newLedger()
			e.healthy(t, p, l, "before")
			filler := fill(t, full)
			outs := e.load(context.Background(), func() string { return p.url }, 4, 16, "sekda", "B-B", "B-T", "B-LT", "B-LTA")
			seen := e.expect(t, outs, l, "503 temporarily-unavailable")
			t.Logf("%s directory full: %v", which, seen)
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			e.healthy(t, p, l, "after")
			stop(t, p)
			e.checkAfter(t, l)
		})
	}
}
