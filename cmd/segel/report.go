package main

import (
	"fmt"
	"io"
	"time"

	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

// words holds the text report's labels in one language. The verdicts,
// reasons, coverage and levels are verify/explain's, the vocabulary the
// citizens' page and the BSrE API share (docs/decisions.md, "One
// vocabulary (issue 14)").
type words struct {
	lang   explain.Lang
	labels map[string]string
	// loc is the zone the times are shown in (nil: WIB).
	loc *time.Location
}

var lang = map[string]words{
	"id": {
		lang: explain.ID,
		labels: map[string]string{
			"verdict": "Hasil", "signer": "Penanda tangan", "org": "Organisasi", "issuer": "Penerbit",
			"claimed": "Waktu (menurut penanda tangan)", "timestamp": "Stempel waktu", "level": "Tingkat",
			"reason": "Alasan", "location": "Lokasi", "coverage": "Bagian yang ditandatangani",
			"kind": "Jenis", "tsa": "Penyedia stempel waktu",
			"error": "Kesalahan", "warning": "Peringatan",
			"changes": "Perubahan setelah ditandatangani", "modlevel": "Tingkat perubahan", "anchor": "Jangkar kepercayaan", "sha256": "SHA-256 dokumen",
			"why": "Sebab",
		},
	},
	"en": {
		lang: explain.EN,
		labels: map[string]string{
			"verdict": "Verdict", "signer": "Signer", "org": "Organisation", "issuer": "Issuer",
			"claimed": "Time (claimed by the signer)", "timestamp": "Timestamp", "level": "Level",
			"reason": "Reason", "location": "Location", "coverage": "What the signature covers",
			"kind": "Kind", "tsa": "Timestamp authority",
			"error": "Error", "warning": "Warning",
			"changes": "Changed after signing", "modlevel": "Modification level", "anchor": "Trust anchor", "sha256": "Document SHA-256",
			"why": "Because",
		},
	},
}

// writeReport writes the report as text: the verdict first, then each
// signature, times in WIB.
func writeReport(w io.Writer, rep *verify.Report, l string) { writeReportIn(w, rep, l, nil) }

// writeReportIn is writeReport with the times in the zone loc.
func writeReportIn(w io.Writer, rep *verify.Report, l string, loc *time.Location) {
	t := lang[l]
	t.loc = loc
	fmt.Fprintf(w, "%s. (%s)\n", explain.ReportHeadline(t.lang, rep), rep.Indication)
	// A damaged or cut-short file: what to do, at once.
	if rep.Indication != verify.TotalPassed && explain.Damaged(rep) {
		fmt.Fprintln(w, explain.DamagedHelp(t.lang))
	}
	// Say at once what failed or is missing: the first reason of the
	// worst signature.
	for _, s := range rep.Signatures {
		if s == nil || s.Indication != rep.Indication {
			continue
		}
		if errs, _ := explain.Reasons(t.lang, s); len(errs) > 0 {
			fmt.Fprintf(w, "%s: %s\n", t.labels["why"], errs[0])
			break
		}
	}
	fmt.Fprintf(w, "%s: %s\n", t.labels["sha256"], rep.SHA256)
	for _, s := range explain.DocumentWarnings(t.lang, rep) {
		fmt.Fprintf(w, "%s: %s\n", t.labels["warning"], s)
	}
	for i, s := range rep.Signatures {
		if s == nil {
			continue
		}
		if s.Type == verify.TypeDocumentTimestamp {
			writeDocTimestamp(w, t, i, s)
			continue
		}
		fmt.Fprintf(w, "\n%s %d (%s)\n", explain.SignatureType(t.lang, s.Type), i+1, s.Field)
		line(w, t.labels["verdict"], verdictOf(t, s))
		if s.Signer != nil {
			line(w, t.labels["signer"], s.Signer.CommonName)
			line(w, t.labels["org"], s.Signer.Organization)
			line(w, t.labels["issuer"], s.Signer.Issuer)
		}
		line(w, t.labels["anchor"], s.TrustAnchor)
		// A failed signature's level is not the point: its check stopped
		// at the failure (the JSON keeps it).
		if explain.LevelAssessed(s) {
			line(w, t.labels["level"], levelOf(t, s.Level))
		}
		line(w, t.labels["claimed"], localTime(s.ClaimedSigningTime, t.loc))
		if s.Timestamp != nil {
			line(w, t.labels["timestamp"], localTime(s.Timestamp.Time, t.loc)+" ("+s.Timestamp.TSA+")")
		}
		line(w, t.labels["reason"], s.Reason)
		line(w, t.labels["location"], s.Location)
		// Not a bare "whole document: no" for a file that was only
		// augmented: verify decides what followed (SignatureReport.Coverage).
		// Unknown when the signed part runs past the end of the file.
		if !explain.CutShort(s) {
			line(w, t.labels["coverage"], explain.Coverage(t.lang, s.Coverage(rep.Signatures)))
		}
		line(w, t.labels["modlevel"], modLevelOf(t, s.ModificationLevel))
		notes(w, t, s)
	}
}

// writeDocTimestamp writes document timestamp i of a report: what it is,
// its time and authority. Its PAdES level (always NONE: the levels are
// for signatures) and coverage are not shown, as on the citizens' page.
func writeDocTimestamp(w io.Writer, t words, i int, s *verify.SignatureReport) {
	fmt.Fprintf(w, "\n%s %d (%s)\n", explain.SignatureType(t.lang, s.Type), i+1, s.Field)
	line(w, t.labels["kind"], explain.DocTimestampKind(t.lang))
	line(w, t.labels["verdict"], verdictOf(t, s))
	signer := ""
	if s.Signer != nil {
		signer = s.Signer.CommonName
		line(w, t.labels["tsa"], signer)
		line(w, t.labels["org"], s.Signer.Organization)
		line(w, t.labels["issuer"], s.Signer.Issuer)
	}
	line(w, t.labels["anchor"], s.TrustAnchor)
	if s.Timestamp != nil {
		when := localTime(s.Timestamp.Time, t.loc)
		if s.Timestamp.TSA != "" && s.Timestamp.TSA != signer {
			when += " (" + s.Timestamp.TSA + ")"
		}
		line(w, t.labels["timestamp"], when)
	}
	notes(w, t, s)
}

// modLevelOf is a modification level in words with its code, "" when the
// change analysis did not run; a level the words lack is shown as its
// code.
func modLevelOf(t words, level verify.ModLevel) string {
	switch level {
	case verify.NotAnalysed:
		return ""
	case verify.LevelNone, verify.LevelLTA, verify.LevelFormFilling, verify.LevelAnnotations, verify.LevelOther:
		return explain.ModLevel(t.lang, level) + " (" + string(level) + ")"
	}
	// A level from a newer Segel is shown as its code.
	return string(level)
}

// levelOf is a PAdES level with its meaning.
func levelOf(t words, level verify.Level) string {
	if w := explain.Level(t.lang, string(level)); w != "" {
		return string(level) + " — " + w
	}
	return string(level)
}

// verdictOf is a signature's verdict in words with its indication and
// sub-indication.
func verdictOf(t words, s *verify.SignatureReport) string {
	code := string(s.Indication)
	if s.SubIndication != "" {
		code += " / " + string(s.SubIndication)
	}
	return explain.SignatureVerdict(t.lang, s) + " (" + code + ")"
}

// notes writes the changes, errors and warnings of a signature.
func notes(w io.Writer, t words, s *verify.SignatureReport) {
	for _, c := range explain.Changes(t.lang, s) {
		line(w, t.labels["changes"], c)
	}
	errs, warns := explain.Reasons(t.lang, s)
	for _, e := range errs {
		line(w, t.labels["error"], e)
	}
	for _, e := range warns {
		line(w, t.labels["warning"], e)
	}
}

func line(w io.Writer, label, value string) {
	if value != "" {
		fmt.Fprintf(w, "  %-32s %s\n", label+":", value)
	}
}
