package signer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
)

// Result describes a signature made by Sign.
type Result struct {
	// Field is the fully qualified name of the signature field.
	Field string
	// ByteRange is the signature's /ByteRange: [0 a b c], covering the
	// whole output but the /Contents string.
	ByteRange [4]int64
	// Size is the number of bytes written to dst.
	Size int64
	// Signature is the CMS SignedData (DER) written into /Contents.
	Signature []byte
	// Level is the PAdES level produced.
	Level Level
}

// copyBuffer is the size of the buffer used to stream the source.
const copyBuffer = 256 << 10

// copyBufs recycles copy buffers: a letter is signed in about a
// millisecond, and clearing a fresh 256 KiB buffer each time would cost a
// noticeable part of it.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

// maxPooledUpdate bounds the update buffers kept in updateBufs: a
// signature's update is a few KiB plus its /Contents placeholder; one
// made for an unusually large Reserve is not kept.
const maxPooledUpdate = 256 << 10

// updateBufs recycles the buffers signature updates are written into
// (the /Contents placeholder, about 8 KiB for an RSA-2048 signature
// with its chain, is most of one): a letter's own would be a third of
// the bytes allocated per signature (docs/decisions.md, "Signing
// through SoftHSM: overhead (issue 12)"). A buffer goes back only when
// sign returns, once nothing refers to it.
var updateBufs = sync.Pool{New: func() any { return new([]byte) }}

// copySource copies the size bytes of src to w, through a pooled buffer
// whatever the size: a letter's own-size buffer was a sixth of the bytes
// allocated per signature.
func copySource(w io.Writer, src io.ReaderAt, size int64) (int64, error) {
	r := io.NewSectionReader(src, 0, size)
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	return io.CopyBuffer(w, r, *buf)
}

// Sign signs the PDF document src (size bytes) and writes the signed
// document to dst: the source unchanged, followed by an incremental update
// that holds the signature. The key signs exactly once.
//
// Sign writes to dst as it reads src, so that memory stays bounded. When it
// fails, dst may hold a partial document: write to a temporary file and
// rename it on success (as the segel command does).
func Sign(ctx context.Context, src io.ReaderAt, size int64, dst io.Writer, opts *Options) (*Result, error) {
	return sign(ctx, src, size, dst, opts, nil)
}

