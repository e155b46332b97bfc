package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// input is a source document: a file, or stdin spooled to a temporary
// file (signing and verifying need random access).
type input struct {
	f    *os.File
	size int64
	temp bool
}

func openInput(path string, stdin io.Reader) (*input, error) {
	if path == "-" {
		f, err := os.CreateTemp("", "segel-in-*.pdf")
		if err != nil {
			return nil, err
		}
		os.Remove(f.Name()) // unlinked: removed whatever happens
		n, err := io.Copy(f, stdin)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("reading stdin: %w", err)
		}
		return &input{f: f, size: n, temp: true}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return &input{f: f, size: st.Size()}, nil
}

func (in *input) Close() error { return in.f.Close() }

// output writes a result atomically: to a temporary file next to the
// destination, renamed over it by Commit. Without Commit, Close removes the
// temporary file, so a failure never leaves a partial output.
type output struct {
	path   string // "-" for stdout
	stdout io.Writer
	f      *os.File
	done   bool
}

func createOutput(path string, stdout io.Writer) (*output, error) {
	dir := os.TempDir()
	if path != "-" {
		dir = filepath.Dir(path)
	}
	f, err := os.CreateTemp(dir, ".segel-*.pdf.tmp")
	if err != nil {
		if path != "-" {
			if _, serr := os.Stat(dir); serr != nil {
				return nil, fmt.Errorf("cannot write %s: %w", path, serr)
			}
		}
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &output{path: path, stdout: stdout, f: f}, nil
}

func (o *output) Write(p []byte) (int, error) { return o.f.Write(p) }

// Commit makes the output visible: renamed into place, or copied to stdout.
func (o *output) Commit() error {
	if o.path == "-" {
		if _, err := o.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.Copy(o.stdout, o.f); err != nil {
			return fmt.Errorf("writing to stdout: %w", err)
		}
		o.done = true
		return nil
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	if err := o.f.Chmod(0o644); err != nil {
		return err
	}
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	o.done = true
	return nil
}

// Close closes the output and removes the temporary file unless it was
// committed to a path.
func (o *output) Close() error {
	err := o.f.Close()
	if !o.done || o.path == "-" {
		if rerr := os.Remove(o.f.Name()); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = rerr
		}
	}
	return err
}
