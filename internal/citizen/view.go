package citizen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

// levelText explains a PAdES level in plain words (explain.Level).
func levelText(l lang, level string) string { return explain.Level(l.ex(), level) }

// page is what the templates see.
type page struct {
	Lang   string            // "id" or "en", for <html lang>
	T      map[string]string // the phrases, in Lang
	Nonce  string            // CSP nonce of the inline style and script
	Title  string            // <title>
	Page   string            // data-page of <main>: form, result, record, error
	Base   string            // relative path from the page to the mount root ("", "../")
	Q      string            // "?lang=xx", appended to every link and form action
	Toggle string            // the same page in the other language
	Script bool              // include the drag-and-drop script (pages with the form)
	Brand  *brandView        // the header's and footer's branding

	Problem *problemView // an error page
	Compare *compareView // POST /v/{id}
	Verdict *verdictView // a verification
	Record  *recordView  // /v/{id}
	Form    *formView    // the upload form, when shown
}

// problemView is the headline of an error page.
type problemView struct {
	Headline, Help string
	Class          string // bad for a file that is not a PDF, warn otherwise
}

// formView is the upload form.
type formView struct {
	Action  string // form action (relative)
	Intro   string
	Compare bool // the "upload your copy" form of /v/{id}
}

// compareView says whether an uploaded copy is the issued file.
type compareView struct {
	Known     bool // the record holds the issued file's SHA-256
	Identical bool
	Extends   bool // the issued file followed by incremental updates
	Text      string
	Help      string
	SHA256    string // the copy's
	Size      string // the copy's
	Issued    string // the issued file's SHA-256, when known
}

// verdictView is a verification report in plain words.
type verdictView struct {
	Class      string // ok, bad, warn
	Icon       string
	Headline   string
	Count      string
	CheckedAt  string
	SHA256     string
	Size       string
	Sigs       []sigView
	DocNotes   []string
	Indication string // the machine value, for data-indication
	// Sub is a line under the headline: what the signatures say when the
	// headline is about something else (a copy that is not the
	// registered letter).
	Sub string
	// Help is what to do, under the headline: for a damaged or
	// cut-short file, get the whole file again.
	Help string
}

// sigView is one signature or document timestamp.
type sigView struct {
	Title, Class, Verdict                   string
	Signer, SignerLabel, Org, CA            string
	Claimed, Timestamp, TSA, Level, LevelIs string
	Reason, Location                        string
	NoTimestamp                             bool
	Errors, Warnings, Modified              []string
	// Unverified marks a certificate no trusted issuer vouches for: its
	// name, agency and issuer are shown as its claims, never as facts.
	// Unchecked says why: its chain was never checked (the signature
	// failed first), rather than checked and found to reach no trusted
	// issuer.
	Unverified, Unchecked bool
	// Kind says what a document timestamp is (empty for a signature).
	Kind string
	// Coverage says what a signature covers and what followed it.
	Coverage string
}

// recordView is a register record.
type recordView struct {
	ID, Signer, Title, NIP, Org, CA  string
	SignedAt, Level, LevelIs, SHA256 string
	Number, Subject                  string
	SubjectHidden                    bool
	Download                         string // link, when the file is offered
	Confidential                     bool
}

