package main

import (
	"context"
	"fmt"
	"io"

	"github.com/segel-id/segel/internal/config"
	segelservice "github.com/segel-id/segel/internal/service"
)

const totpUsage = `usage: segel totp remove --profile NAME [--config segel.yaml]

remove deletes the TOTP enrolment of the official of the personal profile
NAME (one with totp: true), for a lost phone, a departed official or a
suspected leak of the secret (docs/decisions.md, "TOTP for officials
(issue 14)"): codes of it sign nothing from then on, and the official
signs with the passphrase, or enrols again with it
(POST /api/v2/sign/get/totp). The removal is audited (totp-remove, and
totp-reset naming the operator); without an enrolment nothing changes.

Exit status: 0 done (or nothing to remove), 1 failed, 3 bad arguments or
configuration.
`

// runTOTP runs "segel totp ARGS".
func runTOTP(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, totpUsage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, totpUsage)
		return exitOK
	case "remove":
		err = totpRemove(ctx, rest, stderr)
	default:
		err = usagef("unknown command %q (remove)", "totp "+cmd)
	}
	return adminExit(err, stderr, "run 'segel totp help' for the commands and flags")
}

func totpRemove(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newAdminFlags("totp remove", stderr)
	cfgPath := fs.String("config", "segel.yaml", "the configuration of the service")
	name := fs.String("profile", "", "the personal profile whose official's enrolment to remove")
	fs.Usage = func() { fmt.Fprint(stderr, totpUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *name == "" {
		return usagef("totp remove needs --profile NAME and no other arguments")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return configError{err}
	}
	p := cfg.Profile(*name)
	if p == nil || !p.Personal || (p.NIK == "" && p.Email == "") {
		return usagef("%q is not a personal profile of %s with a nik or email", *name, *cfgPath)
	}
	st, err := openConfigStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	removed, err := segelservice.RemoveTOTP(ctx, st, p.Name, segelservice.TOTPSubject(p.NIK, p.Email), operatorName())
	if err != nil {
		return err
	}
	if !removed {
		fmt.Fprintf(stderr, "segel: the official of profile %q has no TOTP enrolment; nothing removed.\n", p.Name)
		return nil
	}
	fmt.Fprintf(stderr, "segel: the TOTP enrolment of profile %q is removed; its codes sign nothing.\n", p.Name)
	return nil
}
