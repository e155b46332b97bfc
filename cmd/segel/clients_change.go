package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
)

// clientsChange runs "segel clients disable|enable|remove|rotate NAME".
func clientsChange(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := newAdminFlags("clients "+cmd, stderr)
	sf := addStoreFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, clientsUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("clients %s needs one NAME, got %d arguments", cmd, len(pos))
	}
	name := pos[0]
	st, _, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	var key string
	switch cmd {
	case "disable":
		err = st.DisableClient(ctx, name, true)
	case "enable":
		err = st.DisableClient(ctx, name, false)
	case "remove":
		err = st.RemoveClient(ctx, name)
	case "rotate":
		var hash []byte
		key, hash = httpapi.NewAPIKey()
		err = st.RotateClientKey(ctx, name, hash)
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("there is no client named %q ('segel clients list' shows them)", name)
	}
	if err != nil {
		return err
	}
	const window = "a running service refuses the old key within limits.api_key_cache (10s by default)"
	switch cmd {
	case "rotate":
		fmt.Fprintln(stdout, key)
		fmt.Fprintf(stderr, "segel: client %q has a new API key, shown above only this once; %s.\n", name, window)
	case "enable":
		fmt.Fprintf(stderr, "segel: client %q enabled.\n", name)
	default:
		fmt.Fprintf(stderr, "segel: client %q %sd; %s.\n", name, cmd, window)
	}
	return nil
}