// verdictOf turns a report into its view. It fails closed: the page reads
// "passed" only when the document and every signature passed.
func verdictOf(l lang, rep *verify.Report, loc *time.Location) *verdictView {
	ind, sub := explain.Summary(rep)
	v := &verdictView{
		Headline:   explain.ReportHeadline(l.ex(), rep),
		SHA256:     strings.ToLower(rep.SHA256),
		Size:       humanSize(rep.Size),
		Indication: string(ind),
		DocNotes:   explain.DocumentWarnings(l.ex(), rep),
	}
	switch explain.KindOf(ind, sub) {
	case explain.KindPassed:
		v.Class, v.Icon = "ok", "✓"
	case explain.KindFailed, explain.KindUntrusted, explain.KindUnproven:
		v.Class, v.Icon = "bad", "✗"
	case explain.KindNoSignature:
		v.Class, v.Icon = "bad", "!"
	default:
		v.Class, v.Icon = "warn", "?"
	}
	// A damaged or cut-short file: the headline says so, and what to do
	// comes at once below it, not only in the notes (docs/decisions.md,
	// "Damaged and failed letters on the page (issue 14)").
	if ind != verify.TotalPassed && explain.Damaged(rep) {
		v.Help = explain.DamagedHelp(l.ex())
	}
	v.Count = countText(l, rep.Signatures)
	if t := formatAt(l, rep.ValidationTime, loc); t != "" {
		v.CheckedAt = fmt.Sprintf(words["checkedat"].in(l), t)
	}
	n := 0
	for _, s := range rep.Signatures {
		if s == nil {
			continue
		}
		// The reasons in the reader's language, from the report's typed
		// notes: never verify's English messages on the Indonesian page.
		errs, warns := explain.Reasons(l.ex(), s)
		sv := sigView{
			Verdict:  sigVerdict(l, s),
			Class:    classOf(s.Indication, s.SubIndication),
			Claimed:  formatAt(l, s.ClaimedSigningTime, loc),
			Level:    string(s.Level),
			LevelIs:  levelText(l, string(s.Level)),
			Reason:   s.Reason,
			Location: s.Location,
			Errors:   errs,
			Warnings: warns,
			Modified: explain.Changes(l.ex(), s),
		}
		if s.Type == "document-timestamp" {
			sv.Title = words["doctimestamp"].in(l)
			sv.SignerLabel = words["tsa"].in(l)
		} else {
			n++
			sv.Title = words["signature"].in(l) + " " + strconv.Itoa(n)
			sv.SignerLabel = words["signer"].in(l)
		}
		if s.Field != "" {
			sv.Title += " (" + s.Field + ")"
		}
		if s.Signer != nil {
			sv.Signer = s.Signer.CommonName
			if sv.Signer == "" {
				sv.Signer = s.Signer.Subject
			}
			sv.Org = s.Signer.Organization
			sv.CA = dnAttr(s.Signer.Issuer, "CN")
		}
		if len(s.Chain) > 1 && s.Chain[1] != nil && s.Chain[1].CommonName != "" {
			sv.CA = s.Chain[1].CommonName
		}
		// The note that the certificate's names are claims only goes
		// with names to qualify: a signature that failed before its
		// certificate was found (cut short, say) shows none.
		sv.Unverified = unverified(s) && s.Signer != nil
		sv.Unchecked = sv.Unverified && !explain.Untrusted(s.SubIndication)
		switch {
		case s.Type == "document-timestamp":
			// Its own time is the proof; there is no claim to show. Its
			// PAdES level is always NONE (the levels are for
			// signatures): it is shown for what it is instead.
			sv.Claimed, sv.Level, sv.LevelIs = "", "", ""
			sv.Kind = explain.DocTimestampKind(l.ex())
			if s.Timestamp != nil {
				sv.Timestamp = formatAt(l, s.Timestamp.Time, loc)
				if s.Signer == nil || s.Timestamp.TSA != sv.Signer {
					sv.TSA = s.Timestamp.TSA
				}
			}
		case s.Timestamp != nil:
			sv.Timestamp = formatAt(l, s.Timestamp.Time, loc)
			sv.TSA = s.Timestamp.TSA
		default:
			sv.NoTimestamp = true
		}
		// What a signature covers is unknown when its signed part runs
		// past the end of the file: no coverage line then.
		if s.Type != "document-timestamp" && !explain.CutShort(s) {
			sv.Coverage = coverage(l, s, rep.Signatures)
		}
		// A failed signature's level is not the point (its check stopped
		// at the failure): no level line, as in the CLI's text.
		if !explain.LevelAssessed(s) {
			sv.Level, sv.LevelIs = "", ""
		}
		v.Sigs = append(v.Sigs, sv)
	}
	return v
}

// unverified reports whether a signature's certificate is not vouched for
// by a trusted issuer: no path to an anchor was found (or none was
// checked), or the issuer is not accepted here. A signature that passed
// has a trusted chain by definition.
func unverified(s *verify.SignatureReport) bool {
	if s.Indication == verify.TotalPassed {
		return false
	}
	return explain.Untrusted(s.SubIndication) || (s.TrustAnchor == "" && len(s.Chain) == 0)
}

// coverage says what signature s covers and what followed it, instead of
// a bare "covers the whole document: no" for a file that was only
// augmented with validation data and timestamps. The decision is
// verify's (SignatureReport.Coverage), shared with the CLI's report.
func coverage(l lang, s *verify.SignatureReport, all []*verify.SignatureReport) string {
	return explain.Coverage(l.ex(), s.Coverage(all))
}

