package register

import (
	"bytes"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseMasuk(t *testing.T) {
	isK := func(c string) bool { return c == "000.1" || c == "800" }
	good := url.Values{
		"pengirim": {"  Dinas Kesehatan Provinsi Banten "}, "nomor": {"440/123/Dinkes/2026"},
		"perihal": {"Undangan rapat koordinasi"}, "sifat": {"segera"}, "klasifikasi": {"000.1"},
		"tanggal": {"2026-11-28"}, "diterima": {"2026-12-01"},
	}
	today := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	in, errs := parseMasuk(good, today, isK)
	if errs != nil {
		t.Fatalf("good form refused: %v", errs)
	}
	if in.Sender != "Dinas Kesehatan Provinsi Banten" || in.Sifat != "segera" || !in.LetterDate.Equal(day("2026-11-28")) || !in.ReceivedDate.Equal(day("2026-12-01")) {
		t.Errorf("parsed %+v", in)
	}
	for _, c := range []struct {
		field, value, want string
	}{
		{"pengirim", "", "masuk.err.sender"},
		{"pengirim", strings.Repeat("x", maxSenderLen+1), "masuk.err.sender"},
		{"pengirim", "bad\x00byte", "masuk.err.sender"},
		{"nomor", "  ", "masuk.err.number"},
		{"nomor", "a\nb", "masuk.err.number"},
		{"perihal", "", "masuk.err.subject"},
		{"perihal", "\xff\xfe", "masuk.err.subject"},
		{"sifat", "sangat rahasia", "masuk.err.sifat"},
		{"klasifikasi", "999", "masuk.err.klasifikasi"},
		{"tanggal", "28/11/2026", "masuk.err.date"},
		{"tanggal", "2026-12-03", "masuk.err.future"},
		{"diterima", "2026-11-27", "masuk.err.before"},
		{"diterima", "2026-12-03", "masuk.err.future"},
		{"diterima", "", "masuk.err.date"},
	} {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		v.Set(c.field, c.value)
		in, errs := parseMasuk(v, today, isK)
		if in != nil || errs[c.field] != c.want || len(errs) != 1 {
			t.Errorf("%s=%q: got %v, want only %s", c.field, c.value, errs, c.want)
		}
	}
}

func TestParseDispo(t *testing.T) {
	today := day("2026-12-02")
	v := url.Values{"dari": {"7"}, "kepada": {"12", "11", "12"},
		"instruksi": {"Koordinasikan", "Untuk diketahui", "Koordinasikan"},
		"catatan":   {"Mohon dikoordinasikan dengan Bappeda."}, "batas": {"2026-12-02"}}
	in, errs := parseDispo(v, today)
	if errs != nil {
		t.Fatal(errs)
	}
	if in.From != 7 || len(in.To) != 2 || in.To[0] != 11 || in.To[1] != 12 {
		t.Errorf("recipients %v from %d", in.To, in.From)
	}
	if strings.Join(in.Instructions, "|") != "Untuk diketahui|Koordinasikan" {
		t.Errorf("instructions %q (want the standard order, no repeats)", in.Instructions)
	}
	if !in.Due.Equal(today) {
		t.Errorf("due %v", in.Due)
	}
	for _, c := range []struct {
		field string
		value []string
		want  string
	}{
		{"dari", []string{"x"}, "dispo.err.from"},
		{"kepada", nil, "dispo.err.to"},
		{"kepada", []string{"-3"}, "dispo.err.to"},
		{"instruksi", nil, "dispo.err.instruction"},
		{"instruksi", []string{"Bakar"}, "dispo.err.instruction"},
		{"batas", []string{"2026-12-01"}, "dispo.err.due.past"},
		{"batas", []string{"besok"}, "masuk.err.date"},
		{"catatan", []string{strings.Repeat("é", maxNoteLen+1)}, "dispo.err.note"},
	} {
		w := url.Values{}
		for k, vs := range v {
			w[k] = vs
		}
		w[c.field] = c.value
		in, errs := parseDispo(w, today)
		if in != nil || errs[c.field] != c.want || len(errs) != 1 {
			t.Errorf("%s=%q: got %v, want only %s", c.field, c.value, errs, c.want)
		}
	}
	// No due date is fine.
	w := url.Values{"dari": {"1"}, "kepada": {"2"}, "instruksi": {"Arsipkan"}}
	if in, errs := parseDispo(w, today); errs != nil || !in.Due.IsZero() {
		t.Errorf("without batas: %v %v", in, errs)
	}
}

func TestDispoTree(t *testing.T) {
	now := time.Now()
	today := day("2026-12-10")
	// 1 (delivery to the head) → 2, 3; 2 → 4.
	rows := []*dispo{
		{ID: 1},
		{ID: 2, ParentID: 1, Due: day("2026-12-05")},
		{ID: 3, ParentID: 1, Due: day("2026-12-10")},
		{ID: 4, ParentID: 2},
	}
	roots := dispoTree(rows)
	if len(roots) != 1 || len(roots[0].children) != 2 || len(rows[1].children) != 1 {
		t.Fatalf("tree: %d roots", len(roots))
	}
	if allClosed(roots) || !rows[1].overdue(today) || rows[2].overdue(today) {
		t.Fatalf("fresh tree: closed %v, overdue %v %v", allClosed(roots), rows[1].overdue(today), rows[2].overdue(today))
	}
	if rows[0].open() || !rows[0].forwarded() || !rows[3].open() {
		t.Error("open/forwarded")
	}
	rows[3].DoneAt = now // 4 done: branch 2 closed, no longer overdue
	if rows[1].overdue(today) || !rows[1].closed() || allClosed(roots) {
		t.Error("after 4 is done")
	}
	rows[2].DoneAt = now
	if !allClosed(roots) {
		t.Error("every branch done, the letter is not selesai")
	}
	// The head marking the delivery done does not close a branch below
	// that is still open.
	rows[3].DoneAt, rows[0].DoneAt = time.Time{}, now
	if allClosed(roots) {
		t.Error("open leaf, yet closed")
	}
	if allClosed(nil) {
		t.Error("no rows: closed")
	}
	// A row naming itself as parent does not loop.
	if r := dispoTree([]*dispo{{ID: 9, ParentID: 9}}); len(r) != 1 || r[0].closed() {
		t.Error("self-parent")
	}
	var order []int64
	walk(roots, func(d *dispo, depth int) { order = append(order, d.ID*10+int64(depth)) })
	if len(order) != 4 || order[0] != 10 || order[1] != 21 || order[2] != 42 || order[3] != 31 {
		t.Errorf("walk order %v", order)
	}
}

// regularFiles lists the files under dir, in any directory.
func regularFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSpoolPDF(t *testing.T) {
	dir := t.TempDir()
	scan, err := os.ReadFile("../testdata/pdf/form-2page.pdf")
	if err != nil {
		t.Fatal(err)
	}
	s, err := spoolPDF(dir, bytes.NewReader(scan), DefaultMaxScan)
	if err != nil {
		t.Fatal(err)
	}
	if s.pages != 2 || s.size != int64(len(scan)) || len(s.sha256) != 64 {
		t.Errorf("spooled %+v", s)
	}
	created, err := s.place(dir)
	if err != nil || !created {
		t.Fatalf("place: %v %v", created, err)
	}
	// Another upload of the same bytes finds the file.
	s2, err := spoolPDF(dir, bytes.NewReader(scan), DefaultMaxScan)
	if err != nil {
		t.Fatal(err)
	}
	if created, err := s2.place(dir); err != nil || created {
		t.Fatalf("second place: %v %v", created, err)
	}
	// The first one's transaction failed and removed the file: the
	// second, committed, puts it back.
	os.Remove(filePath(dir, s.sha256))
	s.discard()
	if err := s2.settle(dir); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filePath(dir, s2.sha256))
	if err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("settled file: %v", err)
	}
	if got := regularFiles(t, dir); len(got) != 1 {
		t.Errorf("files left in the directory: %v (temporary files remain)", got)
	}

	for name, c := range map[string]struct {
		data []byte
		max  int64
		want error
	}{
		"empty":     {nil, DefaultMaxScan, errNoFile},
		"too large": {scan, int64(len(scan)) - 1, errTooLarge},
		"not a pdf": {[]byte("GIF89a not a letter"), DefaultMaxScan, errNotPDF},
		"truncated": {scan[:len(scan)/2], DefaultMaxScan, errNotPDF},
		"no pages":  {[]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"), DefaultMaxScan, errNotPDF},
	} {
		d := t.TempDir()
		_, err := spoolPDF(d, bytes.NewReader(c.data), c.max)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		if got := regularFiles(t, d); len(got) != 0 {
			t.Errorf("%s: files left behind: %v", name, got)
		}
	}
	// What a crash left in the spool goes with the next upload.
	old := filepath.Join(dir, spoolDir, "scan-crashed")
	os.WriteFile(old, []byte("half"), 0o600)
	past := time.Now().Add(-2 * staleSpool)
	os.Chtimes(old, past, past)
	s3, err := spoolPDF(dir, bytes.NewReader(scan), DefaultMaxScan)
	if err != nil {
		t.Fatal(err)
	}
	s3.discard()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a stale spool file stays: %v", err)
	}
	if filePath(dir, "../../etc/passwd") != "" || filePath(dir, strings.Repeat("A", 64)) != "" {
		t.Error("filePath accepts a name that is not lower-case hex")
	}
}

