package spool

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openAnonymous opens an unnamed temporary file in dir (O_TMPFILE): it
// never appears in the directory, costs no directory update, and the
// kernel frees it when it is closed — even when the process dies.
func openAnonymous(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), filepath.Join(dir, "segel-anonymous")), nil
}
