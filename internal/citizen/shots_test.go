package citizen_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/segel-id/segel/internal/testenv"
)

// shotWidths are the screens of the screenshots: a phone (360×800,
// touch) and a desktop (1280×900). Screenshots are of the full page.
var shotWidths = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"360", 360, 800, true},
	{"1280", 1280, 900, false},
}

// shotName is the file name of a kind's screenshot at a width.
func shotName(kind, width string) string { return kind + "-" + width + ".png" }

// docsShots is where `make screenshots` (SEGEL_SCREENSHOTS=update) writes
// the screenshots that docs/verdicts.md shows.
var docsShots = filepath.Join("..", "..", "docs", "screenshots", "citizen")

// verdictShotsDir is where this run writes its screenshots: docs/ with
// SEGEL_SCREENSHOTS=update, $SEGEL_ARTIFACTS/citizen-verdicts, or a
// temporary directory. keep says they are kept (and so made small).
func verdictShotsDir(t *testing.T) (dir string, update, keep bool) {
	t.Helper()
	switch {
	case os.Getenv("SEGEL_SCREENSHOTS") == "update":
		dir, update = docsShots, true
	case os.Getenv("SEGEL_ARTIFACTS") != "":
		dir = filepath.Join(os.Getenv("SEGEL_ARTIFACTS"), "citizen-verdicts")
	default:
		return t.TempDir(), false, false
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, update, true
}

// TestVerdictScreenshots drives every kind of verdictKinds in headless
// Chromium, at 360×800 and 1280×900: it uploads the kind's file through
// the page's form (or opens the page), asserts the verdict's colour, its
// headline and its signature entries in the DOM, that nothing scrolls
// sideways and that the browser reports no script or CSP problem, and
// keeps a full-page screenshot of each. With SEGEL_SCREENSHOTS=update
// (`make screenshots`) they replace docs/screenshots/citizen/*.png.
func TestVerdictScreenshots(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	w := newKindsWorld(t)
	kinds := verdictKinds(t, w)
	files := t.TempDir()
	paths := map[string]string{}
	for _, k := range kinds {
		if k.file == nil {
			continue
		}
		p := filepath.Join(files, k.name+".pdf")
		if err := os.WriteFile(p, k.file, 0o644); err != nil {
			t.Fatal(err)
		}
		paths[k.name] = p
	}
	dir, update, keep := verdictShotsDir(t)

	bctx := startChromium(t, chromium,
		chromedp.Flag("hide-scrollbars", true),
		// A phone in Indonesia: the browser's own words (the file
		// input's) are Indonesian too where Debian's chromium-l10n is
		// installed.
		chromedp.Flag("lang", "id"),
		chromedp.Flag("accept-lang", "id-ID,id"),
		chromedp.Env("LANGUAGE=id"),
	)

	var (
		mu       sync.Mutex
		problems []string
	)
	written := map[string]bool{}
	for _, size := range shotWidths {
		t.Run(size.name, func(t *testing.T) {
			tctx, cancel := chromedp.NewContext(bctx)
			defer cancel()
			var vopts []chromedp.EmulateViewportOption
			if size.mobile {
				vopts = []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}
			}
			if err := chromedp.Do(tctx, chromedp.EmulateViewport(size.width, size.height, vopts...)); err != nil {
				t.Fatal(err)
			}
			chromedp.Listen(tctx, func(ev any) {
				mu.Lock()
				defer mu.Unlock()
				switch ev := ev.(type) {
				case *cdplog.EventEntryAdded:
					e := ev.Entry
					if e.Source == cdplog.EntrySourceSecurity || e.Source == cdplog.EntrySourceJavascript || strings.Contains(e.Text, "Content Security Policy") {
						problems = append(problems, size.name+": "+string(e.Source)+": "+e.Text)
					}
				case *runtime.EventExceptionThrown:
					problems = append(problems, size.name+": exception: "+ev.ExceptionDetails.Text)
				}
			})
			for _, k := range kinds {
				t.Run(k.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(tctx, time.Minute)
					defer cancel()
					run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
						t.Helper()
						if err := chromedp.Do(ctx, actions...); err != nil {
							t.Fatalf("%s: %v", what, err)
						}
					}
					run("opening "+k.path, markOld, chromedp.Navigate(w.page.URL+k.path), chromedp.WaitVisible(chromedp.CSS(`html:not([data-old]) main`)))
					if k.toggle {
						run("the language switch", markOld, chromedp.Click(chromedp.CSS(`a.toggle`)),
							chromedp.WaitVisible(chromedp.CSS(`html[lang=en]:not([data-old]) main`)))
					}
					if p, ok := paths[k.name]; ok {
						run("uploading", chromedp.WaitVisible(chromedp.CSS(`#file`)),
							chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{p}),
							markOld,
							chromedp.Click(chromedp.CSS(`button[type=submit]`)),
							chromedp.WaitVisible(chromedp.CSS(`html:not([data-old]) #headline`)))
					}
					type state struct {
						Class, Colour, Headline, Main string
						Sigs                          []string
						Wide                          bool
					}
					st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`(() => {
						const v = document.getElementById("verdict");
						return {
							Class: v ? Array.from(v.classList).filter(c => c !== "verdict").join(" ") : "",
							Colour: v ? getComputedStyle(v).backgroundColor : "",
							Headline: document.querySelector("main h1").innerText.trim(),
							Main: document.querySelector("main").innerText,
							Sigs: Array.from(document.querySelectorAll("article.sig"), a => Array.from(a.classList).filter(c => c !== "sig").join(" ")),
							Wide: document.documentElement.scrollWidth > window.innerWidth,
						};
					})()`))
					if err != nil {
						t.Fatal(err)
					}
					if st.Class != k.class || !strings.HasPrefix(st.Headline, k.headline) {
						t.Errorf("verdict %q %q, want %q %q...", st.Class, st.Headline, k.class, k.headline)
					}
					// The colour the reader sees, not only the class.
					if got := colourName(st.Colour); k.class != "" && got != map[string]string{"ok": "green", "warn": "yellow", "bad": "red"}[k.class] {
						t.Errorf("the verdict box is %s (%s), want the colour of %q", got, st.Colour, k.class)
					}
					for _, s := range k.shows {
						if !strings.Contains(st.Main, s) {
							t.Errorf("the page does not show %q:\n%s", s, st.Main)
						}
					}
					for _, s := range k.hides {
						if strings.Contains(st.Main, s) {
							t.Errorf("the page shows %q:\n%s", s, st.Main)
						}
					}
					if !slices.Equal(st.Sigs, k.sigs) && (len(st.Sigs) > 0 || len(k.sigs) > 0) {
						t.Errorf("signature entries %v, want %v", st.Sigs, k.sigs)
					}
					if st.Wide {
						t.Error("the page scrolls sideways")
					}

					// The screenshot: the top of the page, no focus ring.
					if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0), true`)); err != nil {
						t.Fatal(err)
					}
					raw, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatalf("screenshot: %v", err)
					}
					if keep {
						if raw, err = shrinkPNG(raw); err != nil {
							t.Fatalf("screenshot: %v", err)
						}
					}
					name := shotName(k.name, size.name)
					if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
						t.Fatal(err)
					}
					mu.Lock()
					written[name] = true
					mu.Unlock()
				})
			}
		})
	}
	emptyDir(t, w.tmp)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the browser reported: %s", p)
	}
	// The docs hold the screenshots of the kinds and nothing else (once
	// all were taken: a run of some of them, -run .../valid, keeps the
	// others).
	if update && !t.Failed() && len(written) == len(kinds)*len(shotWidths) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".png") && !written[e.Name()] {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					t.Fatal(err)
				}
				t.Logf("removed the stale %s", e.Name())
			}
		}
	}
	t.Logf("screenshots in %s", dir)
}

// colourName names the hue of a CSS rgb() colour as a reader would: red,
// yellow, green, or other (grey included).
func colourName(css string) string {
	var r, g, b float64
	if _, err := fmt.Sscanf(css, "rgb(%g, %g, %g)", &r, &g, &b); err != nil {
		return "unreadable"
	}
	hi, lo := max(r, g, b), min(r, g, b)
	if hi-lo < 8 {
		return "other"
	}
	var hue float64
	switch hi {
	case r:
		hue = 60 * (g - b) / (hi - lo)
	case g:
		hue = 60*(b-r)/(hi-lo) + 120
	default:
		hue = 60*(r-g)/(hi-lo) + 240
	}
	if hue < 0 {
		hue += 360
	}
	switch {
	case hue < 20 || hue >= 330:
		return "red"
	case hue >= 30 && hue < 70:
		return "yellow"
	case hue >= 90 && hue < 170:
		return "green"
	}
	return "other"
}

// shotColours is the size of the screenshots' palette.
const shotColours = 32

// shrinkPNG re-encodes a screenshot with a palette of its shotColours
// most frequent colours, each other colour drawn as the nearest of them
// (a page is flat colour and anti-aliased text, so little is lost), at
// the best compression: about a third of Chromium's size, so that the
// committed pictures stay small.
func shrinkPNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decoding the screenshot: %w", err)
	}
	bounds := img.Bounds()
	flat := image.NewRGBA(bounds)
	draw.Draw(flat, bounds, img, bounds.Min, draw.Src)
	rgba := func(x, y int) color.RGBA {
		i := flat.PixOffset(x, y)
		return color.RGBA{flat.Pix[i], flat.Pix[i+1], flat.Pix[i+2], 255} // screenshots are opaque
	}
	counts := map[color.RGBA]int{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			counts[rgba(x, y)]++
		}
	}
	distinct := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		distinct = append(distinct, c)
	}
	slices.SortFunc(distinct, func(a, b color.RGBA) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return int(a.R)<<16 | int(a.G)<<8 | int(a.B) - (int(b.R)<<16 | int(b.G)<<8 | int(b.B))
	})
	pal := make(color.Palette, 0, shotColours)
	for _, c := range distinct[:min(shotColours, len(distinct))] {
		pal = append(pal, c)
	}
	index := make(map[color.RGBA]uint8, len(distinct))
	for _, c := range distinct {
		best, bestD := 0, 1<<62
		for i, p := range pal {
			p := p.(color.RGBA)
			dr, dg, db := int(c.R)-int(p.R), int(c.G)-int(p.G), int(c.B)-int(p.B)
			if d := dr*dr + dg*dg + db*db; d < bestD {
				best, bestD = i, d
				if d == 0 {
					break
				}
			}
		}
		index[c] = uint8(best)
	}
	out := image.NewPaletted(bounds, pal)
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			out.SetColorIndex(x, y, index[rgba(x, y)])
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("encoding the screenshot: %w", err)
	}
	return buf.Bytes(), nil
}
