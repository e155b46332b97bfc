package trust

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoCertificates is returned (wrapped) when a file or directory given
// to load holds nothing that is or looks like a certificate.
var ErrNoCertificates = errors.New("trust: no certificate found")

// maxFileSize bounds a trust file: the national bundle is 4 KB and a
// generous CA bundle a few hundred KB, so anything larger is a mistake.
const maxFileSize = 16 << 20

// LoadFile adds as anchors the certificates in the file at path, PEM (any
// number of blocks) or DER (one or more concatenated certificates); the path
// is their source. Certificates that cannot be parsed are skipped with a
// warning. It is an error if the file cannot be read or holds no
// certificate at all ([ErrNoCertificates]).
func (p *Pool) LoadFile(path string) (added int, warnings []string, err error) {
	data, err := readFile(path)
	if err != nil {
		return 0, nil, err
	}
	certs, warnings, found := parseCerts(data, path)
	if found == 0 {
		return 0, warnings, fmt.Errorf("%w in %s", ErrNoCertificates, path)
	}
	return p.addAll(certs, path), warnings, nil
}

// LoadDir adds as anchors the certificates of the files *.pem, *.crt, *.cer
// and *.der in dir, in name order, without descending into subdirectories;
// other files are ignored. A file that cannot be read or holds no
// certificate gives a warning, not an error. It is an error if dir cannot
// be read or none of its files holds a certificate ([ErrNoCertificates]).
func (p *Pool) LoadDir(dir string) (added int, warnings []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, nil, fmt.Errorf("trust: %w", err)
	}
	found := 0
	for _, e := range entries {
		if !loadable(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(path); err != nil || fi.IsDir() { // follow symlinks
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%s: skipped: %v", path, err))
			}
			continue
		}
		data, err := readFile(path)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: skipped: %v", path, err))
			continue
		}
		certs, w, n := parseCerts(data, path)
		warnings = append(warnings, w...)
		if n == 0 {
			warnings = append(warnings, fmt.Sprintf("%s: skipped: no certificate found", path))
			continue
		}
		found += n
		added += p.addAll(certs, path)
	}
	if found == 0 {
		return 0, warnings, fmt.Errorf("%w in directory %s", ErrNoCertificates, dir)
	}
	return added, warnings, nil
}

// Load calls [Pool.LoadDir] for each path that is a directory and
// [Pool.LoadFile] for the others, as `segel verify --trust` does. It stops
// at the first error.
func (p *Pool) Load(paths ...string) (added int, warnings []string, err error) {
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return added, warnings, fmt.Errorf("trust: %w", err)
		}
		load := p.LoadFile
		if fi.IsDir() {
			load = p.LoadDir
		}
		n, w, err := load(path)
		added += n
		warnings = append(warnings, w...)
		if err != nil {
			return added, warnings, err
		}
	}
	return added, warnings, nil
}

// readFile reads a trust file of at most maxFileSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("trust: reading %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("trust: %s is larger than the %d bytes a certificate file may have", path, maxFileSize)
	}
	return data, nil
}

// loadable reports whether LoadDir reads the file with the given name.
func loadable(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pem", ".crt", ".cer", ".der":
		return true
	}
	return false
}
