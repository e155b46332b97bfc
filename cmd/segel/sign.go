package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
)

const signUsage = `usage: segel sign --key KEYREF [flags] IN.pdf OUT.pdf

Signs IN.pdf (PAdES, ETSI.CAdES.detached) and writes OUT.pdf. OUT.pdf
appears only when signing succeeded. '-' reads stdin or writes stdout.

KEYREF is a PKCS#11 URI (RFC 7512), e.g.
  'pkcs11:token=segel;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin'
a PEM file with the private key (and certificates), or a PKCS#12 file
(password from $SEGEL_KEY_PASSWORD). A personal token key (a URI without
PIN) is unlocked with its holder's passphrase, read from $SEGEL_PASSPHRASE
or from the first line of stdin.

flags:
`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runSign(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("segel sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, signUsage); fs.PrintDefaults() }
	keyRef := fs.String("key", "", "the signing key: PKCS#11 URI, PEM or PKCS#12 file (required)")
	certFile := fs.String("cert", "", "PEM file with the signer's certificate and chain (default: from the token or the key file)")
	levelName := fs.String("level", "B-B", "PAdES level: B-B, B-T, B-LT or B-LTA")
	var tsas, trustPaths stringList
	fs.Var(&tsas, "tsa", "RFC 3161 timestamp authority URL (repeatable, tried in order)")
	fs.Var(&trustPaths, "trust", "PEM/DER file or directory of CA certificates trusted for the TSA and completing chains (repeatable)")
	noDefault := fs.Bool("no-default-trust", false, "do not trust the national bundle for the TSA")
	reason := fs.String("reason", "", "the reason for signing (/Reason)")
	location := fs.String("location", "", "where the document was signed (/Location)")
	contact := fs.String("contact", "", "how to reach the signer (/ContactInfo)")
	name := fs.String("name", "", "the signer's name (/Name; default: the certificate's common name)")
	field := fs.String("field", "", "sign into this existing empty signature field")
	certify := fs.Int("certify", 0, "make a certification signature with DocMDP permission 1, 2 or 3")
	hashName := fs.String("hash", "sha256", "digest algorithm: sha256, sha384 or sha512")
	pss := fs.Bool("pss", false, "use RSASSA-PSS with an RSA key")
	page := fs.Int("page", 1, "page of the (invisible) signature widget; -1 is the last")
	visible := fs.String("visible", "", "visible stamp placement (page=N;rect=X1,Y1,X2,Y2 | field=NAME | anchor=TEXT[;page=N][;size=W,H][;align=left|center|right][;position=over|below|beside])")
	tz := fs.String("timezone", "", "with --visible: zone of the stamp's time: WIB, WITA, WIT or an IANA name of one (default $SEGEL_TIMEZONE, else WIB)")
	qr := fs.String("qr", "", "with --visible: the text of the stamp's QR code (a verification URL)")
	image := fs.String("image", "", "with --visible: a PNG or JPEG drawn in the stamp (a specimen or the regency's logo)")
	footer := fs.String("footer", "", "with --visible: small text at the bottom of the stamp")
	var lines stringList
	fs.Var(&lines, "line", "with --visible: a line of the stamp's text (repeatable; default: \"Ditandatangani secara elektronik oleh\", the name, the date)")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail(stderr, usagef("%v", err))
	}
	if len(pos) != 2 {
		return fail(stderr, usagef("sign needs IN.pdf and OUT.pdf, got %d arguments", len(pos)))
	}
	if *keyRef == "" {
		return fail(stderr, usagef("--key is required"))
	}
	level, err := signer.ParseLevel(*levelName)
	if err != nil {
		return fail(stderr, usagef("--level: %v", err))
	}
	if level > signer.LevelB && len(tsas) == 0 {
		return fail(stderr, usagef("--level %v needs a timestamp authority: give --tsa URL", level))
	}
	var app *signer.Appearance
	if *visible != "" {
		pl, err := signer.ParseVisibleSpec(*visible)
		if err != nil {
			return fail(stderr, usagef("--visible: %v", err))
		}
		app = &signer.Appearance{Placement: *pl, QR: *qr, Footer: *footer, Lines: lines}
		if *image != "" {
			if app.Image, err = os.ReadFile(*image); err != nil {
				return fail(stderr, usagef("--image: %v", err))
			}
		}
	} else if *qr != "" || *image != "" || *footer != "" || len(lines) > 0 {
		return fail(stderr, usagef("--qr, --image, --footer and --line need --visible"))
	}
	loc, err := reportZone(*tz)
	if err != nil {
		return fail(stderr, usagef("--timezone: %v", err))
	}
	if *certify < 0 || *certify > 3 {
		return fail(stderr, usagef("--certify %d: want 1, 2 or 3 (0: an ordinary signature)", *certify))
	}
	h, err := parseHash(*hashName)
	if err != nil {
		return fail(stderr, usagef("--hash: %v", err))
	}

	key, err := keyref.Open(ctx, *keyRef, &keyref.Options{
		CertFile: *certFile,
		Password: func() (string, error) {
			if pw, ok := os.LookupEnv("SEGEL_KEY_PASSWORD"); ok {
				return pw, nil
			}
			return "", errors.New("the PKCS#12 file needs a password: set SEGEL_KEY_PASSWORD")
		},
	})
	if err != nil {
		return fail(stderr, err)
	}
	defer key.Close()
	var sig crypto.Signer = key.Signer
	if key.Personal() {
		pass, err := readPassphrase(stdin, pos[0] == "-")
		if err != nil {
			return fail(stderr, err)
		}
		defer clear(pass)
		if sig, err = key.Unlock(ctx, pass); err != nil {
			return fail(stderr, err)
		}
	}
	if *name == "" {
		*name = key.Certificate.Subject.CommonName
	}

	var ts *tsa.Client
	var pool *trust.Pool
	if level > signer.LevelB {
		if pool, err = loadTrust(trustPaths, *noDefault, stderr); err != nil {
			return fail(stderr, err)
		}
		if ts, err = newTSAClient(tsas, pool); err != nil {
			return fail(stderr, err)
		}
	}

	in, err := openInput(pos[0], stdin)
	if err != nil {
		return fail(stderr, usagef("%v", err))
	}
	defer in.Close()
	out, err := createOutput(pos[1], stdout)
	if err != nil {
		return fail(stderr, err)
	}
	defer out.Close()
	res, err := signer.Sign(ctx, in.f, in.size, out, &signer.Options{
		Signer:       sig,
		Certificate:  key.Certificate,
		Chain:        key.Chain,
		Hash:         h,
		PSS:          *pss,
		Level:        level,
		Field:        *field,
		Page:         *page,
		Name:         *name,
		Reason:       *reason,
		Location:     *location,
		ContactInfo:  *contact,
		Certify:      signer.Permission(*certify),
		Timestamper:  timestamper(ts),
		Appearance:   app,
		Certificates: poolCerts(pool),
		// The same instant, in the zone the stamp shows.
		Time: time.Now().In(loc),
	})
	if err != nil {
		return fail(stderr, err)
	}
	if err := out.Commit(); err != nil {
		return fail(stderr, err)
	}
	if pos[1] != "-" {
		fmt.Fprintf(stderr, "signed %s → %s (field %s, %v, %s bytes)\n", pos[0], pos[1], res.Field, res.Level, strconv.FormatInt(res.Size, 10))
	}
	return exitOK
}

