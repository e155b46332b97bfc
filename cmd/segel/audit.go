package main

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/segel-id/segel/internal/auditcp"
	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/internal/store"
)

const auditUsage = `usage: segel audit verify [--dry-run] [--grace 1m] [--checkpoints FILE] [--config segel.yaml | --dev [--data DIR]]

verify checks the hash chain of the audit log: every entry must hash to
the value it carries and carry its predecessor's hash, so an entry that
was changed, removed or inserted afterwards breaks the chain there.
With an audit key (audit.key_file; --dev: DATA/audit.key) it also checks
the MAC of the chain head under the key, so that a chain rewritten by
someone who can write the database (an edit rehashed, the end removed
and the head moved back, the log truncated and reset) fails too. Without
one it says that the chain is not keyed.

With --checkpoints FILE (the service's audit.checkpoint_file) it checks
each checkpoint there, MAC'd under the audit key or signed by
audit.checkpoint_key, and that the chain still holds the entry each names
with its hash, in the same chain: a chain truncated, or reset and keyed
anew, by someone who holds the audit key fails against an older
checkpoint.

It then cross-checks the register against the audit log: a register
record without its "ok" audit entry, or a stored file without a record,
is what a crash left half-recorded (such a signature was never handed
out). They are listed and removed, each noted in the audit log
(operation "reconcile"); with --dry-run they are only listed. The partial
files a crash left in the blob directory are removed too. Only what is
older than --grace (a minute) counts, so a running service is not
disturbed; --grace 0 when no segel serve uses the store.

Exit status: 0 when the chain is whole, 1 when it is broken (the first
broken entry is named), 3 when the store cannot be read or the arguments
or configuration are wrong.
`

// runAudit runs "segel audit ARGS".
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, auditUsage)
		return exitOK
	case "verify":
		broken, err := auditVerify(ctx, rest, stdout, stderr)
		if err != nil {
			code := adminExit(err, stderr, "run 'segel audit help'")
			if code == exitFailure {
				code = exitUsage // could not check: not the same as broken
			}
			return code
		}
		if broken {
			return exitFailure
		}
		return exitOK
	default:
		return adminExit(usagef("unknown command %q (verify)", "audit "+cmd), stderr, "run 'segel audit help'")
	}
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) (broken bool, err error) {
	fs := newAdminFlags("audit verify", stderr)
	sf := addStoreFlags(fs)
	dryRun := fs.Bool("dry-run", false, "list orphans without removing them")
	grace := fs.Duration("grace", reconcileGrace, "how old an orphan must be to count: younger ones may be a replica's request in flight (0 when no segel serve is running)")
	cpFile := fs.String("checkpoints", "", "a file of audit checkpoints (audit.checkpoint_file) to check the chain against")
	fs.Usage = func() { fmt.Fprint(stderr, auditUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return false, err
	}
	if len(pos) != 0 {
		return false, usagef("audit verify takes no arguments")
	}
	st, _, err := sf.open(ctx, fs)
	if err != nil {
		return false, err
	}
	defer st.Close()
	check, err := st.VerifyAudit(ctx)
	if err != nil {
		return false, err
	}
	if check.FirstBroken != 0 {
		fmt.Fprintf(stdout, "audit log BROKEN at entry %d: %s (%d entries checked)\n", check.FirstBroken, check.Reason, check.Entries)
		return true, nil
	}
	fmt.Fprintf(stdout, "audit log whole: %d entries, hash chain intact\n", check.Entries)
	switch {
	case check.Keyed:
		fmt.Fprintf(stdout, "audit chain keyed (chain %s, from entry %d): the head's MAC verifies under the audit key\n",
			check.ChainID, check.KeyedFrom)
	case check.ChainID != "":
		fmt.Fprintf(stdout, "audit chain keyed (chain %s) but no audit key given (audit.key_file): only the hash chain was checked, "+
			"which whoever can write the database can rewrite\n", check.ChainID)
	default:
		fmt.Fprintln(stdout, "audit chain not keyed (no audit.key_file): only the hash chain was checked, "+
			"which whoever can write the database can rewrite")
	}
	if *cpFile != "" {
		n, err := verifyCheckpoints(ctx, sf, st, *cpFile)
		if err != nil {
			var fe *auditcp.FileError
			if !errors.As(err, &fe) {
				return false, err
			}
			fmt.Fprintf(stdout, "audit log BROKEN against %s: %v (%d checkpoints before it hold)\n", *cpFile, err, n)
			return true, nil
		}
		fmt.Fprintf(stdout, "audit checkpoints hold: the chain contains all %d checkpoints of %s\n", n, *cpFile)
	}
	if *grace < 0 {
		return false, usagef("--grace %v: a duration of at least 0", *grace)
	}
	o, err := st.Reconcile(ctx, time.Now().Add(-*grace), !*dryRun)
	if err != nil {
		return false, err
	}
	verb := "removed"
	if *dryRun {
		verb = "found (not removed: --dry-run)"
	}
	for _, id := range o.Records {
		fmt.Fprintf(stdout, "orphan %s: register record %s without its ok audit entry\n", verb, id)
	}
	for _, id := range o.Blobs {
		fmt.Fprintf(stdout, "orphan %s: stored file %s without a register record\n", verb, id)
	}
	for _, name := range o.Partial {
		fmt.Fprintf(stdout, "partial file %s: %s, left in the blob directory by a write a crash cut short\n", verb, name)
	}
	if len(o.Records)+len(o.Blobs) == 0 {
		fmt.Fprintln(stdout, "register and audit log agree: every document has its ok entry")
	}
	return false, nil
}

// verifyCheckpoints checks the store's chain against the checkpoint file,
// with the audit key and the checkpoint key of the configuration (--dev:
// DATA/audit.key, no checkpoint key).
func verifyCheckpoints(ctx context.Context, sf *storeFlags, st store.Store, path string) (int, error) {
	var key []byte
	var pub crypto.PublicKey
	var err error
	if *sf.dev {
		if _, serr := os.Stat(devmode.AuditKeyPath(*sf.data)); serr == nil {
			if key, err = config.ReadAuditKey(devmode.AuditKeyPath(*sf.data)); err != nil {
				return 0, err
			}
		}
	} else {
		cfg, err := config.Load(*sf.config)
		if err != nil {
			return 0, configError{err}
		}
		if key, err = cfg.AuditKey(); err != nil {
			return 0, configError{err}
		}
		if pub, err = checkpointPublicKey(ctx, cfg); err != nil {
			return 0, configError{err}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, usagef("--checkpoints: %v", err)
	}
	defer f.Close()
	return auditcp.VerifyFile(ctx, st, f, key, pub)
}
