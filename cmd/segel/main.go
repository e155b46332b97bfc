// Command segel is the Segel PAdES signing gateway.
//
// Temporary entry point written with cmd/segel/keys.go so the package
// builds; the lead replaces it with the real dispatcher.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	if len(args) > 0 && args[0] == "keys" {
		return runKeys(ctx, args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	fmt.Fprintln(os.Stderr, "usage: segel keys <list|generate|csr|import-cert> ...")
	return 3
}
