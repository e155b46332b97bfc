//go:build !linux

package spool

import (
	"errors"
	"os"
)

// openAnonymous is not available here: Create falls back to named
// files.
func openAnonymous(string) (*os.File, error) { return nil, errors.ErrUnsupported }