// recordOf turns a register record into its view.
func recordOf(l lang, d *store.Document, loc *time.Location) *recordView {
	rv := &recordView{
		ID:           d.ID,
		Signer:       d.SignerName,
		Title:        d.Title,
		NIP:          d.NIP,
		Org:          dnAttr(d.SignerSubject, "O"),
		CA:           dnAttr(d.SignerIssuer, "CN"),
		Level:        d.Level,
		LevelIs:      levelText(l, d.Level),
		SHA256:       strings.ToLower(d.OutputSHA256),
		Number:       d.Number,
		Subject:      d.Subject,
		Confidential: d.Confidential,
	}
	if rv.Signer == "" {
		rv.Signer = dnAttr(d.SignerSubject, "CN")
	}
	if rv.CA == "" {
		rv.CA = d.SignerIssuer
	}
	if !d.SignedAt.IsZero() {
		rv.SignedAt = formatAt(l, d.SignedAt, loc)
	}
	// The perihal of a letter marked rahasia can itself be sensitive: the
	// page does not show it to whoever holds the link.
	if d.Confidential && d.Subject != "" {
		rv.Subject, rv.SubjectHidden = "", true
	}
	return rv
}

// canDownload reports whether /v/{id} offers the issued file: only when
// the profile allows it, the file is kept, and the letter is not rahasia.
func canDownload(d *store.Document) bool {
	return d.Downloadable && d.Stored && !d.Confidential
}

// formatTime formats an RFC 3339 time in loc the way a reader of l
// expects: "2 Januari 2026, 14.05 WIB" or "2 January 2026, 14:05 WIB". A
// value that does not parse is shown as it is.
func formatTime(l lang, s string, loc *time.Location) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return formatAt(l, t, loc)
}

// formatAt writes a report's time in the reader's language and zone; ""
// for the zero time (a time the report does not have).
func formatAt(l lang, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return explain.Date(l.ex(), t) + ", " + explain.Clock(l.ex(), t) + " " + t.Format("MST")
}

// humanSize formats a byte count for people.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// dnAttr returns the first value of the attribute named attr (such as
// "CN" or "O") in a distinguished name written as pkix.Name.String writes
// it (RFC 2253: "CN=Budi,O=Pemerintah Kabupaten Sleman,C=ID", with
// backslash escapes), or "" when it has none.
func dnAttr(dn, attr string) string {
	var (
		key, val strings.Builder
		inVal    bool
		found    string
	)
	flush := func() bool {
		if strings.EqualFold(strings.TrimSpace(key.String()), attr) {
			found = strings.TrimSpace(val.String())
			return true
		}
		key.Reset()
		val.Reset()
		inVal = false
		return false
	}
	for i := 0; i < len(dn); i++ {
		c := dn[i]
		switch {
		case c == '\\' && i+1 < len(dn):
			i++
			c = dn[i]
			// \XX hex pairs (RFC 4514) stand for a byte.
			if isHex(c) && i+1 < len(dn) && isHex(dn[i+1]) {
				b, _ := strconv.ParseUint(dn[i:i+2], 16, 8)
				c = byte(b)
				i++
			}
			if inVal {
				val.WriteByte(c)
			} else {
				key.WriteByte(c)
			}
		case (c == ',' || c == '+') && inVal:
			if flush() {
				return found
			}
		case c == '=' && !inVal:
			inVal = true
		default:
			if inVal {
				val.WriteByte(c)
			} else {
				key.WriteByte(c)
			}
		}
	}
	if inVal && flush() {
		return found
	}
	return ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// countText says how many signatures and document timestamps were
// checked: "Diperiksa: 2 tanda tangan dan 1 stempel waktu dokumen." / "Checked:
// 2 signatures and 1 document timestamp."
func countText(l lang, sigs []*verify.SignatureReport) string {
	var nsig, nts int
	for _, s := range sigs {
		switch {
		case s == nil:
		case s.Type == "document-timestamp":
			nts++
		default:
			nsig++
		}
	}
	if nsig+nts == 0 {
		return ""
	}
	plural := func(n int, one, many string) string {
		if l == langEN && n != 1 {
			return strconv.Itoa(n) + " " + many
		}
		return strconv.Itoa(n) + " " + one
	}
	var parts []string
	if nsig > 0 {
		parts = append(parts, plural(nsig, words["sigone"].in(l), words["sigmany"].in(l)))
	}
	if nts > 0 {
		parts = append(parts, plural(nts, words["tsone"].in(l), words["tsmany"].in(l)))
	}
	return words["checked"].in(l) + " " + strings.Join(parts, " "+words["and"].in(l)+" ") + "."
}
