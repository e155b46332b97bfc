package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
)

const clientsUsage = `usage: segel clients add NAME --profiles P,... [--operations sign,verify,augment] [STORE]
       segel clients list [STORE]
       segel clients disable|enable|remove|rotate NAME [STORE]

STORE is --config segel.yaml (the default) or --dev [--data DIR] (the store
of 'segel serve --dev', default ./segel-dev).

add creates the API client NAME, allowed the operations (default sign,
verify and augment; "operator" also lets it read every client's register
records at GET /v1/documents/{id}, not only its own) on the profiles, and
prints its new API key once on stdout: Segel
keeps only the key's SHA-256, so a lost key cannot be shown again (add
another client). Clients send it as 'Authorization: Bearer KEY'.

list shows the clients, their profiles and operations (never keys).

disable refuses the client's key (enable accepts it again); remove deletes
the client; rotate gives it a new key, printed once on stdout, and refuses
the old one. A running service remembers a known key for
limits.api_key_cache (10s by default), so the old key is refused at most
that long after the change, on every replica. Each change is an audit
entry (client-disable, client-enable, client-remove, client-rotate).

Exit status: 0 done, 1 failed (such as a name already taken), 3 bad
arguments or configuration.
`

var clientNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// operations a client may be allowed.
var operations = []string{"sign", "verify", "augment", httpapi.OperatorScope}

// defaultOperations are what a client may do unless told: not operator,
// which reads every client's register records.
var defaultOperations = []string{"sign", "verify", "augment"}

// storeFlags are the flags that name a store: --config, or --dev --data.
type storeFlags struct {
	config *string
	dev    *bool
	data   *string
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	return &storeFlags{
		config: fs.String("config", "segel.yaml", "the configuration of the service whose store to use"),
		dev:    fs.Bool("dev", false, "use the store of 'segel serve --dev'"),
		data:   fs.String("data", "segel-dev", "the data directory of --dev"),
	}
}

// open opens the store the flags name and returns the names of the
// profiles that service has.
func (f *storeFlags) open(ctx context.Context, fs *flag.FlagSet) (store.Store, []string, error) {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if *f.dev && given["config"] {
		return nil, nil, usagef("--dev and --config exclude each other")
	}
	if !*f.dev && given["data"] {
		return nil, nil, usagef("--data is the data directory of --dev; give --dev too")
	}
	if *f.dev {
		path := devmode.StorePath(*f.data)
		if _, err := os.Stat(path); err != nil {
			return nil, nil, usagef("%s: no development service there (start it once with 'segel serve --dev --data %s')", path, *f.data)
		}
		// The key 'segel serve --dev' made; none in a directory from
		// before it did (its chain is keyed at the next start).
		var key []byte
		if _, err := os.Stat(devmode.AuditKeyPath(*f.data)); err == nil {
			if key, err = config.ReadAuditKey(devmode.AuditKeyPath(*f.data)); err != nil {
				return nil, nil, err
			}
		}
		st, err := store.Open(ctx, path, &store.Options{AuditKey: key})
		if err != nil {
			return nil, nil, err
		}
		return st, devmode.Profiles, nil
	}
	cfg, err := config.Load(*f.config)
	if err != nil {
		return nil, nil, configError{err}
	}
	key, err := cfg.AuditKey()
	if err != nil {
		return nil, nil, configError{err}
	}
	st, err := store.Open(ctx, cfg.Store.DSN(), &store.Options{BlobDir: cfg.Store.BlobDir, AuditKey: key})
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, p := range cfg.Profiles {
		names = append(names, p.Name)
	}
	return st, names, nil
}

// configError is a configuration that cannot be used (exit 3).
type configError struct{ err error }

func (e configError) Error() string { return "the configuration is wrong:\n" + indent(e.err.Error()) }
func (e configError) Unwrap() error { return e.err }

// runClients runs "segel clients ARGS".
func runClients(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, clientsUsage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, clientsUsage)
		return exitOK
	case "add":
		err = clientsAdd(ctx, rest, stdout, stderr)
	case "list":
		err = clientsList(ctx, rest, stdout, stderr)
	case "disable", "enable", "remove", "rotate":
		err = clientsChange(ctx, cmd, rest, stdout, stderr)
	default:
		err = usagef("unknown command %q (add, list, disable, enable, remove or rotate)", "clients "+cmd)
	}
	return adminExit(err, stderr, "run 'segel clients help' for the commands and flags")
}

// adminExit prints err and returns the exit code of an admin command.
func adminExit(err error, stderr io.Writer, help string) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "segel: %v\n", err)
	var ue usageError
	var ce configError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "hint: %s\n", help)
		return exitUsage
	case errors.As(err, &ce):
		return exitUsage
	}
	return exitFailure
}

func newAdminFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("segel "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func clientsAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newAdminFlags("clients add", stderr)
	profilesFlag := fs.String("profiles", "", "comma-separated profiles the client may use (required)")
	opsFlag := fs.String("operations", strings.Join(defaultOperations, ","), "comma-separated operations the client may perform ("+strings.Join(operations, ", ")+")")
	sf := addStoreFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, clientsUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("clients add needs one NAME, got %d arguments", len(pos))
	}
	name := pos[0]
	if !clientNameRE.MatchString(name) {
		return usagef("client name %q: use letters, digits, '.', '-' and '_' (at most 63)", name)
	}
	profiles := splitList(*profilesFlag)
	if len(profiles) == 0 {
		return usagef("--profiles is required: the profiles the client may use")
	}
	ops := splitList(*opsFlag)
	for _, op := range ops {
		if !slices.Contains(operations, op) {
			return usagef("--operations: %q is not one of %s", op, strings.Join(operations, ", "))
		}
	}
	if len(ops) == 0 {
		return usagef("--operations is empty")
	}
	st, known, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, p := range profiles {
		if !slices.Contains(known, p) {
			return usagef("--profiles: the service has no profile %q (it has: %s)", p, strings.Join(known, ", "))
		}
	}
	key, hash := httpapi.NewAPIKey()
	err = st.PutClient(ctx, &store.Client{Name: name, KeyHash: hash, Profiles: profiles, Operations: ops, Created: time.Now().UTC()})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("a client named %q exists already; choose another name", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	fmt.Fprintf(stderr, "segel: client %q added: %s on %s.\nThe API key above is shown only this once; Segel keeps only its SHA-256.\n",
		name, strings.Join(ops, ", "), strings.Join(profiles, ", "))
	return nil
}

func clientsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newAdminFlags("clients list", stderr)
	sf := addStoreFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, clientsUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("clients list takes no arguments")
	}
	st, _, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	clients, err := st.Clients(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPROFILES\tOPERATIONS\tCREATED\tSTATE")
	for _, c := range clients {
		created := ""
		if !c.Created.IsZero() {
			created = c.Created.UTC().Format(time.RFC3339)
		}
		state := "enabled"
		if c.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, strings.Join(c.Profiles, ","), strings.Join(c.Operations, ","), created, state)
	}
	return tw.Flush()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
