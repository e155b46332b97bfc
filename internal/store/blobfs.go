package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	// tempPrefix starts the names of files being written; ids (base32)
	// never start with a dot.
	tempPrefix = ".put-"
	// staleTemp is the age after which Open removes a file a crashed
	// PutBlob left: no upload takes a day.
	staleTemp = 24 * time.Hour
)

// fsBlobs keeps each blob as a file named by its id in one directory.
type fsBlobs struct {
	dir string
}

// openFSBlobs makes dir if need be and removes the files that writes cut
// short by a crash left behind.
func openFSBlobs(dir string) (*fsBlobs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: blob directory: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: blob directory: %w", err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return &fsBlobs{dir: dir}, nil
}

// put writes the file without a name (Linux: O_TMPFILE) or under a
// temporary name, syncs it and only then gives it its name, so that a
// blob is either whole or absent, even after a crash.
//
// The unnamed file spares the directory two of its three changes (the
// temporary name and its removal), and a crash cannot leave it behind.
// Creating the file itself remains the dearest part of a kept signature
// outside the signer (docs/decisions.md, "Gateway performance (issue
// 12)").
func (b *fsBlobs) put(ctx context.Context, id string, r io.Reader) (int64, error) {
	name := filepath.Join(b.dir, id)
	if _, err := os.Lstat(name); err == nil {
		return 0, fmt.Errorf("%w: blob %s", ErrExists, id)
	}
	if f, err := openAnonymous(b.dir); err == nil {
		return b.putAnonymous(ctx, id, f, r)
	}
	f, err := os.CreateTemp(b.dir, tempPrefix+"*")
	if err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	tmp := f.Name()
	defer func() {
		if tmp != "" { // after a link, or a failure
			os.Remove(tmp)
		}
	}()
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	// A hard link never replaces a file: of two puts of one id, one
	// fails with ErrExists.
	if err := os.Link(tmp, name); errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("%w: blob %s", ErrExists, id)
	} else if err != nil {
		// A file system without hard links: rename, which would replace
		// a file that appeared since the Lstat above.
		if err := os.Rename(tmp, name); err != nil {
			return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
		}
		tmp = ""
	}
	if err := syncDir(b.dir); err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	return n, nil
}

// putAnonymous is put with f, an unnamed file in the blob directory.
func (b *fsBlobs) putAnonymous(ctx context.Context, id string, f *os.File, r io.Reader) (int64, error) {
	defer f.Close()
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	if err := linkAnonymous(f, filepath.Join(b.dir, id)); errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("%w: blob %s", ErrExists, id)
	} else if err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	if err := syncDir(b.dir); err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	return n, nil
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

func (b *fsBlobs) open(_ context.Context, id string) (io.ReadCloser, int64, error) {
	f, err := os.Open(filepath.Join(b.dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("%w: blob %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: opening blob %s: %w", id, err)
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("store: opening blob %s: %w", id, err)
	}
	return f, info.Size(), nil
}

func (b *fsBlobs) delete(_ context.Context, id string) error {
	if err := os.Remove(filepath.Join(b.dir, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: deleting blob %s: %w", id, err)
	}
	return nil
}

func (b *fsBlobs) list(context.Context) ([]blobInfo, error) {
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, fmt.Errorf("store: listing blobs: %w", err)
	}
	var out []blobInfo
	for _, e := range ents {
		if !e.Type().IsRegular() || checkID(e.Name()) != nil {
			continue // temporary files and strangers
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, blobInfo{id: e.Name(), written: info.ModTime()})
	}
	return out, nil
}

// partials lists the temporary files of writes (tempPrefix) last
// modified before before: a put takes seconds, so those older than the
// reconciliation's grace were cut short by a crash. Open removes them
// only after staleTemp; Reconcile, run at start-up and by `segel audit
// verify`, sooner.
func (b *fsBlobs) partials(before time.Time) ([]string, error) {
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, fmt.Errorf("store: listing blobs: %w", err)
	}
	var out []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(before) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// removePartial removes a partial file that partials listed.
func (b *fsBlobs) removePartial(name string) error {
	if !strings.HasPrefix(name, tempPrefix) || strings.ContainsRune(name, os.PathSeparator) {
		return fmt.Errorf("store: %q is not a partial blob file", name)
	}
	if err := os.Remove(filepath.Join(b.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: removing a partial blob file: %w", err)
	}
	return nil
}
