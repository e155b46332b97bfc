package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/tstoken"
	"github.com/segel-id/segel/revocation"
)

// ErrNoSignature reports a document without a signature to augment.
var ErrNoSignature = errors.New("the document has no signature")

// ErrSignatureBroken reports a signature to augment that none of the
// signers of its CMS covers: the document was changed after signing, or
// the CMS signs something else. Validation data would not make it valid.
var ErrSignatureBroken = errors.New("the signature does not cover the document")

// AugmentOptions configure Augment.
type AugmentOptions struct {
	// Level is LevelLT or LevelLTA.
	Level Level
	// Timestamper makes the document timestamps: the one that gives a
	// B-B signature its proof of existence, and the one of LevelLTA.
	Timestamper Timestamper
	// Revocation fetches OCSP responses and CRLs; a new Checker by default.
	Revocation *revocation.Checker
	// Certificates are further CA certificates from which chains are
	// completed up to their roots (typically the trust anchors).
	Certificates []*x509.Certificate
	// Hash is the digest of document timestamps; SHA-256 by default.
	Hash crypto.Hash
}

// AugmentResult describes what Augment added.
type AugmentResult struct {
	// Size is the number of bytes written to dst.
	Size int64
	// Added names the updates appended, in order, such as "document
	// timestamp Timestamp1" or "validation data (DSS)".
	Added []string
}

