package citizen_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/citizen"
)

// brandLogo is a small PNG made here.
func brandLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 12, 16))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	img.Set(3, 3, color.NRGBA{0x1b, 0x5e, 0x20, 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBranding: with branding, every page (form, verdict, record, error)
// shows the regency's name and its logo (alt text: the name) in the
// header and the address and website in the footer; the logo route
// answers the PNG's bytes with a year's cache and its ETag; without
// branding the header reads "Segel" and there is no logo.
func TestBranding(t *testing.T) {
	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "")
	logo := brandLogo(t)
	const name = "Pemerintah Kabupaten Serang"
	srv, _ := newPage(t, citizen.Options{Verify: w.verify, Documents: register(good), Branding: citizen.Branding{
		Name: name, ShortName: "Kab. Serang", Logo: logo, LogoType: "image/png",
		Address: "Jl. Veteran No. 1, Serang", Website: "https://serangkab.go.id",
	}})
	imgRE := regexp.MustCompile(`<img class="logo" src="((?:\.\./)*)branding/logo\?v=([0-9a-f]{16})" alt="` + name + `"`)
	pages := map[string]string{}
	_, pages["form"] = get(t, srv.URL+"/verify")
	_, pages["verdict"] = post(t, srv.URL+"/verify", good)
	_, pages["record"] = get(t, srv.URL+"/v/"+idPublic)
	_, pages["compare"] = post(t, srv.URL+"/v/"+idPublic, good)
	_, pages["not found"] = get(t, srv.URL+"/v/"+idUnknown)
	_, pages["english"] = get(t, srv.URL+"/verify?lang=en")
	version := ""
	for kind, html := range pages {
		m := imgRE.FindStringSubmatch(html)
		if m == nil {
			t.Errorf("%s: no logo with the name as alt text in the header", kind)
			continue
		}
		if want := strings.Repeat("../", strings.Count(kind, "record")+strings.Count(kind, "compare")+strings.Count(kind, "not found")); m[1] != want {
			t.Errorf("%s: the logo's path starts %q, want %q", kind, m[1], want)
		}
		version = m[2]
		for _, want := range []string{"· Kab. Serang</title>", `<span aria-hidden="true">` + name + `</span>`,
			"Jl. Veteran No. 1, Serang", `<a href="https://serangkab.go.id" rel="noopener">`} {
			if !strings.Contains(html, want) {
				t.Errorf("%s lacks %s", kind, want)
			}
		}
		if strings.Contains(html, "http://") || strings.Contains(html, "src=\"https://") {
			t.Errorf("%s: an external address is fetched", kind)
		}
	}
	resp, body := get(t, srv.URL+"/branding/logo?v="+version)
	if resp.StatusCode != 200 || body != string(logo) || resp.Header.Get("Content-Type") != "image/png" ||
		resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("logo: %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), len(body))
	}
	if resp, _ := get(t, srv.URL+"/branding/logo", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := post(t, srv.URL+"/branding/logo", good); resp.StatusCode != 405 {
		t.Errorf("POST logo: %d", resp.StatusCode)
	}

	// Without branding: as before.
	bare, _ := newPage(t, citizen.Options{Verify: w.verify})
	_, html := get(t, bare.URL+"/verify")
	if !strings.Contains(html, `">Segel</a>`) || !strings.Contains(html, "· Segel</title>") || strings.Contains(html, "<img") {
		t.Errorf("without branding the header changed")
	}
	if resp, _ := get(t, bare.URL+"/branding/logo"); resp.StatusCode != 404 {
		t.Errorf("logo without branding: %d", resp.StatusCode)
	}
	if _, err := citizen.New(citizen.Options{Verify: w.verify, Branding: citizen.Branding{Name: name, Logo: logo, LogoType: "image/gif"}}); err == nil {
		t.Errorf("a GIF logo type is accepted")
	}
}