func parseHash(s string) (crypto.Hash, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "")) {
	case "sha256":
		return crypto.SHA256, nil
	case "sha384":
		return crypto.SHA384, nil
	case "sha512":
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("unknown digest %q (want sha256, sha384 or sha512)", s)
}

// readPassphrase reads a personal key's passphrase from $SEGEL_PASSPHRASE
// or the first line of stdin.
func readPassphrase(stdin io.Reader, stdinIsInput bool) ([]byte, error) {
	if p, ok := os.LookupEnv("SEGEL_PASSPHRASE"); ok {
		return []byte(p), nil
	}
	if stdinIsInput {
		return nil, errors.New("the key is personal and stdin holds the PDF: set SEGEL_PASSPHRASE")
	}
	line, err := bufio.NewReader(stdin).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading the passphrase from stdin: %w", err)
	}
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 {
		return nil, errors.New("the key is personal: give its holder's passphrase on stdin or in SEGEL_PASSPHRASE")
	}
	return line, nil
}

// fail reports err with a hint and returns its exit code: 3 for bad
// arguments (a visible stamp asked of a certified document too) and
// unreadable input, 1 otherwise.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "segel: %v\n", err)
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "hint: %s\n", h)
	}
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, signer.ErrInvalidPDF) || errors.Is(err, signer.ErrEncrypted) ||
		errors.Is(err, signer.ErrVisibleAfterCertification) {
		return exitUsage
	}
	return exitFailure
}

func hint(err error) string {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return "run the command with -h for its flags"
	case errors.Is(err, signer.ErrEncrypted):
		return "remove the encryption first (for example: qpdf --decrypt in.pdf out.pdf)"
	case errors.Is(err, signer.ErrInvalidPDF):
		return "the input is not a PDF Segel can read; check that it opens and is complete"
	case errors.Is(err, signer.ErrAnchorNotFound):
		return "the anchor text was not found in the page content; check it, or place the stamp with page=N;rect=…"
	case errors.Is(err, signer.ErrPlacement):
		return "the stamp's rectangle must lie on the page and be at least a few points wide and high"
	case errors.Is(err, signer.ErrFieldNotFound):
		return "check the field name (case matters), or omit --field to add a new signature field"
	case errors.Is(err, signer.ErrKeyMismatch), errors.Is(err, keyref.ErrNoCertificate), errors.Is(err, pkcs11.ErrNoCertificate):
		return "give the certificate issued for this key with --cert CHAIN.pem"
	case errors.Is(err, signer.ErrCertificateExpired):
		return "the certificate cannot sign now; renew it with the CA"
	case errors.Is(err, tsa.ErrUnavailable):
		return "check the --tsa URLs and that the TSA's CA is trusted (--trust); no lower level is produced"
	case errors.Is(err, signer.ErrValidationData):
		return "the OCSP responder or CRL of a certificate could not be reached; try again, or sign at B-T"
	case errors.Is(err, signer.ErrVisibleAfterCertification):
		return "the certification allows only invisible signatures or prepared fields: drop --visible, or use --visible field=NAME with a signature field the document holds"
	case errors.Is(err, signer.ErrLocked):
		return "the certifier allowed no changes; only `segel augment` (validation data and document timestamps) may extend it"
	case errors.Is(err, signer.ErrNoSignature):
		return "augment extends existing signatures; sign the document first"
	case errors.Is(err, signer.ErrRevoked):
		return "the CA has revoked this certificate; it must not sign"
	case errors.Is(err, pkcs11.ErrPINIncorrect), errors.Is(err, pkcs11.ErrPassphraseRejected),
		errors.Is(err, pkcs11.ErrNotFound), errors.Is(err, pkcs11.ErrTokenUnavailable),
		errors.Is(err, pkcs11.ErrNotAvailable), errors.Is(err, pkcs11.ErrPINLocked):
		return hintFor(err)
	}
	return ""
}
