//go:build !linux

package httpapi

import (
	"errors"
	"os"
)

// openAnonymous is not available here: createTemp falls back to named
// files.
func openAnonymous(string) (*os.File, error) { return nil, errors.ErrUnsupported }