// Augment extends the signatures of src to PAdES B-LT or B-LTA without
// touching them: it appends, as incremental updates, the validation data
// of every signature and timestamp in the document security store; when a
// signature has no signature timestamp, a document timestamp as its proof
// of existence followed by that timestamp's validation data; and for
// B-LTA a document timestamp over all of it. Run again on a B-LTA
// document, it renews the archive: validation data for the last
// timestamp, then a new document timestamp.
//
// Documents signed by other tools are accepted as package verify reads
// them: of a CMS with several SignerInfos, the one that covers the
// document is the signature (preferring one whose chain reaches
// opts.Certificates), and a signature none covers is ErrSignatureBroken.
// Every timestamp token, in the document or new, is checked as the
// verifier checks it; a new one that fails is ErrTimestamp.
//
// Like Sign, Augment streams: dst may hold a partial document on error.
func Augment(ctx context.Context, src io.ReaderAt, size int64, dst io.Writer, opts *AugmentOptions) (*AugmentResult, error) {
	if opts == nil || (opts.Level != LevelLT && opts.Level != LevelLTA) {
		return nil, fmt.Errorf("%w: augment to B-LT or B-LTA", ErrOptions)
	}
	h := opts.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	checker := opts.Revocation
	if checker == nil {
		checker = revocation.New(revocation.Options{})
	}
	r, err := pdf.Open(src, size, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if r.Encrypted() {
		return nil, ErrEncrypted
	}
	sigs, err := existingSignatures(r, src, size, opts.Certificates)
	if err != nil {
		return nil, err
	}
	if len(sigs) == 0 {
		return nil, ErrNoSignature
	}
	needPOE := false
	for _, s := range sigs {
		if s.needsPOE(sigs) {
			needPOE = true
		}
	}
	if (needPOE || opts.Level == LevelLTA) && opts.Timestamper == nil {
		return nil, fmt.Errorf("%w: a timestamp authority is needed", ErrOptions)
	}

	// Gather the validation data before anything is written: if it cannot
	// be had, nothing is.
	var data []*validationData
	for _, s := range sigs {
		vd, err := s.validationData(ctx, checker, opts.Certificates)
		if err != nil {
			return nil, err
		}
		data = append(data, vd)
	}

	app := &appender{dst: dst, src: src, size: size, hash: h, h: h.New()}
	w := io.MultiWriter(dst, app.h)
	if _, err := copySource(w, src, size); err != nil {
		return nil, fmt.Errorf("signer: copying the source: %w", err)
	}
	res := &AugmentResult{}
	now := time.Now()
	// The validation data of what the document holds comes first, so that
	// the document timestamp that follows (the proof of existence of a
	// B-B signature, or the archive timestamp of B-LTA) covers it:
	// sig, DSS, DTS, as pyHanko and EU DSS order them
	// (docs/decisions.md, "The signer's own incremental updates").
	added, err := app.addDSS(data...)
	if err != nil {
		return nil, err
	}
	if added {
		res.Added = append(res.Added, "validation data (DSS)")
	}
	// The archive timestamp of B-LTA is needed unless the proof of
	// existence below ends up as the last update.
	archive := opts.Level == LevelLTA
	if needPOE {
		// A B-B signature's proof of existence, then that timestamp's own
		// validation data (B-LT needs it, and an offline check of B-LTA
		// could not validate the timestamp without it). That data is then
		// covered by the archive timestamp of B-LTA; when it was all in
		// the document already, the proof of existence is the archive
		// timestamp too.
		up, err := app.docTimestamp(ctx, opts.Timestamper, now)
		if err != nil {
			return nil, err
		}
		res.Added = append(res.Added, "document timestamp "+up.field)
		vd, err := tokenValidationData(ctx, checker, up.token, opts.Certificates)
		if err != nil {
			return nil, err
		}
		added, err := app.addDSS(vd)
		if err != nil {
			return nil, err
		}
		if added {
			res.Added = append(res.Added, "validation data (DSS)")
		} else {
			archive = false
		}
	}
	if archive {
		up, err := app.docTimestamp(ctx, opts.Timestamper, now)
		if err != nil {
			return nil, err
		}
		res.Added = append(res.Added, "document timestamp "+up.field)
	}
	res.Size = size + app.total
	return res, nil
}

// existing is a signature or document timestamp found in a document.
type existing struct {
	field string
	docTS bool
	end   int64 // end of its byte ranges
	// For a signature: its signer (of several SignerInfos, the one that
	// covers the document) and the certificates of its CMS.
	signer *cms.SignerInfo
	certs  []*x509.Certificate
	// tokens are the valid signature timestamps of a signature, or the
	// token of a document timestamp.
	tokens []*tstoken.Token
}

// coveredByDocTS reports whether a later document timestamp covers s.
func (s *existing) coveredByDocTS(all []*existing) bool {
	for _, o := range all {
		if o.docTS && o.end > s.end {
			return true
		}
	}
	return false
}

// needsPOE reports whether s is a signature without a proof of existence:
// no valid signature timestamp and no later document timestamp.
func (s *existing) needsPOE(all []*existing) bool {
	return !s.docTS && len(s.tokens) == 0 && !s.coveredByDocTS(all)
}

// validationData gathers the data of the signer's chain and of every
// valid timestamp in the signature (or of the TSA of a document
// timestamp).
func (s *existing) validationData(ctx context.Context, checker *revocation.Checker, extra []*x509.Certificate) (*validationData, error) {
	vd := &validationData{}
	if s.signer != nil {
		leaf, err := s.signer.FindCertificate(s.certs)
		if err != nil {
			return nil, fmt.Errorf("%w: the certificate of %q is not in its signature", ErrValidationData, s.field)
		}
		chain := append([]*x509.Certificate{leaf}, certpath.Issuers(leaf, slices.Concat(s.certs, extra))...)
		if vd, err = gather(ctx, checker, chain, false); err != nil {
			return nil, fmt.Errorf("%s: %w", s.field, err)
		}
	}
	for _, tok := range s.tokens {
		td, err := tokenValidationData(ctx, checker, tok, extra)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.field, err)
		}
		vd.add(td)
	}
	return vd, nil
}

