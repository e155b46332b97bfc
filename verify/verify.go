package verify

import (
	"cmp"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/trust"
)

// ErrNotPDF reports an input that cannot be read as a PDF at all. Every
// other problem is reported in the Report, not as an error.
var ErrNotPDF = errors.New("not a readable PDF")

// Options configures Verify. The zero value trusts nothing: every
// signature is then INDETERMINATE with NO_CERTIFICATE_CHAIN_FOUND.
type Options struct {
	// Trust holds the trust anchors: CA certificates, and end-entity
	// certificates pinned as trusted signers. Certificates inside the PDF
	// are never anchors.
	Trust *trust.Pool
	// Time is the validation time; the current time by default. Set it to
	// validate as of a past time.
	Time time.Time
	// Offline forbids fetching revocation data: only the data embedded in
	// the document is used.
	Offline bool
	// IssuedBy, when not empty, restricts trust to signers whose path
	// passes through one of these CA certificates: for example BSRE CA
	// DS G1 alone, for "government letters only" (the national root also
	// anchors the other licensed CAs). Other signers are INDETERMINATE
	// with CHAIN_CONSTRAINTS_FAILURE.
	IssuedBy []*x509.Certificate
	// Revocation fetches and caches OCSP responses and CRLs; share one
	// Checker between calls to share its cache. By default each call of
	// Verify uses a new Checker.
	Revocation *revocation.Checker
}

// readOptions are the limits verification reads a PDF with: a stream
// (a whole filter chain) may decode to 32 MiB at most, so that one
// hostile stream cannot cost more than the budget of docs/decisions.md
// ("Bounded cost on hostile input"); verification decodes only xref and
// object streams and DSS entries, never page content or images.
var readOptions = &pdf.ReadOptions{MaxStreamDecode: 32 << 20}

