package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/pkcs11"
)

// Exit codes of runKeys.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 3
)

const keysUsage = `usage: segel keys <command> [flags]

commands:
  list --token URI
        list the tokens matching URI with their keys and certificates
        (label, id, type, size); with a PIN in the URI private keys are listed
  generate --key URI --type rsa-2048|rsa-3072|ec-p256|ec-p384
        make a non-extractable key pair labelled by the URI's object=
  csr --key URI --subject "CN=..,O=..,C=ID" [--email ADDRESS]
        write a PKCS #10 request signed by the token key, PEM on stdout
        (a personal key reads its passphrase from the first line of stdin)
  import-cert --key URI CERT.pem [CHAIN.pem]
        store the key's certificate and the CA certificates on the token

URIs are RFC 7512 PKCS#11 URIs, for example
  pkcs11:token=Sleman;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin
`

// usageError is a bad command line (exit 3).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// runKeys runs "segel keys ARGS" and returns the exit code: 0 ok,
// 1 failure, 3 bad arguments.
func runKeys(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, keysUsage)
		return exitOK
	case "list":
		err = keysList(ctx, rest, stdout, stderr)
	case "generate":
		err = keysGenerate(ctx, rest, stdout, stderr)
	case "csr":
		err = keysCSR(ctx, rest, stdin, stdout, stderr)
	case "import-cert":
		err = keysImportCert(ctx, rest, stdout, stderr)
	default:
		err = usagef("unknown command %q", "keys "+cmd)
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	}
	fmt.Fprintf(stderr, "segel: %v\n", err)
	fmt.Fprintf(stderr, "hint: %s\n", hintFor(err))
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func hintFor(err error) string {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return "run 'segel keys help' for the commands and flags"
	case errors.Is(err, pkcs11.ErrNotAvailable):
		return "this segel was built without cgo; build it with CGO_ENABLED=1"
	case errors.Is(err, pkcs11.ErrPINIncorrect):
		return "check the PIN given by pin-value or pin-source in the URI"
	case errors.Is(err, pkcs11.ErrPassphraseRejected):
		return "the passphrase (the token's user PIN) was not accepted"
	case errors.Is(err, pkcs11.ErrPINLocked):
		return "the PIN is locked; the token's security officer must unlock it"
	case errors.Is(err, pkcs11.ErrNoCertificate):
		return "import the key's certificate with 'segel keys import-cert --key URI CERT.pem'"
	case errors.Is(err, pkcs11.ErrNotFound):
		return "see what the module holds with 'segel keys list --token \"pkcs11:?module-path=MODULE\"'"
	case errors.Is(err, pkcs11.ErrTokenUnavailable):
		return "check that the token is present and the module works, then try again"
	case errors.Is(err, pkcs11.ErrUnsupported):
		return "use an RSA or ECDSA P-256/P-384 key with SHA-256/384/512"
	}
	return "run 'segel keys help' for the commands and flags"
}

// newFlags returns a FlagSet for a subcommand that reports errors through
// runKeys.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("segel keys "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, which it returns. Everything after "--" is
// positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos, tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return append(pos, tail...), nil
}

func keysList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", stderr)
	token := fs.String("token", "", "PKCS#11 URI of the token(s) to list")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("keys list: unexpected argument %q", pos[0])
	}
	if *token == "" {
		return usagef("keys list: --token URI is required")
	}
	tokens, err := pkcs11.ListTokens(ctx, *token, nil)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for i, t := range tokens {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "token %q\tserial %s\tslot %d\t%s %s\n", t.Label, t.Serial, t.SlotID, t.Manufacturer, t.Model)
		if !t.LoggedIn {
			fmt.Fprintln(w, "  (not logged in: private keys are not shown; add a PIN to the URI)")
		}
		if len(t.Objects) == 0 {
			fmt.Fprintln(w, "  (no objects)")
		}
		for _, o := range t.Objects {
			typ := o.KeyType
			if o.Bits > 0 {
				typ = fmt.Sprintf("%s-%d", o.KeyType, o.Bits)
			}
			id := hex.EncodeToString(o.ID)
			if id == "" {
				id = "-"
			}
			extra := ""
			switch {
			case o.Class == "certificate":
				typ = "X.509"
				extra = fmt.Sprintf("subject %q, issuer %q, expires %s", o.Subject, o.Issuer, o.NotAfter.Format("2006-01-02"))
			case o.AlwaysAuthenticate:
				extra = "always-authenticate"
			}
			fmt.Fprintf(w, "  %s\t%q\tid %s\t%s\t%s\n", o.Class, o.Label, id, typ, extra)
		}
	}
	return w.Flush()
}

func keysGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", stderr)
	key := fs.String("key", "", "PKCS#11 URI of the new key (object= gives its label)")
	typ := fs.String("type", "", "key type: rsa-2048, rsa-3072, ec-p256 or ec-p384")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("keys generate: unexpected argument %q", pos[0])
	case *key == "":
		return usagef("keys generate: --key URI is required")
	case *typ == "":
		return usagef("keys generate: --type is required (rsa-2048, rsa-3072, ec-p256 or ec-p384)")
	}
	switch *typ {
	case pkcs11.RSA2048, pkcs11.RSA3072, pkcs11.ECP256, pkcs11.ECP384:
	default:
		return usagef("keys generate: unknown --type %q (rsa-2048, rsa-3072, ec-p256 or ec-p384)", *typ)
	}
	g, err := pkcs11.GenerateKey(ctx, *key, *typ, nil)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(g.Public)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %s key %q with id %x\n%s\n", *typ, g.Label, g.ID, g.URI)
	return pem.Encode(stdout, &pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func keysCSR(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("csr", stderr)
	key := fs.String("key", "", "PKCS#11 URI of the key")
	subject := fs.String("subject", "", `subject DN, e.g. "CN=Nama Pejabat,O=Pemerintah Kabupaten Sleman,C=ID"`)
	email := fs.String("email", "", "e-mail address for the subjectAltName")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("keys csr: unexpected argument %q", pos[0])
	case *key == "":
		return usagef("keys csr: --key URI is required")
	case *subject == "":
		return usagef("keys csr: --subject is required")
	}
	name, err := parseDN(*subject)
	if err != nil {
		return usagef("keys csr: --subject: %v", err)
	}
	k, err := pkcs11.Open(ctx, *key, &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		return err
	}
	defer k.Close()
	tmpl := &x509.CertificateRequest{Subject: name}
	if *email != "" {
		tmpl.EmailAddresses = []string{*email}
	}
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	case *ecdsa.PublicKey:
		tmpl.SignatureAlgorithm = x509.ECDSAWithSHA256
		if pub.Curve == elliptic.P384() {
			tmpl.SignatureAlgorithm = x509.ECDSAWithSHA384
		}
	}
	var signer crypto.Signer = k
	if k.Personal() {
		pass, err := bufio.NewReader(stdin).ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read passphrase from stdin: %w", err)
		}
		pass = bytes.TrimRight(pass, "\r\n")
		defer clear(pass)
		signer = k.WithPassphrase(ctx, pass)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, signer)
	if err != nil {
		return err
	}
	return pem.Encode(stdout, &pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func keysImportCert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import-cert", stderr)
	key := fs.String("key", "", "PKCS#11 URI of the key")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *key == "":
		return usagef("keys import-cert: --key URI is required")
	case len(pos) == 0:
		return usagef("keys import-cert: the certificate file is required")
	case len(pos) > 2:
		return usagef("keys import-cert: too many arguments (CERT.pem [CHAIN.pem])")
	}
	var certs []*x509.Certificate
	for _, file := range pos {
		cs, err := readCerts(file)
		if err != nil {
			return err
		}
		certs = append(certs, cs...)
	}
	if err := pkcs11.ImportCertificate(ctx, *key, nil, certs[0], certs[1:]...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported certificate %q", certs[0].Subject.String())
	if n := len(certs) - 1; n > 0 {
		fmt.Fprintf(stdout, " and %d CA certificate(s)", n)
	}
	fmt.Fprintln(stdout)
	return nil
}

// readCerts reads the certificates of a PEM file (or one DER certificate).
func readCerts(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("%s: no certificate (PEM or DER) found", file)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// parseDN parses a distinguished name such as "CN=A\, B,O=Org,C=ID":
// comma-separated attributes CN, O, OU, C, L, ST, STREET, serialNumber and
// emailAddress (names are case-insensitive; E is emailAddress). A backslash
// escapes the next character, or gives a byte as two hex digits.
func parseDN(s string) (pkix.Name, error) {
	var name pkix.Name
	parts, err := splitDN(s)
	if err != nil {
		return name, err
	}
	for _, p := range parts {
		key, value, ok := strings.Cut(p.raw, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return name, fmt.Errorf("%q is not TYPE=value", strings.TrimSpace(p.raw))
		}
		value, err := unescapeDN(strings.TrimSpace(value))
		if err != nil {
			return name, err
		}
		if value == "" {
			return name, fmt.Errorf("%s has an empty value", key)
		}
		switch strings.ToUpper(key) {
		case "CN":
			if name.CommonName != "" {
				return name, fmt.Errorf("CN given twice")
			}
			name.CommonName = value
		case "O":
			name.Organization = append(name.Organization, value)
		case "OU":
			name.OrganizationalUnit = append(name.OrganizationalUnit, value)
		case "C":
			if len(value) != 2 {
				return name, fmt.Errorf("the country (C) must be a two-letter code, got %q", value)
			}
			name.Country = append(name.Country, strings.ToUpper(value))
		case "L":
			name.Locality = append(name.Locality, value)
		case "ST":
			name.Province = append(name.Province, value)
		case "STREET":
			name.StreetAddress = append(name.StreetAddress, value)
		case "SERIALNUMBER":
			name.SerialNumber = value
		case "EMAILADDRESS", "E":
			name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oids.EmailAddress, Value: value})
		default:
			return name, fmt.Errorf("unknown attribute %q (CN, O, OU, C, L, ST, STREET, serialNumber, emailAddress)", key)
		}
	}
	if len(parts) == 0 {
		return name, fmt.Errorf("empty subject")
	}
	return name, nil
}

type dnPart struct{ raw string }

// splitDN splits s at commas not escaped by a backslash; escapes are kept
// for unescapeDN.
func splitDN(s string) ([]dnPart, error) {
	var parts []dnPart
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("subject ends with a lone backslash")
			}
			i++
		case ',':
			parts = append(parts, dnPart{s[start:i]})
			start = i + 1
		}
	}
	if strings.TrimSpace(s[start:]) != "" || len(parts) > 0 {
		parts = append(parts, dnPart{s[start:]})
	}
	return parts, nil
}

func unescapeDN(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		if i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
			v, _ := hex.DecodeString(s[i+1 : i+3])
			b = append(b, v[0])
			i += 2
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("value ends with a lone backslash")
		}
		b = append(b, s[i+1])
		i++
	}
	return string(b), nil
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
