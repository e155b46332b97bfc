// Package pdfgen writes small A4 PDF documents: text in Segel's embedded
// font (DejaVu Sans, subset, with a /ToUnicode CMap so that the text
// extracts), lines and rectangles, simple word wrapping, several pages.
// It is just what the register's printable lembar disposisi and the sample
// draft letters need (register/lembar.go, internal/pdfgen/letters), not a
// layout engine.
//
// Coordinates are in points from the top left corner of the page, y
// downwards, as one lays out a form; a text's y is its baseline. The
// output is deterministic: the same calls give the same bytes.
package pdfgen
