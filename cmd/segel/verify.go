package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

const verifyUsage = `usage: segel verify [flags] IN.pdf

Verifies every signature and document timestamp of IN.pdf ('-': stdin) and
reports, in Indonesian or English (--lang, else $LANG), or as JSON (--json).
Trusts the national bundle (Root CA Indonesia DS G1) and every --trust.

exit codes: 0 every signature TOTAL_PASSED; 1 a signature TOTAL_FAILED or no
signature; 2 the worst is INDETERMINATE; 3 the input is not a PDF at all
(a damaged PDF is repaired and reported) or the arguments are wrong.

flags:
`

func runVerify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("segel verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage); fs.PrintDefaults() }
	var trustPaths stringList
	fs.Var(&trustPaths, "trust", "PEM/DER certificate file or directory of trust anchors (repeatable)")
	noDefault := fs.Bool("no-default-trust", false, "do not trust the national bundle")
	offline := fs.Bool("offline", false, "use only the validation data in the document; fetch nothing")
	at := fs.String("at", "", "validate as of this time (RFC 3339 or YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	lang := fs.String("lang", "", "language of the text report: id or en (default from $LANG)")
	tz := fs.String("timezone", "", "zone of the text report's times: WIB, WITA, WIT or an IANA name of one (default $SEGEL_TIMEZONE, else WIB; --json stays UTC)")
	govOnly := fs.Bool("government-only", false, "accept only signers certified by BSrE (BSRE CA DS G1), not other CAs under the national root")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail(stderr, usagef("%v", err))
	}
	if len(pos) != 1 {
		return fail(stderr, usagef("verify needs one IN.pdf, got %d arguments", len(pos)))
	}
	opts := &verify.Options{Offline: *offline}
	if *at != "" {
		if opts.Time, err = parseTime(*at); err != nil {
			return fail(stderr, usagef("--at: %v", err))
		}
	}
	l := pickLang(*lang)
	if l == "" {
		return fail(stderr, usagef("--lang %q: want id or en", *lang))
	}
	loc, err := reportZone(*tz)
	if err != nil {
		return fail(stderr, usagef("--timezone: %v", err))
	}

	pool, err := loadTrust(trustPaths, *noDefault, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	opts.Trust = pool
	if *govOnly {
		national, err := trust.National()
		if err != nil {
			return fail(stderr, err)
		}
		opts.IssuedBy = national.Intermediates()
	}

	in, err := openInput(pos[0], stdin)
	if err != nil {
		return fail(stderr, usagef("%v", err))
	}
	defer in.Close()
	rep, err := verify.Verify(ctx, in.f, in.size, opts)
	if err != nil {
		if errors.Is(err, verify.ErrNotPDF) {
			fmt.Fprintf(stderr, "segel: %s: %v\n", pos[0], err)
			return exitUsage
		}
		return fail(stderr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail(stderr, err)
		}
	} else {
		writeReportIn(stdout, rep, l, loc)
	}
	switch rep.Indication {
	case verify.TotalPassed:
		return exitOK
	case verify.Indeterminate:
		return exitIndeterminate
	}
	return exitFailure
}

// exitIndeterminate is verify's exit code when the worst signature is
// INDETERMINATE.
const exitIndeterminate = 2

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (use RFC 3339, e.g. 2026-01-31T10:00:00+07:00)", s)
}

// pickLang returns "id" or "en" from the flag or $LANG; "" for a flag
// value that is neither.
func pickLang(flagValue string) string {
	switch strings.ToLower(flagValue) {
	case "id", "in", "ind":
		return "id"
	case "en", "eng":
		return "en"
	case "":
		if strings.HasPrefix(strings.ToLower(os.Getenv("LANG")), "en") {
			return "en"
		}
		return "id"
	}
	return ""
}