// sign is Sign with the CMS builder of a Prepared, or with one made from
// opts when builder is nil.
func sign(ctx context.Context, src io.ReaderAt, size int64, dst io.Writer, opts *Options, builder *cms.Builder) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	now := opts.time()
	if err := checkCertificate(opts.Certificate, opts.Signer, now); err != nil {
		return nil, err
	}
	r, err := pdf.Open(src, size, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if r.Encrypted() {
		return nil, ErrEncrypted
	}
	state, err := readState(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if state.certification == NoChanges {
		return nil, ErrLocked
	}
	if opts.Certify != NotCertified && state.signed > 0 {
		return nil, fmt.Errorf("%w: it already carries %d signature(s)", ErrCertification, state.signed)
	}
	// A certification allows signing invisibly or into a prepared field,
	// not a new visible field (docs/decisions.md, "The signer's own
	// incremental updates"). Checked before anything is fetched or signed.
	if state.certification != NotCertified && opts.Appearance != nil {
		if field, err := signedField(opts, false); err == nil && field == "" {
			return nil, fmt.Errorf("%w (DocMDP P=%d): sign invisibly, or into a signature field the certified document prepared",
				ErrVisibleAfterCertification, state.certification)
		}
	}

	if builder == nil {
		if builder, err = newBuilder(opts); err != nil {
			return nil, err
		}
	}
	// For B-LT and B-LTA the signer's validation data is fetched before the
	// key signs: a revoked certificate or an unreachable responder stops
	// the signature before it is made.
	var signerData *validationData
	if opts.Level >= LevelLT {
		chain := append([]*x509.Certificate{opts.Certificate}, certpath.Issuers(opts.Certificate, slices.Concat(opts.Chain, opts.Certificates))...)
		if signerData, err = gather(ctx, opts.revocation(), chain, true); err != nil {
			return nil, err
		}
	}
	unsignedReserve, unsigned, err := timestampPlan(ctx, opts, builder.Hash())
	if err != nil {
		return nil, err
	}
	contentsLen := builder.MaxSize(unsignedReserve) + opts.Reserve

	ubuf := updateBufs.Get().(*[]byte)
	up, err := buildSigUpdate(state, opts, contentsLen, now, false, *ubuf)
	if err != nil {
		updateBufs.Put(ubuf)
		return nil, err
	}
	// The update's buffer (the pooled one, or a larger one made for it)
	// goes back to the pool when sign returns: what sign hands out
	// (Result) and what it writes to dst hold no reference to it.
	defer func() {
		if b := up.res.Data; cap(b) <= maxPooledUpdate {
			*ubuf = b[:0]
		}
		updateBufs.Put(ubuf)
	}()
	data, br, hole, err := placeByteRange(up.res)
	if err != nil {
		return nil, err
	}

	// Copy the source and the update up to /Contents while hashing, then
	// hash the rest of the update: one pass over the source. For B-LTA a
	// second hash runs over everything written, for the document
	// timestamp that closes the document.
	app := &appender{dst: dst, src: src, size: size, hash: opts.hash()}
	h := builder.Hash().New()
	w := io.MultiWriter(dst, h)
	if opts.Level == LevelLTA {
		app.h = app.hash.New()
		w = io.MultiWriter(dst, h, app.h)
	}
	n, err := copySource(w, src, size)
	if err != nil {
		return nil, fmt.Errorf("signer: copying the source: %w", err)
	}
	if n != size {
		return nil, fmt.Errorf("%w: read %d of %d bytes", ErrInvalidPDF, n, size)
	}
	if _, err := w.Write(data[:hole[0]]); err != nil {
		return nil, fmt.Errorf("signer: writing the update: %w", err)
	}
	h.Write(data[hole[1]:])
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	der, err := builder.Build(ctx, h.Sum(nil), unsigned)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	if capacity := (hole[1] - hole[0] - 2) / 2; int64(len(der)) > capacity {
		return nil, fmt.Errorf("%w: %d bytes, %d reserved", ErrSignatureTooLarge, len(der), capacity)
	}
	hex.Encode(data[hole[0]+1:], der)
	rest := data[hole[0]:]
	if _, err := dst.Write(rest); err != nil {
		return nil, fmt.Errorf("signer: writing the update: %w", err)
	}
	if app.h != nil {
		app.h.Write(rest)
	}
	app.parts = append(app.parts, data)
	app.total = int64(len(data))
	res := &Result{
		Field:     up.field,
		ByteRange: br,
		Signature: der,
		Level:     LevelB,
	}
	if unsigned != nil {
		res.Level = LevelT
	}
	if opts.Level >= LevelLT {
		if err := addValidationData(ctx, app, opts, signerData, der); err != nil {
			return nil, err
		}
		res.Level = LevelLT
	}
	if opts.Level == LevelLTA {
		if _, err := app.docTimestamp(ctx, opts.Timestamper, now); err != nil {
			return nil, err
		}
		res.Level = LevelLTA
	}
	res.Size = size + app.total
	return res, nil
}

func (o *Options) check() error {
	if err := o.checkKeyFields(); err != nil {
		return err
	}
	switch {
	case o.Certify < NotCertified || o.Certify > Annotations:
		return fmt.Errorf("%w: DocMDP permission %d (want 1, 2 or 3)", ErrOptions, o.Certify)
	case o.Level < LevelB || o.Level > LevelLTA:
		return fmt.Errorf("%w: unknown level %d", ErrOptions, o.Level)
	case o.Level >= LevelT && o.Timestamper == nil:
		return fmt.Errorf("%w: level %v needs a timestamp authority", ErrOptions, o.Level)
	case o.Reserve < 0:
		return fmt.Errorf("%w: negative Reserve", ErrOptions)
	case o.Field != "" && o.NewField != "":
		return fmt.Errorf("%w: set Field (an existing field) or NewField, not both", ErrOptions)
	}
	return o.checkHash()
}

// checkKeyFields checks that o is there with a key and a certificate.
func (o *Options) checkKeyFields() error {
	switch {
	case o == nil:
		return fmt.Errorf("%w: no options", ErrOptions)
	case o.Signer == nil:
		return fmt.Errorf("%w: no key (Signer)", ErrOptions)
	case o.Certificate == nil:
		return fmt.Errorf("%w: no signing certificate", ErrOptions)
	}
	return nil
}

// checkHash checks that the digest algorithm is one Sign supports.
func (o *Options) checkHash() error {
	switch o.hash() {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
		return nil
	}
	return fmt.Errorf("%w: digest algorithm %v (want SHA-256, SHA-384 or SHA-512)", ErrOptions, o.Hash)
}

// checkCertificate checks that key belongs to cert and that cert may sign
// at t.
func checkCertificate(cert *x509.Certificate, key crypto.Signer, t time.Time) error {
	if err := checkKey(cert, key); err != nil {
		return err
	}
	if t.Before(cert.NotBefore) || t.After(cert.NotAfter) {
		return fmt.Errorf("%w: %q is valid from %s to %s, signing at %s", ErrCertificateExpired,
			cert.Subject.CommonName, cert.NotBefore.UTC().Format(time.RFC3339),
			cert.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fmt.Errorf("%w (certificate %q)", ErrKeyUsage, cert.Subject.CommonName)
	}
	return nil
}

// checkKey checks that key belongs to cert.
func checkKey(cert *x509.Certificate, key crypto.Signer) error {
	// An RSA key is compared directly: rsa.PublicKey.Equal compares the
	// moduli in constant time through two copies of their bytes, which a
	// comparison of public keys needs not (a microsecond of every
	// signature).
	if a, ok := key.Public().(*rsa.PublicKey); ok {
		if b, ok := cert.PublicKey.(*rsa.PublicKey); ok && a.N != nil && b.N != nil {
			if a.E != b.E || a.N.Cmp(b.N) != 0 {
				return fmt.Errorf("%w (certificate %q)", ErrKeyMismatch, cert.Subject.CommonName)
			}
			return nil
		}
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return fmt.Errorf("%w (certificate %q)", ErrKeyMismatch, cert.Subject.CommonName)
	}
	return nil
}

func newBuilder(opts *Options) (*cms.Builder, error) {
	scheme := cms.SchemeAuto
	if opts.PSS {
		if _, ok := opts.Signer.Public().(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("%w: RSA-PSS needs an RSA key", ErrOptions)
		}
		scheme = cms.SchemeRSAPSS
	}
	b, err := cms.NewBuilder(opts.Certificate, opts.Signer, cms.BuildOptions{
		Hash:         opts.hash(),
		Scheme:       scheme,
		Certificates: opts.Chain,
		Rand:         opts.Rand,
	})
	if err != nil {
		if errors.Is(err, cms.ErrUnsupportedAlgorithm) {
			return nil, fmt.Errorf("%w: %w", ErrOptions, err)
		}
		return nil, fmt.Errorf("signer: %w", err)
	}
	return b, nil
}

// timestampPlan returns the space to reserve for unsigned attributes and
// the function that adds them, for the level asked.
func timestampPlan(ctx context.Context, opts *Options, h crypto.Hash) (int, cms.UnsignedFunc, error) {
	if opts.Level < LevelT {
		return 0, nil, nil
	}
	size, err := opts.Timestamper.TokenSize(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("signer: timestamp size: %w", err)
	}
	fn := func(ctx context.Context, sigValue []byte) ([]cms.Attribute, error) {
		hh := h.New()
		hh.Write(sigValue)
		digest := hh.Sum(nil)
		token, err := opts.Timestamper.Timestamp(ctx, digest, h)
		if err != nil {
			return nil, fmt.Errorf("signature timestamp: %w", err)
		}
		if _, err := checkToken(token, digest, h); err != nil {
			return nil, fmt.Errorf("signature timestamp: %w", err)
		}
		return []cms.Attribute{cms.TimeStampTokenAttribute(token)}, nil
	}
	return cms.TimeStampTokenAttrSize(size), fn, nil
}

// placeByteRange computes the /ByteRange of the update, writes it into its
// placeholder, and returns the update's bytes with the /Contents hole
// [start, end) relative to them.
func placeByteRange(res *pdf.Result) ([]byte, [4]int64, [2]int64, error) {
	c, okC := res.Placeholders[keyContents]
	b, okB := res.Placeholders[keyByteRange]
	if !okC || !okB {
		return nil, [4]int64{}, [2]int64{}, errors.New("signer: internal error: placeholders missing")
	}
	data := res.Data
	total := res.Offset + int64(len(data))
	br := [4]int64{0, c.Offset, c.Offset + int64(c.Len), total - c.Offset - int64(c.Len)}
	s := "[0 " + strconv.FormatInt(br[1], 10) + " " + strconv.FormatInt(br[2], 10) + " " + strconv.FormatInt(br[3], 10) + "]"
	if len(s) > b.Len {
		return nil, [4]int64{}, [2]int64{}, fmt.Errorf("signer: internal error: /ByteRange %s does not fit", s)
	}
	at := b.Offset - res.Offset
	copy(data[at:], s)
	for i := at + int64(len(s)); i < at+int64(b.Len); i++ {
		data[i] = ' '
	}
	hole := [2]int64{c.Offset - res.Offset, c.Offset - res.Offset + int64(c.Len)}
	return data, br, hole, nil
}
