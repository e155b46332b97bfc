package register

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/spool"
)

// DefaultMaxScan is the largest scanned letter accepted, in bytes.
const DefaultMaxScan = 25 << 20

// The ways an uploaded scan is refused; each is a *scanError.
var (
	errNoFile   = &scanError{"masuk.err.nofile"}
	errTooLarge = &scanError{"masuk.err.toolarge"}
	errNotPDF   = &scanError{"masuk.err.notpdf"}
)

// scanError is an upload refused for what it is (not for a fault of the
// server); Word is the key of the message shown to the clerk.
type scanError struct{ Word string }

func (e *scanError) Error() string { return "register: scan refused: " + e.Word }

// spoolDir is the directory, inside the files directory, of the uploads
// being received: on the same file system, so that placing one under its
// name is a link; its dot keeps it out of backups and of every listing of
// the files. staleSpool is the age after which a file a crash left there
// is removed.
const (
	spoolDir   = ".spool"
	staleSpool = 24 * time.Hour
)

// spooled is an uploaded PDF written to a temporary file in the spool
// directory, with its SHA-256 and page count.
type spooled struct {
	tmp    string
	size   int64
	sha256 string // lower-case hex
	pages  int
}

// discard removes the temporary file; it may be called more than once.
func (s *spooled) discard() {
	if s != nil && s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
}

// spoolPDF copies at most max bytes of src to a temporary file in the
// spool directory of the files directory dir, synced, and checks that it
// is a PDF whose page tree can be read. The errors are errNoFile,
// errTooLarge, errNotPDF, or a fault of the server.
func spoolPDF(dir string, src io.Reader, max int64) (*spooled, error) {
	sd := filepath.Join(dir, spoolDir)
	if err := os.MkdirAll(sd, 0o700); err != nil {
		return nil, fmt.Errorf("register: files directory: %w", err)
	}
	sweepSpool(sd)
	f, err := os.CreateTemp(sd, "scan-*")
	if err != nil {
		return nil, fmt.Errorf("register: spooling a scan: %w", err)
	}
	s := &spooled{tmp: f.Name()}
	ok := false
	defer func() {
		f.Close()
		if !ok {
			s.discard()
		}
	}()
	c, err := spool.Copy(f, src, max)
	var we *spool.WriteError
	switch {
	case errors.As(err, &we):
		return nil, fmt.Errorf("register: spooling a scan: %w", we.Err)
	case errors.Is(err, spool.ErrTooLarge):
		return nil, errTooLarge
	case err != nil:
		return nil, fmt.Errorf("register: reading the upload: %w", err)
	case c.Size == 0:
		return nil, errNoFile
	}
	s.size, s.sha256 = c.Size, c.SHA256
	if s.pages, err = countPages(f, c.Size); err != nil {
		return nil, errNotPDF
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("register: spooling a scan: %w", err)
	}
	ok = true
	return s, nil
}

// sweepSpool removes what uploads cut short by a crash left in the spool
// directory (a small directory: only the uploads in progress).
func sweepSpool(spool string) {
	ents, err := os.ReadDir(spool)
	if err != nil {
		return
	}
	for _, e := range ents {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleSpool {
			os.Remove(filepath.Join(spool, e.Name()))
		}
	}
}

// countPages reads the page tree of a PDF; an error when it is not one
// (the header "%PDF-" in the first 1024 bytes, a readable cross-reference
// and at least one page).
func countPages(r io.ReaderAt, size int64) (int, error) {
	head := make([]byte, min(size, 1024))
	n, _ := r.ReadAt(head, 0)
	if !bytes.Contains(head[:n], []byte("%PDF-")) {
		return 0, errors.New("no PDF header")
	}
	doc, err := pdf.Open(r, size, nil)
	if err != nil {
		return 0, err
	}
	pages, err := doc.Pages()
	if err != nil {
		return 0, err
	}
	if len(pages) == 0 {
		return 0, errors.New("no page")
	}
	return len(pages), nil
}

var validSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// filePath is where the file with that SHA-256 lives under dir (the
// content-addressed DATA/files of docs/register.md); "" for anything but
// lower-case hex, so that no name climbs out of dir.
func filePath(dir, sum string) string {
	if !validSHA256.MatchString(sum) {
		return ""
	}
	return filepath.Join(dir, sum)
}

// place gives the spooled file its content-addressed name in dir. created
// is false when a file of the same content was already there (the same
// bytes: nothing to write). The temporary file is kept: see settle.
func (s *spooled) place(dir string) (created bool, err error) {
	name := filePath(dir, s.sha256)
	// A hard link never replaces a file: of two uploads of the same
	// scan, one creates it and the other finds it.
	err = os.Link(s.tmp, name)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("register: storing scan %s: %w", s.sha256, err)
	}
	if err := syncDir(dir); err != nil {
		return true, fmt.Errorf("register: storing scan %s: %w", s.sha256, err)
	}
	return true, nil
}

// settle makes sure, once the row that names it is committed, that the
// file is under its name (another upload of the same bytes whose
// transaction failed may have removed it meanwhile), then drops the
// temporary file.
func (s *spooled) settle(dir string) error {
	defer s.discard()
	name := filePath(dir, s.sha256)
	if _, err := os.Stat(name); err == nil {
		return nil
	}
	if err := os.Link(s.tmp, name); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("register: storing scan %s: %w", s.sha256, err)
	}
	return syncDir(dir)
}

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