// Verify validates every signature and document timestamp of the PDF
// src (size bytes) and returns the report. It returns an error only when
// src cannot be read as a PDF (wrapping ErrNotPDF) or ctx ends.
func Verify(ctx context.Context, src io.ReaderAt, size int64, opts *Options) (*Report, error) {
	if opts == nil {
		opts = &Options{}
	}
	r, err := pdf.Open(src, size, readOptions)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPDF, err)
	}
	at := opts.Time
	if at.IsZero() {
		at = time.Now()
	}
	rep := &Report{
		Signatures:     []*SignatureReport{},
		Size:           size,
		ValidationTime: reportTime(at),
		Warnings:       []string{},
	}
	if r.Repaired() {
		rep.warnDoc(note(CodeRepaired, "from", strconv.FormatInt(r.DamagedFrom(), 10), "detail", fmt.Sprint(r.RepairCause())), damageWarning(r))
	}
	sigs, warnings, err := findSignatures(ctx, r, src)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, w := range warnings {
		rep.warnDoc(w.note, w.msg)
	}
	if err != nil {
		rep.warnDoc(note(CodeFormUnreadable, "detail", err.Error()), fmt.Sprintf("the form cannot be read: %v", err))
	}
	v := &verifier{r: r, src: src, opts: opts, at: at, dssRevision: -1}
	// One pass over the file: the document's SHA-256 and the digest every
	// sound signature needs.
	var jobs []digestJob
	for _, s := range sigs {
		if s.structure(r, src) != nil {
			continue
		}
		if sd, err := cms.Parse(s.contents); err == nil {
			s.sd = sd
			if j, ok := plannedDigest(r, s); ok {
				jobs = append(jobs, j)
			}
		}
	}
	sum, digests, err := digestAll(ctx, src, size, jobs)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", ErrNotPDF, err)
	}
	rep.SHA256 = hex.EncodeToString(sum)
	v.digests = digests
	if opts.Revocation == nil {
		v.checker = revocation.New(revocation.Options{Offline: opts.Offline})
	}
	v.readDSS()
	// Document timestamps first: a valid one is a proof of existence for
	// the signatures of the revisions it covers.
	reports := make([]*SignatureReport, len(sigs))
	for pass := range 2 {
		for i, s := range sigs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if pdf.IsDocTimestamp(s.dict) != (pass == 0) {
				continue
			}
			reports[i] = v.verify(ctx, s)
			v.checkDamage(reports[i])
			checkLost(reports[i], s)
			if pass == 0 && reports[i].Indication == TotalPassed && s.revision >= 0 {
				v.docTS = append(v.docTS, docTimestamp{revision: s.revision, at: v.lastPOE})
			}
		}
	}
	// An encrypted document is judged only when it opens without a
	// password: otherwise its pages cannot be read to see what changed.
	if r.Encrypted() {
		ok, err := openWithoutPassword(r)
		msg := "the document is encrypted with a password, so Segel cannot read it to check what changed after signing"
		n := note(CodeEncryptedPassword)
		if err != nil {
			msg = "the document is encrypted and cannot be read: " + err.Error()
			n = note(CodeEncryptedUnread, "detail", err.Error())
		}
		if !ok {
			rep.warnDoc(n, msg)
			for _, s := range reports {
				if s.Indication != TotalFailed {
					s.fail(UnsupportedFeature, n, "%s", msg)
				}
			}
		} else {
			rep.warnDoc(note(CodeEncryptedNoPass), "the document is encrypted (it opens without a password); text in this report may be unreadable")
		}
	}
	// Bytes after the last revision belong to no revision a reader shows
	// (an update whose startxref was rewound, a second document appended):
	// what they hold cannot be judged, so nothing passes over them.
	if n := unaccounted(r, src, size); n > 0 {
		// Objects there are an update whose cross-reference is broken or
		// cut off: a repairing viewer shows them, so the document was
		// changed after every signature in a way that cannot be analysed.
		// Other bytes (junk a transfer appended) are only unexplained.
		sub, msg := UnsupportedFeature, fmt.Sprintf("the file continues for %d bytes after its last revision, which no reader shows and Segel cannot judge", n)
		nt := note(CodeTrailingBytes, "n", strconv.FormatInt(n, 10))
		if tailHasObjects(src, size-n, size) {
			sub, msg = ModifiedAfterSigning, fmt.Sprintf("the document was damaged or extended after signing in a way that cannot be analysed: the %d bytes after its last revision hold objects that a repairing viewer shows", n)
			nt.Code = CodeTrailingObjects
		}
		rep.warnDoc(nt, msg)
		for _, s := range reports {
			if s.Indication != TotalFailed {
				s.fail(sub, nt, "%s", msg)
			}
		}
	}
	// In the order the signatures were added to the document.
	slices.SortStableFunc(reports, func(a, b *SignatureReport) int {
		return cmp.Compare(rangeEnd(a), rangeEnd(b))
	})
	rep.Signatures = append(rep.Signatures, reports...)
	rep.Indication = NoSignature
	for i, s := range rep.Signatures {
		if i == 0 || rank(s.Indication) > rank(rep.Indication) {
			rep.Indication = s.Indication
		}
	}
	return rep, nil
}

// checkLost fails a signature that only an earlier revision reached (a
// later update replaced the field's value or removed the field), and a
// signature whose document's earlier revisions could not all be checked
// for such a removal: neither can be proven intact.
func checkLost(rep *SignatureReport, s *sigDict) {
	switch {
	case s.lost:
		msg := sprintf("the signature of field %q was removed or replaced after signing: a later revision no longer refers to it", s.field)
		rep.ModifiedAfterSigning = append(rep.ModifiedAfterSigning, msg)
		rep.fail(ModifiedAfterSigning, note(CodeSignatureRemoved, "field", s.field), "%s", msg)
	case s.historyIncomplete && rep.Indication != TotalFailed:
		rep.fail(UnsupportedFeature, note(CodeHistoryIncomplete), "%s", historyIncomplete)
	}
}

// unaccounted returns the number of bytes after the end of the last
// revision that are not white space (NUL and end-of-line padding are
// common and harmless).
func unaccounted(r *pdf.Reader, src io.ReaderAt, size int64) int64 {
	var end int64
	for _, rev := range r.Revisions() {
		end = max(end, rev.End)
	}
	if end >= size {
		return 0
	}
	buf := make([]byte, min(size-end, 1<<20))
	if _, err := src.ReadAt(buf, end); err != nil && err != io.EOF {
		return size - end
	}
	for _, c := range buf {
		switch c {
		case 0, ' ', '\t', '\r', '\n', '\f':
		default:
			return size - end
		}
	}
	if size-end > int64(len(buf)) {
		return size - end
	}
	return 0
}

