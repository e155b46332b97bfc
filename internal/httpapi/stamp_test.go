package httpapi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/verify"
)

// TestVisibleStamp: visible= draws the stamp whose QR code opens the
// document's page, /v/{id}, with the id the answer names.
func TestVisibleStamp(t *testing.T) {
	pdftoppm, zbarimg := testenv.Tool(t, "pdftoppm"), testenv.Tool(t, "zbarimg")
	e := newEnv(t, nil, nil)
	resp, signed := e.do("POST", "/v1/sign?profile=sekda&visible=page%3D1%3Brect%3D330%2C60%2C560%2C150&title=Sekretaris%20Daerah&nip=197001012000031001", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d %s", resp.StatusCode, signed)
	}
	id := resp.Header.Get(httpapi.DocumentIDHeader)
	if rep := e.verifyReport(signed); rep.Indication != verify.TotalPassed {
		t.Fatalf("verify: %s", rep.Indication)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "stamped.pdf")
	os.WriteFile(pdf, signed, 0o644)
	if b, err := exec.Command(pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	if len(pngs) != 1 {
		t.Fatalf("rendered %v", pngs)
	}
	qr, _ := exec.Command(zbarimg, "-q", "--raw", pngs[0]).Output()
	if want := e.options.PublicBaseURL + "/v/" + id; strings.TrimSpace(string(qr)) != want {
		t.Errorf("QR code reads %q, want %q", qr, want)
	}
	resp, body := e.do("POST", "/v1/sign?profile=sekda&visible=anchor%3D%24%7Btidak-ada%7D", "eoffice", e.letter, nil)
	wantProblem(t, resp, body, 422, "stamp-placement")
}
