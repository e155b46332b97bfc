package register

import (
	"encoding/csv"
	"io"
	"strings"
)

// utf8BOM starts every CSV the register writes: without it Excel reads
// the file as the machine's ANSI code page and "Perihal: Undangan Rapat
// Koordinasi – Tahap II" comes out garbled.
const utf8BOM = "\uFEFF"

// csvSafe neutralises a cell that a spreadsheet would run as a formula
// (CSV injection, OWASP): a cell starting with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, which Excel and LibreOffice
// show as text. "-" alone stays, so does an empty cell.
func csvSafe(s string) string {
	if s == "" || s == "-" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvSheet writes rows of neutralised cells as CSV (RFC 4180) after the
// UTF-8 byte order mark.
type csvSheet struct {
	w       *csv.Writer
	started bool
	out     io.Writer
}

// newCSVSheet returns a csvSheet on w, separating cells with sep (',' or
// ';', the list separator of an Indonesian-locale Excel).
func newCSVSheet(w io.Writer, sep rune) *csvSheet {
	c := csv.NewWriter(w)
	c.Comma = sep
	c.UseCRLF = true
	return &csvSheet{w: c, out: w}
}

// Row writes one row.
func (c *csvSheet) Row(cells ...string) error {
	if !c.started {
		c.started = true
		if _, err := io.WriteString(c.out, utf8BOM); err != nil {
			return err
		}
	}
	safe := make([]string, len(cells))
	for i, s := range cells {
		safe[i] = csvSafe(strings.ToValidUTF8(s, "\uFFFD"))
	}
	return c.w.Write(safe)
}

// Flush writes what is buffered and reports the first error.
func (c *csvSheet) Flush() error {
	if !c.started {
		if _, err := io.WriteString(c.out, utf8BOM); err != nil {
			return err
		}
		c.started = true
	}
	c.w.Flush()
	return c.w.Error()
}