// objHeader matches an indirect object's header, "12 0 obj".
var objHeader = regexp.MustCompile(`(?:^|[^0-9])[0-9]{1,10}[ \t\r\n\f\x00]+[0-9]{1,5}[ \t\r\n\f\x00]+obj\b`)

// tailHasObjects reports whether the bytes [from, to) hold an indirect
// object (the first and the last MiB are searched).
func tailHasObjects(src io.ReaderAt, from, to int64) bool {
	const window = 1 << 20
	for _, start := range []int64{from, max(from, to-window)} {
		buf := make([]byte, min(to-start, window))
		if n, err := src.ReadAt(buf, start); err != nil && err != io.EOF {
			buf = buf[:n]
		}
		if objHeader.Match(buf) {
			return true
		}
	}
	return false
}

// rangeEnd orders reports by the end of their signed ranges; those
// without valid ranges go last.
func rangeEnd(s *SignatureReport) int64 {
	if len(s.ByteRange) != 4 {
		return math.MaxInt64
	}
	return s.ByteRange[2] + s.ByteRange[3]
}

// docTimestamp is a valid document timestamp: the revision whose end it
// covers and its time.
type docTimestamp struct {
	revision int
	at       time.Time
}

// verifier holds what the checks of one document share.
type verifier struct {
	r    *pdf.Reader
	src  io.ReaderAt
	opts *Options
	at   time.Time
	// checker is the revocation checker when Options gives none.
	checker *revocation.Checker
	// dss is the validation data of the document security store.
	dss validationData
	// docTS are the valid document timestamps; lastPOE is the time of the
	// last one verified.
	docTS   []docTimestamp
	lastPOE time.Time
	// dssRevision is the last revision that wrote the DSS, -1 if none.
	dssRevision int
	// digests are the digests computed in the single pass.
	digests map[digestJob][]byte
	// curSide is the current document's object graph for the change
	// analysis, walked once for all signatures.
	curSide *side
}