// existingSignatures reads the signatures and document timestamps of r
// (whose bytes are src, of size bytes). Of a CMS with several
// SignerInfos, the one that covers the document is the signature, chosen
// as package verify chooses it (cms.SignedData.ChooseSigner), preferring
// one whose chain reaches a certificate of cas; a signature that no
// SignerInfo covers is an error (ErrSignatureBroken). Timestamp tokens
// are checked by internal/tstoken: a signature timestamp or document
// timestamp that fails is no proof of existence, as for the verifier, and
// is left as it is.
func existingSignatures(r *pdf.Reader, src io.ReaderAt, size int64, cas []*x509.Certificate) ([]*existing, error) {
	state, err := readState(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if !state.hasForm {
		return nil, nil
	}
	fields, err := r.Fields()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	var out []*existing
	for _, f := range fields {
		if r.FieldType(f.Dict) != "Sig" || f.Dict.Get("V") == nil {
			continue
		}
		sig, err := r.GetDict(f.Dict.Get("V"))
		if err != nil {
			continue
		}
		s, _ := sig.Get("Contents").(pdf.String)
		sd, err := cms.Parse(s.Bytes)
		if err != nil || len(sd.SignerInfos) == 0 {
			return nil, fmt.Errorf("%w: the signature of %q cannot be read", ErrInvalidPDF, f.Name)
		}
		br, err := signedRanges(sig, size)
		if err != nil {
			return nil, fmt.Errorf("%w: the signature of %q: %w", ErrInvalidPDF, f.Name, err)
		}
		digest := rangesDigest(src, br)
		e := &existing{field: f.Name, end: br[2] + br[3]}
		t, _ := sig.Name("Type")
		sub, _ := sig.Name("SubFilter")
		if t == "DocTimeStamp" || sub == "ETSI.RFC3161" {
			tok, err := tstoken.Validate(sd, tstoken.Options{Imprint: digest})
			if err != nil {
				continue // no proof of existence; its data would prove nothing
			}
			e.docTS, e.tokens = true, []*tstoken.Token{tok}
			out = append(out, e)
			continue
		}
		e.certs = sd.ParsedCertificates()
		chosen, all := sd.ChooseSigner(cms.ChooseOptions{
			Encapsulated: sub == "adbe.pkcs7.sha1",
			Digest:       digest,
			Prefer:       func(c *x509.Certificate) bool { return reaches(c, e.certs, cas) },
		})
		if chosen < 0 {
			why := ""
			for i, c := range all {
				why += fmt.Sprintf("; signer %d: %v", i+1, c.Err)
			}
			return nil, fmt.Errorf("%w: %q%s", ErrSignatureBroken, f.Name, why)
		}
		e.signer = all[chosen].Signer
		for _, raw := range e.signer.TimeStampTokens() {
			if tok, err := signatureToken(raw, e.signer); err == nil {
				e.tokens = append(e.tokens, tok)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// reaches reports whether the chain of cert, completed from pool and
// cas, reaches one of cas (the caller's CA certificates).
func reaches(cert *x509.Certificate, pool, cas []*x509.Certificate) bool {
	for _, c := range append([]*x509.Certificate{cert}, certpath.Issuers(cert, slices.Concat(pool, cas))...) {
		if slices.ContainsFunc(cas, c.Equal) {
			return true
		}
	}
	return false
}

// signedRanges returns the /ByteRange of a signature dictionary when it
// has the form [0 a b c] with its ranges inside a file of size bytes.
func signedRanges(sig pdf.Dict, size int64) ([4]int64, error) {
	var br [4]int64
	arr, ok := sig.Get("ByteRange").(pdf.Array)
	if !ok || len(arr) != 4 {
		return br, errors.New("no /ByteRange of four numbers")
	}
	for i, v := range arr {
		n, ok := v.(int64)
		if !ok || n < 0 {
			return br, errors.New("a /ByteRange value is not a non-negative integer")
		}
		br[i] = n
	}
	if br[0] != 0 || br[1] > br[2] || br[2] > size || br[3] > size-br[2] {
		return br, fmt.Errorf("/ByteRange %v does not fit the file", br)
	}
	return br, nil
}

// rangesDigest returns a function that hashes the two ranges of br in
// src, each hash computed once.
func rangesDigest(src io.ReaderAt, br [4]int64) func(crypto.Hash) ([]byte, error) {
	done := map[crypto.Hash][]byte{}
	return func(h crypto.Hash) ([]byte, error) {
		if d, ok := done[h]; ok {
			return d, nil
		}
		if !h.Available() {
			return nil, fmt.Errorf("hash %v is not available", h)
		}
		hh := h.New()
		for _, r := range [][2]int64{{br[0], br[1]}, {br[2], br[3]}} {
			if _, err := io.Copy(hh, io.NewSectionReader(src, r[0], r[1])); err != nil {
				return nil, err
			}
		}
		done[h] = hh.Sum(nil)
		return done[h], nil
	}
}
