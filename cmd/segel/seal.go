package main

import (
	"context"
	"fmt"
	"io"
	"os/user"

	"github.com/segel-id/segel/internal/config"
	segelservice "github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/store"
)

const sealUsage = `usage: segel seal reset NAME [--config segel.yaml]

reset removes the activation of the seal profile NAME (a profile with
seal: true) and its seal codes, for when its custodian can no longer give
a code of the authenticator app (a lost phone, a replaced totp.key_file):
the next POST /api/v2/seal/get/activation activates the seal afresh and
answers the new secret once. Until then the seal signs nothing. The reset
is an audit entry (seal-reset). Over the API, an active seal is refreshed
or revoked only with a valid code.

Exit status: 0 done, 1 failed, 3 bad arguments or configuration.
`

// runSeal runs "segel seal ARGS".
func runSeal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, sealUsage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, sealUsage)
		return exitOK
	case "reset":
		err = sealReset(ctx, rest, stderr)
	default:
		err = usagef("unknown command %q (reset)", "seal "+cmd)
	}
	return adminExit(err, stderr, "run 'segel seal help' for the commands and flags")
}

func sealReset(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newAdminFlags("seal reset", stderr)
	cfgPath := fs.String("config", "segel.yaml", "the configuration of the service whose seal to reset")
	fs.Usage = func() { fmt.Fprint(stderr, sealUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("seal reset needs one NAME, got %d arguments", len(pos))
	}
	name := pos[0]
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return configError{err}
	}
	if p := cfg.Profile(name); p == nil || !p.Seal {
		return usagef("%q is not a seal profile of %s (one with seal: true)", name, *cfgPath)
	}
	key, err := cfg.AuditKey()
	if err != nil {
		return configError{err}
	}
	st, err := store.Open(ctx, cfg.Store.DSN(), &store.Options{BlobDir: cfg.Store.BlobDir, AuditKey: key})
	if err != nil {
		return err
	}
	defer st.Close()
	operator := "operator"
	if u, err := user.Current(); err == nil {
		operator = "operator:" + u.Username
	}
	if err := segelservice.ResetSeal(ctx, st, name, operator); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "segel: the activation of seal %q is removed; the next /api/v2/seal/get/activation activates it afresh.\n", name)
	return nil
}
