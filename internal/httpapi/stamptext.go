package httpapi

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a stamp's text given per request (/v1/sign line= and footer=,
// the BSrE API's text and footer): the stamp shrinks its type to fit, and
// these keep a request from asking for a page of text.
const (
	maxStampLines      = 8
	maxStampLineBytes  = 200
	maxStampFooterByte = 500
)

// stampLines checks the lines of a stamp given in a request. Lines are
// trimmed; empty ones are kept (a blank line between blocks).
func stampLines(lines []string) ([]string, error) {
	if len(lines) > maxStampLines {
		return nil, fmt.Errorf("at most %d lines", maxStampLines)
	}
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if err := stampText(l, maxStampLineBytes); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// stampFooter checks a footer given in a request.
func stampFooter(f string) (string, error) {
	f = strings.TrimSpace(f)
	if err := stampText(f, maxStampFooterByte); err != nil {
		return "", fmt.Errorf("footer: %w", err)
	}
	return f, nil
}

// stampText checks one text of the stamp: valid UTF-8 without control
// characters, at most max bytes.
func stampText(s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("longer than %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("not UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("holds a control character")
		}
	}
	return nil
}

// bsreTextLines splits the BSrE API's text of a stamp into lines: at new
// lines, or at a literal "\n" as some clients send it in form fields.
func bsreTextLines(text string) []string {
	text = strings.ReplaceAll(text, `\n`, "\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.Trim(text, "\n"), "\n")
}