// FuzzParseForms: the form parsers never panic, and what they accept
// keeps their promises (bounded, valid text; known sifat; standard
// instructions; recipients sorted without repeats).
func FuzzParseForms(f *testing.F) {
	f.Add("Dinas Kesehatan", "440/1/2026", "Undangan", "segera", "005", "2026-02-26", "2026-03-01", "7", "12", "Arsipkan", "2026-03-02")
	f.Add("", "a\nb", "\xff", "rahasia", "", "0000-00-00", "9999-12-31", "-1", "x", "Bakar", "kemarin")
	f.Fuzz(func(t *testing.T, sender, number, subject, sifat, klas, date, received, from, to, instr, due string) {
		today := day("2026-03-02")
		in, errs := parseMasuk(url.Values{"pengirim": {sender}, "nomor": {number}, "perihal": {subject}, "sifat": {sifat},
			"klasifikasi": {klas}, "tanggal": {date}, "diterima": {received}}, today, func(c string) bool { return c == "005" })
		if (in == nil) == (errs == nil) {
			t.Fatalf("parseMasuk: %v and %v", in, errs)
		}
		if in != nil {
			if !validSifat(in.Sifat) || in.Klasifikasi != "005" || in.ReceivedDate.After(today) || in.ReceivedDate.Before(in.LetterDate) {
				t.Fatalf("accepted %+v", in)
			}
			for _, s := range []string{in.Sender, in.SenderNumber, in.Subject} {
				if s == "" || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
					t.Fatalf("accepted text %q", s)
				}
			}
		}
		d, derrs := parseDispo(url.Values{"dari": {from}, "kepada": {to, to}, "instruksi": {instr}, "batas": {due}}, today)
		if (d == nil) == (derrs == nil) {
			t.Fatalf("parseDispo: %v and %v", d, derrs)
		}
		if d != nil {
			if d.From <= 0 || len(d.To) != 1 || d.To[0] <= 0 || len(d.Instructions) != 1 || !slices.Contains(LembarInstructions, d.Instructions[0]) ||
				(!d.Due.IsZero() && d.Due.Before(today)) {
				t.Fatalf("accepted %+v", d)
			}
		}
	})
}
