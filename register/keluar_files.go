package register

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// putLetterFile stores b content-addressed as DATA/files/<sha256> and
// returns its SHA-256 (hex): written to a temporary file in the spool,
// synced, then linked under its name, so that a name never holds half a
// file. The same bytes stored twice are one file. A file whose transaction then fails
// stays as an orphan, never a row without its file (docs/decisions.md,
// "Register: surat keluar, paraf, signing and numbering").
func (a *App) putLetterFile(b []byte) (string, error) {
	sum := sha256.Sum256(b)
	name := hex.EncodeToString(sum[:])
	dst := filepath.Join(a.files, name)
	if _, err := os.Stat(dst); err == nil {
		return name, nil
	}
	// The spool of the uploads (masukfile.go): DATA/files holds only
	// named files, and what a crash leaves there is swept.
	spool := filepath.Join(a.files, spoolDir)
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return "", fmt.Errorf("register: storing file %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(spool, "keluar-*")
	if err != nil {
		return "", fmt.Errorf("register: storing file %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return "", fmt.Errorf("register: storing file %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("register: storing file %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("register: storing file %s: %w", name, err)
	}
	// A link never replaces: of two stores of the same bytes one creates
	// the name and the other finds it.
	if err := os.Link(tmp.Name(), dst); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("register: storing file %s: %w", name, err)
	}
	syncDir(a.files)
	return name, nil
}

// readLetterFile reads the stored file of that SHA-256.
func (a *App) readLetterFile(sum string) ([]byte, error) {
	name := filePath(a.files, sum)
	if name == "" {
		return nil, fmt.Errorf("register: stored file %q: bad name", sum)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("register: stored file %s: %w", sum, err)
	}
	if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("register: stored file %s does not match its name", sum)
	}
	return b, nil
}
