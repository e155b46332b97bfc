package register

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
)

// TestLembarPDF: the lembar disposisi of a letter disposed twice (once by
// a Plh) is a PDF that qpdf accepts and whose text shows the letter's
// fields and both dispositions; the passing to the head is not on it.
func TestLembarPDF(t *testing.T) {
	pdftotext := testenv.Tool(t, "pdftotext")
	qpdf := testenv.Tool(t, "qpdf")
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	ctx := context.Background()
	now := ta.now()
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO delegations (position_id, user_id, kind, starts, ends, created_at)
		VALUES ($1, $2, 'plh', $3, $4, $3)`, ta.Pos["kabid"].ID, ta.Users["kasi"].ID,
		FormatTime(now.Add(-time.Hour)), FormatTime(now.Add(24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	id := register(t, ta.login("tu"), "Undangan rapat koordinasi perizinan", "segera")
	dispose(t, ta.login("kadis"), id, rowTo(t, ta, id, "kadis"), []int64{ta.Pos["kabid"].ID}, []string{"Tindak lanjuti", "Koordinasikan"}, "2026-03-06")
	dispose(t, ta.login("kasi"), id, rowTo(t, ta, id, "kabid"), []int64{ta.Pos["staf"].ID}, []string{"Siapkan jawaban"}, "")

	r := ta.login("kabid").get(fmt.Sprintf("/surat/%d/lembar.pdf", id))
	if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("lembar.pdf: %d %s\n%.300s", r.Code, r.Header.Get("Content-Type"), r.Body)
	}
	path := filepath.Join(t.TempDir(), "lembar.pdf")
	if err := os.WriteFile(path, []byte(r.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"LEMBAR DISPOSISI", "Serang", "Dinas Penanaman Modal dan PTSP",
		"Dinas Kesehatan Provinsi Banten", "440/123/Dinkes/II/2026", "Undangan rapat koordinasi perizinan",
		"1/2026", "005", "Budi Kadis", "Kabul Kabid", "Sri Staf", "Plh.", "Mohon segera ditindaklanjuti."} {
		if !strings.Contains(text, want) {
			t.Errorf("the lembar lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(text, "Tuti Agenda") {
		t.Error("the passing to the head (by the clerk) is on the lembar as a disposition")
	}
	// Each sheet served is counted once on the trail (the dashboard's
	// paper not printed); a viewer's Range requests are not.
	if n := count(t, ta, `SELECT COUNT(*) FROM events WHERE letter_id = $1 AND action = $2`, id, lembarViewAction); n != 1 {
		t.Errorf("%d lembar events after one view, want 1", n)
	}
	kabid := ta.login("kabid")
	req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+fmt.Sprintf("/surat/%d/lembar.pdf", id), nil)
	req.Header.Set("Range", "bytes=0-99")
	if rr := kabid.do(req); rr.Code != http.StatusPartialContent || len(rr.Body) != 100 {
		t.Errorf("a range of the lembar: %d, %d bytes", rr.Code, len(rr.Body))
	}
	if n := count(t, ta, `SELECT COUNT(*) FROM events WHERE letter_id = $1 AND action = $2`, id, lembarViewAction); n != 1 {
		t.Errorf("%d lembar events after a Range request, want 1", n)
	}
	if r := kabid.get(fmt.Sprintf("/surat/%d", id)); !strings.Contains(r.Body, "membuka lembar disposisi") {
		t.Error("the trail does not show the lembar's opening")
	}
}
