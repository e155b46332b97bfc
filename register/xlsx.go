package register

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// xlsxWriter streams one worksheet of text, whole numbers and dates as an
// Office Open XML workbook (.xlsx, ECMA-376 / ISO/IEC 29500), row by row,
// so that an agenda book of any length is never held in memory.
//
// It is small on purpose: the buku agenda needs one sheet, a bold header,
// dates and text, and github.com/xuri/excelize/v2 would add some 8 MB and
// 60,000 lines to the binary for that (docs/decisions.md, "Register
// archive"). The tests read its output back with excelize.
//
// Text cells are inline strings (t="inlineStr"): never formulas, so a
// cell starting with "=" is shown as typed and nothing is evaluated.
type xlsxWriter struct {
	zw    *zip.Writer
	sheet *bufio.Writer
	row   int
	err   error
}

// xlsxCell is one cell: a string, an int, or a time.Time (a date). A nil
// cell, an empty string or a zero time is left empty.
type xlsxCell = any

// xlsxMaxText is the most characters Excel keeps in a cell.
const xlsxMaxText = 32767

// Styles of styles.xml: 0 plain, 1 bold (the header), 2 a date.
const (
	xlsxStylePlain = 0
	xlsxStyleBold  = 1
	xlsxStyleDate  = 2
)

// newXLSX starts a workbook on w with one sheet named sheet, its columns
// widths characters wide. Close finishes it.
func newXLSX(w io.Writer, sheet string, widths []float64) (*xlsxWriter, error) {
	x := &xlsxWriter{zw: zip.NewWriter(w)}
	static := []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes},
		{"_rels/.rels", xlsxRootRels},
		{"xl/workbook.xml", fmt.Sprintf(xlsxWorkbook, xmlEscape(xlsxSheetName(sheet)))},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
		{"xl/styles.xml", xlsxStyles},
	}
	for _, f := range static {
		fw, err := x.zw.Create(f.name)
		if err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
	}
	fw, err := x.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	x.sheet = bufio.NewWriter(fw)
	x.put(xml.Header)
	x.put(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	// The header row stays in view while the agenda scrolls.
	x.put(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	if len(widths) > 0 {
		x.put(`<cols>`)
		for i, wd := range widths {
			x.put(fmt.Sprintf(`<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64)))
		}
		x.put(`</cols>`)
	}
	x.put(`<sheetData>`)
	return x, x.err
}

// Header writes a row in bold.
func (x *xlsxWriter) Header(cells ...string) error {
	row := make([]xlsxCell, len(cells))
	for i, c := range cells {
		row[i] = c
	}
	return x.write(row, xlsxStyleBold)
}

// Row writes one row of cells.
func (x *xlsxWriter) Row(cells ...xlsxCell) error { return x.write(cells, xlsxStylePlain) }

func (x *xlsxWriter) write(cells []xlsxCell, style int) error {
	if x.err != nil {
		return x.err
	}
	x.row++
	x.put(fmt.Sprintf(`<row r="%d">`, x.row))
	for i, c := range cells {
		ref := xlsxColumn(i) + strconv.Itoa(x.row)
		s := ""
		if style != xlsxStylePlain {
			s = fmt.Sprintf(` s="%d"`, style)
		}
		switch v := c.(type) {
		case nil:
		case string:
			if v == "" {
				continue
			}
			x.put(fmt.Sprintf(`<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, s, xmlEscape(xlsxClip(v))))
		case int:
			x.put(fmt.Sprintf(`<c r="%s"%s><v>%d</v></c>`, ref, s, v))
		case int64:
			x.put(fmt.Sprintf(`<c r="%s"%s><v>%d</v></c>`, ref, s, v))
		case time.Time:
			if v.IsZero() {
				continue
			}
			x.put(fmt.Sprintf(`<c r="%s" s="%d"><v>%s</v></c>`, ref, xlsxStyleDate, xlsxSerial(v)))
		default:
			x.put(fmt.Sprintf(`<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, s, xmlEscape(xlsxClip(fmt.Sprint(v)))))
		}
	}
	x.put(`</row>`)
	return x.err
}

// Close ends the sheet and the workbook; it does not close the
// underlying writer.
func (x *xlsxWriter) Close() error {
	x.put(`</sheetData></worksheet>`)
	if x.err == nil {
		x.err = x.sheet.Flush()
	}
	if x.err != nil {
		x.zw.Close()
		return fmt.Errorf("xlsx: %w", x.err)
	}
	if err := x.zw.Close(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func (x *xlsxWriter) put(s string) {
	if x.err == nil {
		_, x.err = x.sheet.WriteString(s)
	}
}

// xlsxColumn names the column of index i: 0 → A, 25 → Z, 26 → AA.
func xlsxColumn(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// xlsxSerial is t's date as a spreadsheet serial day number (days since
// 1899-12-30, the 1900 date system as Excel counts it for dates after
// February 1900), with the time of day as a fraction.
func xlsxSerial(t time.Time) string {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := day.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	frac := float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400
	return strconv.FormatFloat(days+frac, 'f', -1, 64)
}

// xlsxClip keeps the first xlsxMaxText characters of s, whole runes.
func xlsxClip(s string) string {
	if utf8.RuneCountInString(s) <= xlsxMaxText {
		return s
	}
	r := []rune(s)
	return string(r[:xlsxMaxText])
}

// xlsxSheetName makes name a valid sheet name: at most 31 characters,
// none of []:*?/\ or a control character, not starting or ending with an
// apostrophe.
func xlsxSheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < 0x20 || r == utf8.RuneError {
			return '-'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	name = strings.Trim(name, "'")
	if name == "" {
		name = "Sheet1"
	}
	return name
}

// xmlEscape escapes s for XML text and attributes; characters XML 1.0
// cannot hold (most control characters) become U+FFFD.
func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

const xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`

const xlsxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`

const xlsxWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>`

const xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

// xlsxStyles: font 0 plain, font 1 bold; cellXfs 0 plain, 1 bold, 2 the
// date format 164 (yyyy-mm-dd, the same in every locale).
const xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
