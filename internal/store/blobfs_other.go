//go:build !linux

package store

import (
	"errors"
	"os"
)

var errNoAnonymous = errors.New("no anonymous files on this system")

// openAnonymous has no unnamed files to offer here: put writes a named
// temporary file instead.
func openAnonymous(string) (*os.File, error) { return nil, errNoAnonymous }

func linkAnonymous(*os.File, string) error { return errNoAnonymous }
