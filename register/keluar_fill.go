package register

import (
	"errors"
	"io"
)

// fillNumber writes number where the letter shows ${nomor}
// (signer.FillText), into dst; nothing is written on error.
func fillNumber(dst io.Writer, src io.ReaderAt, size int64, number string) error {
	return errors.New("register: filling ${nomor} needs signer.FillText")
}