func (v *verifier) verify(ctx context.Context, s *sigDict) *SignatureReport {
	rep := &SignatureReport{
		Field:                s.field,
		Type:                 TypeSignature,
		Indication:           TotalPassed,
		Level:                NoBaseline,
		ModifiedAfterSigning: []string{},
		Errors:               []string{},
		Warnings:             []string{},
	}
	if s.dict.Len() > 0 {
		sub, _ := s.dict.Name("SubFilter")
		rep.SubFilter = string(sub)
		if pdf.IsDocTimestamp(s.dict) {
			rep.Type = TypeDocumentTimestamp
		}
		rep.Name = textValue(s.dict.Get("Name"))
		rep.Reason = textValue(s.dict.Get("Reason"))
		rep.Location = textValue(s.dict.Get("Location"))
		rep.ContactInfo = textValue(s.dict.Get("ContactInfo"))
		if m, ok := pdf.ParseDate(textValue(s.dict.Get("M"))); ok {
			rep.ClaimedSigningTime = reportTime(m)
		}
	}
	if err := s.structure(v.r, v.src); err != nil {
		if ue, ok := errors.AsType[*unlinkedRevisionError](err); ok {
			// The signed bytes are intact and were followed by a document
			// that does not continue from them: changed after signing,
			// in a way the change analysis cannot follow.
			rep.ByteRange = s.br[:]
			rep.ModifiedAfterSigning = append(rep.ModifiedAfterSigning,
				fmt.Sprintf("bytes %d to %d (the end of the file), a cross-reference that does not continue from the signed revision", ue.end, ue.size))
			rep.fail(ModifiedAfterSigning, note(CodeDamagedAfter, "from", strconv.FormatInt(ue.end, 10)), "%v", err)
			return rep
		}
		// Ranges past the end of a file whose cross-reference had to be
		// rebuilt are a file cut short (an interrupted download): still
		// FORMAT_FAILURE (the signature cannot be processed, as ETSI EN
		// 319 102-1 and EU DSS's byte-range check say), with its own
		// code so that a reader can say the file is incomplete. Past the
		// end of an intact file they are a file rewritten whole (qpdf,
		// pdftk) or a lie: a plain structure error (docs/decisions.md,
		// "Damaged and failed letters on the page (issue 14)").
		n := note(CodeStructure, "detail", err.Error())
		if pe, ok := errors.AsType[*rangesPastEndError](err); ok && v.r.Repaired() {
			n = note(CodeRangesPastEnd, "n", strconv.FormatInt(pe.size, 10), "detail", err.Error())
		}
		rep.fail(FormatFailure, n, "%v", err)
		return rep
	}
	rep.ByteRange = s.br[:]
	rep.Revision = s.revision + 1
	rep.CoversWholeDocument = s.br[2]+s.br[3] == v.r.FileSize()

	sd, err := s.sd, error(nil)
	if sd == nil {
		sd, err = cms.Parse(s.contents)
	}
	if err != nil {
		rep.fail(FormatFailure, note(CodeCMSUnparsable, "detail", err.Error()), "the signature (CMS) cannot be parsed: %v", err)
		return rep
	}
	if n := len(sd.TrailingData); n > 0 {
		rep.warn(note(CodeContentsPadding, "n", strconv.Itoa(n)), "/Contents holds %d bytes after the signature's CMS that are not zero padding; they are not part of the signature and are ignored", n)
	}
	ranges := [][2]int64{{0, s.br[1]}, {s.br[2], s.br[3]}}
	if len(sd.SignerInfos) == 0 {
		rep.fail(FormatFailure, note(CodeCMSNoSigner), "the CMS holds no signer")
		return rep
	}
	si := sd.SignerInfos[0]
	if len(sd.SignerInfos) > 1 && rep.SubFilter != "ETSI.RFC3161" {
		if si = v.pickSigner(rep, sd, ranges); si == nil {
			return rep
		}
	}

	var c *checked
	switch rep.SubFilter {
	case "ETSI.CAdES.detached", "adbe.pkcs7.detached":
		c = v.checkDetached(rep, sd, si, ranges)
	case "adbe.pkcs7.sha1":
		c = v.checkSHA1(rep, sd, si, ranges)
	case "ETSI.RFC3161":
		c = v.checkDocTimestamp(rep, sd, ranges)
	default:
		rep.fail(UnsupportedFeature, note(CodeSubFilterUnsupported, "subFilter", rep.SubFilter), "the signature type (SubFilter %q) is not supported", rep.SubFilter)
		return rep
	}
	if c == nil {
		return rep
	}
	c.pool = append(c.pool, v.dss.certs...)
	c.ocsps = append(c.ocsps, v.dss.ocsps...)
	c.crls = append(c.crls, v.dss.crls...)
	if rep.Type == TypeDocumentTimestamp {
		v.lastPOE = c.poe
	} else if c.poe.IsZero() {
		// A document timestamp added after the signature proves that it
		// existed then (how PAdES gives a B-B signature its time).
		for _, ts := range v.docTS {
			if ts.revision > s.revision && (c.poe.IsZero() || ts.at.Before(c.poe)) {
				c.poe = ts.at
			}
		}
		if !c.poe.IsZero() {
			at := noteTime(c.poe)
			rep.warn(note(CodeDocTimestampPOE, "time", at), "a document timestamp proves the signature existed at %s", at)
		}
	}
	v.checkCertificates(ctx, rep, c)
	if rep.Type == TypeSignature {
		rep.Level = v.level(rep, si, s, c)
	}
	v.checkModifications(ctx, rep, s)
	return rep
}

// checked is what the cryptographic checks established.
type checked struct {
	cert *x509.Certificate
	pool []*x509.Certificate // certificates the signature carries
	hash crypto.Hash
	poe  time.Time // best proof of existence; zero when none
	tsa  string
	// Embedded validation data: DER OCSP responses and CRLs.
	ocsps, crls [][]byte
	// online reports that revocation status was fetched, not embedded.
	online bool
}

// digestRanges hashes the byte ranges of src with h.
func digestRanges(src io.ReaderAt, h crypto.Hash, ranges [][2]int64) ([]byte, error) {
	hh := h.New()
	bufp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bufp)
	buf := *bufp
	for _, rg := range ranges {
		if _, err := io.CopyBuffer(hh, io.NewSectionReader(src, rg[0], rg[1]), buf); err != nil {
			return nil, err
		}
	}
	return hh.Sum(nil), nil
}
