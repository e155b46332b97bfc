package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/segel-id/segel/internal/config"
	segelservice "github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/store"
)

const sealUsage = `usage: segel seal activate NAME [--config segel.yaml] [--replace] [--qr=false]
       segel seal reset NAME [--config segel.yaml]

activate activates the seal profile NAME (a profile with seal: true): its
first activation, or the one after a revocation or a reset. It prints the
new secret for the seal's custodian's authenticator app on standard
output, as an otpauth:// URI, the base32 secret and a QR code (--qr=false
leaves it out); show it to the custodian only, and do not redirect it to a
file or a log. The activation is an audit entry (seal-activate, without
the secret). An active seal is activated again only with --replace (its
earlier secret and seal codes die). Over the API, a seal's activation is
the operator's unless its profile has api_activation: true; a revoked seal
is always activated here.

reset removes the activation of the seal profile NAME and its seal codes,
for when its custodian can no longer give a code of the authenticator app
(a lost phone, a replaced totp.key_file). Until it is activated again
(segel seal activate, or with api_activation the next POST
/api/v2/seal/get/activation) the seal signs nothing. The reset is an audit
entry (seal-reset). Over the API, an active seal is refreshed or revoked
only with a valid code.

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
	case "activate":
		err = sealActivate(ctx, rest, stdout, stderr)
	case "reset":
		err = sealReset(ctx, rest, stderr)
	default:
		err = usagef("unknown command %q (activate, reset)", "seal "+cmd)
	}
	return adminExit(err, stderr, "run 'segel seal help' for the commands and flags")
}

// sealActivate is "segel seal activate NAME": the operator activates a
// seal and shows its secret to the custodian on the terminal.
func sealActivate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newAdminFlags("seal activate", stderr)
	cfgPath := fs.String("config", "segel.yaml", "the configuration of the service whose seal to activate")
	replace := fs.Bool("replace", false, "activate the seal even if it is active (its earlier secret and seal codes die)")
	qr := fs.Bool("qr", true, "print a QR code of the otpauth:// URI for the authenticator app")
	fs.Usage = func() { fmt.Fprint(stderr, sealUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("seal activate needs one NAME, got %d arguments", len(pos))
	}
	name := pos[0]
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return configError{err}
	}
	p := cfg.Profile(name)
	if p == nil || !p.Seal {
		return usagef("%q is not a seal profile of %s (one with seal: true)", name, *cfgPath)
	}
	kek, err := cfg.TOTPKey()
	if err != nil {
		return configError{err}
	}
	defer clear(kek)
	st, err := openConfigStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	act, err := segelservice.ActivateSealOperator(ctx, &segelservice.SealOperatorActivation{
		Store: st, Key: kek, Profile: name, IDSubscriber: p.IDSubscriber, Operator: operatorName(), Replace: *replace})
	if errors.Is(err, segelservice.ErrSealActive) {
		return fmt.Errorf("seal %q: %w; use --replace to give it a new secret, or segel seal reset", name, err)
	}
	if err != nil {
		return err
	}
	// The secret goes to the terminal of the operator, for the custodian:
	// standard output only, never a log.
	fmt.Fprintf(stdout, "Seal %s (idSubscriber %s) is activated. Give this to its custodian only, once:\n\n", name, p.IDSubscriber)
	if *qr {
		if code, err := qrcode.New(act.URI, qrcode.Medium); err == nil {
			fmt.Fprintln(stdout, code.ToSmallString(false))
		}
	}
	fmt.Fprintf(stdout, "otpauth: %s\nsecret:  %s\n", act.URI, act.Secret)
	fmt.Fprintf(stderr, "segel: seal %q is activated (audit entry seal-activate); its earlier seal codes are void.\n", name)
	return nil
}

// openConfigStore opens the store of cfg, with its audit key.
func openConfigStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	key, err := cfg.AuditKey()
	if err != nil {
		return nil, configError{err}
	}
	return store.Open(ctx, cfg.Store.DSN(), &store.Options{BlobDir: cfg.Store.BlobDir, AuditKey: key})
}

// operatorName names the operator in the audit log: "operator:<user>".
func operatorName() string {
	if u, err := user.Current(); err == nil {
		return "operator:" + u.Username
	}
	return "operator"
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
	st, err := openConfigStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := segelservice.ResetSeal(ctx, st, name, operatorName()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "segel: the activation of seal %q is removed; activate it again with segel seal activate %s.\n", name, name)
	return nil
}
