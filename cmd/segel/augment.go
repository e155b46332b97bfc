package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/segel-id/segel/signer"
)

const augmentUsage = `usage: segel augment --level B-LT|B-LTA [--tsa URL]... [--trust PATH]... IN.pdf OUT.pdf

Extends the signatures of IN.pdf to PAdES B-LT or B-LTA without touching
them, and writes OUT.pdf (only when it succeeded). A B-B signature first
gets a document timestamp (its proof of existence); then the validation
data of every signature and timestamp goes into the document security
store; B-LTA ends with a new document timestamp. Run it again on a B-LTA
file to renew the archive.

flags:
`

func runAugment(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("segel augment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, augmentUsage); fs.PrintDefaults() }
	levelName := fs.String("level", "", "B-LT or B-LTA (required)")
	var tsas, trustPaths stringList
	fs.Var(&tsas, "tsa", "RFC 3161 timestamp authority URL (repeatable, tried in order)")
	fs.Var(&trustPaths, "trust", "PEM/DER file or directory of CA certificates: TSA anchors and chain completion (repeatable)")
	noDefault := fs.Bool("no-default-trust", false, "do not use the national bundle")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail(stderr, usagef("%v", err))
	}
	if len(pos) != 2 {
		return fail(stderr, usagef("augment needs IN.pdf and OUT.pdf, got %d arguments", len(pos)))
	}
	level, err := signer.ParseLevel(*levelName)
	if err != nil || (level != signer.LevelLT && level != signer.LevelLTA) {
		return fail(stderr, usagef("--level must be B-LT or B-LTA"))
	}
	pool, err := loadTrust(trustPaths, *noDefault, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	opts := &signer.AugmentOptions{Level: level, Certificates: poolCerts(pool)}
	if len(tsas) > 0 {
		ts, err := newTSAClient(tsas, pool)
		if err != nil {
			return fail(stderr, err)
		}
		opts.Timestamper = ts
	}
	in, err := openInput(pos[0], stdin)
	if err != nil {
		return fail(stderr, usagef("%v", err))
	}
	defer in.Close()
	out, err := createOutput(pos[1], stdout)
	if err != nil {
		return fail(stderr, err)
	}
	defer out.Close()
	res, err := signer.Augment(ctx, in.f, in.size, out, opts)
	if errors.Is(err, signer.ErrOptions) && opts.Timestamper == nil {
		return fail(stderr, usagef("%v: give --tsa URL", err))
	}
	if err != nil {
		return fail(stderr, err)
	}
	if err := out.Commit(); err != nil {
		return fail(stderr, err)
	}
	if pos[1] != "-" {
		fmt.Fprintf(stderr, "augmented %s → %s to %v: %s\n", pos[0], pos[1], level, strings.Join(res.Added, ", "))
	}
	return exitOK
}
