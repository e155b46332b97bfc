package pdf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap them (test with
// errors.Is) and add context: what was being read and at which offset.
var (
	// ErrNotPDF reports that no "%PDF-" header was found in the first 1024
	// bytes.
	ErrNotPDF = errors.New("pdf: not a PDF file")
	// ErrTruncated reports that the file tail has no "startxref" or no
	// "%%EOF" marker: the file is truncated or not finished.
	ErrTruncated = errors.New("pdf: truncated file")
	// ErrBrokenXref reports a cross-reference table or stream that cannot be
	// parsed or that points to the wrong place (an object is not where the
	// xref says it is). Open reconstructs such files (Reader.Repaired)
	// unless ReadOptions.NoRepair.
	ErrBrokenXref = errors.New("pdf: broken cross-reference")
	// ErrSyntax reports malformed object syntax.
	ErrSyntax = errors.New("pdf: syntax error")
	// ErrLimit reports that a configured limit (ReadOptions) was exceeded:
	// nesting depth, number of xref entries, decoded stream size, …
	ErrLimit = errors.New("pdf: limit exceeded")
	// ErrEncrypted is returned by Update.Bytes for an encrypted source:
	// incremental updates of encrypted documents are not supported.
	ErrEncrypted = errors.New("pdf: encrypted PDFs are not supported")
	// ErrNotFound reports a missing object, key, page or form field.
	ErrNotFound = errors.New("pdf: not found")
	// ErrType reports an object of an unexpected type (e.g. a number where
	// a dictionary was required).
	ErrType = errors.New("pdf: wrong object type")
	// ErrCycle reports a reference cycle (Resolve, /Prev chain, page tree,
	// field tree, /Parent chain).
	ErrCycle = errors.New("pdf: reference cycle")
)

// UnsupportedFilterError is returned by Stream.Decode for a stream filter
// that this package does not decode (DCTDecode, LZWDecode, JBIG2Decode, …).
type UnsupportedFilterError struct {
	Filter Name
}

// Error implements error.
func (e *UnsupportedFilterError) Error() string {
	return fmt.Sprintf("pdf: unsupported stream filter /%s", string(e.Filter))
}

// errAt formats an error located at a file offset, wrapping sentinel.
func errAt(sentinel error, off int64, format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", sentinel, off, fmt.Sprintf(format, args...))
}
