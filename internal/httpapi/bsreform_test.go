package httpapi_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/verify"
)

// TestBSrEV1FormStreamed: a v1 form is read as a stream, in any order:
// fields after the file and "nik" in the query sign as before, with the
// temporary directory full (a letter in memory needs none, as on /v1);
// too many fields, or one too long, are 400 in BSrE's shape, not read
// into memory without end.
func TestBSrEV1FormStreamed(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	dir := fullTempDir(t)
	e := newEnv(t, tok, func(o *httpapi.Options) {
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
		o.TempDir = dir
		for _, p := range o.Profiles {
			if p.Name == "camat" {
				p.NIK = "3604012345670001"
			}
		}
	})
	post := func(query string, build func(mw *multipart.Writer)) (*http.Response, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		build(mw)
		mw.Close()
		req, _ := http.NewRequest("POST", e.url+"/api/sign/pdf"+query, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth("esign", "rahasia-basic")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(resp)
	}
	resp, signed := post("?nik=3604012345670001", func(mw *multipart.Writer) {
		fw, _ := mw.CreateFormFile("file", "surat.pdf")
		fw.Write(e.letter)
		mw.WriteField("passphrase", "rahasia-camat")
		mw.WriteField("tampilan", "invisible")
	})
	if resp.StatusCode != 200 || !bytes.HasPrefix(signed, []byte("%PDF")) {
		t.Fatalf("fields after the file, nik in the query: %d %.300s", resp.StatusCode, signed)
	}
	if rep := e.verifyReport(signed); rep.Indication != verify.TotalPassed || rep.Signatures[0].Signer.CommonName != "Camat Cikande" {
		t.Fatalf("signed: %s", rep.Indication)
	}
	// The specimen image, after the file, is drawn (an image XObject the
	// same stamp without it does not have).
	visible := func(image bool) []byte {
		resp, signed := post("", func(mw *multipart.Writer) {
			fw, _ := mw.CreateFormFile("file", "surat.pdf")
			fw.Write(e.letter)
			for k, v := range map[string]string{"nik": "3604012345670001", "passphrase": "rahasia-camat", "tampilan": "visible",
				"page": "1", "xAxis": "330", "yAxis": "60", "width": "200", "height": "80", "image": strconv.FormatBool(image)} {
				mw.WriteField(k, v)
			}
			if image {
				fw, _ = mw.CreateFormFile("imageTTD", "ttd.png")
				fw.Write(specimenPNG(t))
			}
		})
		if resp.StatusCode != 200 {
			t.Fatalf("visible, image %v: %d %.300s", image, resp.StatusCode, signed)
		}
		return signed
	}
	if with, without := bytes.Count(visible(true), []byte("/Image")), bytes.Count(visible(false), []byte("/Image")); with <= without {
		t.Errorf("the specimen image is not drawn: %d image references with it, %d without", with, without)
	}
	resp, b := post("", func(mw *multipart.Writer) {
		for range 100 {
			mw.WriteField("x", "y")
		}
		fw, _ := mw.CreateFormFile("file", "surat.pdf")
		fw.Write(e.letter)
	})
	if resp.StatusCode != 400 || decodeBSrE(t, b).StatusCode == 0 {
		t.Errorf("100 fields: %d %s", resp.StatusCode, b)
	}
	resp, b = post("", func(mw *multipart.Writer) {
		mw.WriteField("text", strings.Repeat("a", 64<<10))
		fw, _ := mw.CreateFormFile("file", "surat.pdf")
		fw.Write(e.letter)
	})
	if resp.StatusCode != 400 || decodeBSrE(t, b).StatusCode == 0 {
		t.Errorf("a 64 KiB field: %d %s", resp.StatusCode, b)
	}
	resp, b = post("", func(mw *multipart.Writer) {
		mw.WriteField("nik", "3604012345670001")
	})
	if resp.StatusCode != 400 || !strings.Contains(string(b), "Dokumen (file)") {
		t.Errorf("no file: %d %s", resp.StatusCode, b)
	}
}

// specimenPNG is a small made-up signature specimen.
func specimenPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, x/2, color.Black)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
