package main

import (
	"context"
	"fmt"
	"io"
)

const auditUsage = `usage: segel audit verify [--config segel.yaml | --dev [--data DIR]]

verify checks the hash chain of the audit log: every entry must hash to
the value it carries and carry its predecessor's hash, so an entry that
was changed, removed or inserted afterwards breaks the chain there.

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
	return false, nil
}
