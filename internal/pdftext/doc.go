// Package pdftext extracts the characters a PDF page shows, with their
// positions, from the page's content streams: enough to find a tag such
// as "${ttd}" that a letter template leaves where a signature stamp goes.
//
// It interprets the text and graphics state operators (BT/ET, Tf, Tc, Tw,
// Tz, TL, Ts, Td, TD, Tm, T*, ', ", Tj, TJ, cm, q/Q) and form XObjects
// (Do), and decodes the fonts that office suites, ghostscript and cairo
// write: simple fonts with a standard encoding and /Differences, and
// Type0 fonts (Identity-H) with a /ToUnicode CMap. It is not a general
// text extractor: it does not order text into lines or words, and
// positions are estimates from the font size.
//
// Every loop is bounded (see the limits in extract.go) and malformed
// content is skipped, never a panic.
package pdftext
