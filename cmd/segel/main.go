// Command segel is Segel's one binary: it signs and verifies PDF documents
// (PAdES), manages keys on PKCS#11 tokens, and serves all of it over HTTP.
//
//	segel sign    --key KEYREF [--cert CHAIN.pem] [--level B-B|B-T|B-LT|B-LTA] IN.pdf OUT.pdf
//	segel verify  [--trust PEM_FILE_OR_DIR]... [--json] [--lang id|en] IN.pdf
//	segel keys    list|generate|csr|import-cert ...
//	segel serve   [--config segel.yaml] [--listen ADDR] | --dev [--data DIR] [--listen ADDR] [--register-listen ADDR|off]
//	segel register --gateway URL --api-key-file FILE [--data DIR] [--db DSN] [--listen ADDR] [--seed]
//	segel clients add NAME --profiles P,... | list | disable|enable|remove|rotate NAME
//	segel audit   verify [--checkpoints FILE]
//	segel totp    remove --profile NAME [--config segel.yaml]
//	segel version
//
// Run "segel help" for every command, "segel COMMAND -h" for its flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `segel: PAdES signing and verification for regency e-office systems

usage: segel <command> [flags] [arguments]

commands:
  sign      sign a PDF (PAdES B-B; B-T, B-LT, B-LTA with a TSA)
  verify    verify the signatures of a PDF and report (text or --json)
  augment   extend the signatures of a PDF to B-LT or B-LTA
  keys      keys and certificates on a PKCS#11 token (list, generate, csr, import-cert)
  serve     run the HTTP gateway (--config segel.yaml, or --dev: no configuration needed,
            with the letter register on 127.0.0.1:8081)
  register  run the letter register (surat masuk, disposisi, surat keluar, paraf, TTE)
            against a running segel serve
  clients   add, list, disable, enable, remove or rotate the API clients (new keys print once)
  audit     verify the hash chain of the gateway's audit log
  seal      activate an institutional seal, or reset its activation (a lost authenticator)
  totp      remove an official's TOTP enrolment (a lost phone)
  version   print the version, the commit it was built from and the Go version

'-' as IN or OUT means stdin or stdout. Run 'segel <command> -h' for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "sign":
		return runSign(ctx, rest, stdin, stdout, stderr)
	case "verify":
		return runVerify(ctx, rest, stdin, stdout, stderr)
	case "augment":
		return runAugment(ctx, rest, stdin, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "register":
		return runRegister(ctx, rest, stdout, stderr)
	case "clients":
		return runClients(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "seal":
		return runSeal(ctx, rest, stdout, stderr)
	case "totp":
		return runTOTP(ctx, rest, stdout, stderr)
	case "version", "-version", "--version":
		writeVersion(stdout)
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "segel: unknown command %q\n", cmd)
	fmt.Fprint(stderr, usage)
	return exitUsage
}
