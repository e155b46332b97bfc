package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
)

// TestSignVisible signs with a stamp at a rectangle and into an anchor,
// renders the page and reads the QR code back.
func TestSignVisible(t *testing.T) {
	pdftoppm, zbarimg := testenv.Tool(t, "pdftoppm"), testenv.Tool(t, "zbarimg")
	f := newFixture(t, testpki.MustNew(t, testpki.Options{}), testpki.SignerOptions{})
	out := filepath.Join(f.dir, "stamped.pdf")
	res := segel(t, nil, "sign", "--key", f.key, "--visible", "page=1;rect=330,60,560,150",
		"--qr", "https://segel.example/v/abc234", "--line", "Ditandatangani secara elektronik oleh",
		"--line", "Sékretaris Daérah", "--footer", "UU ITE Pasal 5 ayat 1", f.in, out)
	if res.code != 0 {
		t.Fatalf("sign: %d %s", res.code, res.stderr)
	}
	signedData, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkSigned(t, signedData, f.root)
	png := filepath.Join(f.dir, "page")
	if b, err := exec.Command(pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", out, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	matches, _ := filepath.Glob(png + "*.png")
	if len(matches) != 1 {
		t.Fatalf("rendered %v", matches)
	}
	qr, _ := exec.Command(zbarimg, "-q", "--raw", matches[0]).Output()
	if strings.TrimSpace(string(qr)) != "https://segel.example/v/abc234" {
		t.Errorf("QR code reads %q", qr)
	}
	for _, bad := range [][]string{
		{"--visible", "page=1;rect=1,2"},
		{"--qr", "https://x"},
		{"--visible", "anchor=${tidak-ada}"},
	} {
		args := append(append([]string{"sign", "--key", f.key}, bad...), f.in, filepath.Join(f.dir, "x.pdf"))
		if res := segel(t, nil, args...); res.code == 0 || !strings.Contains(res.stderr, "hint:") {
			t.Errorf("%v: exit %d, %s", bad, res.code, res.stderr)
		}
	}
}
