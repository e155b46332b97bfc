package main

import (
	"fmt"
	"io"
	"time"

	"github.com/segel-id/segel/verify"
)

// words holds the text report's phrases in one language.
type words struct {
	headline map[verify.Indication]string
	sig, ts  string
	labels   map[string]string
	// coverage says what a signature covers and what followed it, in
	// the citizens' page's words (internal/citizen/words.go).
	coverage map[verify.Coverage]string
	// modLevel names the change analysis' modification levels
	// (SignatureReport.ModificationLevel).
	modLevel map[string]string
}

var lang = map[string]words{
	"id": {
		headline: map[verify.Indication]string{
			verify.TotalPassed:   "Dokumen asli dan tidak berubah sejak ditandatangani.",
			verify.TotalFailed:   "Tanda tangan tidak sah.",
			verify.Indeterminate: "Belum dapat dipastikan keabsahannya.",
			verify.NoSignature:   "Dokumen ini tidak bertanda tangan elektronik.",
		},
		sig: "Tanda tangan", ts: "Stempel waktu dokumen",
		labels: map[string]string{
			"verdict": "Hasil", "signer": "Penanda tangan", "org": "Organisasi", "issuer": "Penerbit",
			"claimed": "Waktu (menurut penanda tangan)", "timestamp": "Stempel waktu", "level": "Tingkat",
			"reason": "Alasan", "location": "Lokasi", "coverage": "Bagian yang ditandatangani",
			"kind": "Jenis", "tsa": "Penyedia stempel waktu",
			"error": "Kesalahan", "warning": "Peringatan",
			"changes": "Perubahan setelah ditandatangani", "modlevel": "Tingkat perubahan", "anchor": "Jangkar kepercayaan", "sha256": "SHA-256 dokumen",
			"why": "Sebab", "tskind": "Stempel waktu dokumen (RFC 3161): membuktikan dokumen sudah ada pada waktu itu; bukan tanda tangan seseorang",
		},
		coverage: map[verify.Coverage]string{
			verify.CoverageWhole:      "seluruh dokumen",
			verify.CoverageLTA:        "seluruh dokumen, diikuti hanya data validasi dan stempel waktu (yang tidak mengubah isi surat)",
			verify.CoverageSigned:     "seluruh dokumen saat ditandatangani, diikuti tanda tangan lain (serta data validasi dan stempel waktu)",
			verify.CoverageFormFilled: "dokumen saat ditandatangani; sesudahnya isian formulir diisi",
			verify.CoverageAnnotated:  "dokumen saat ditandatangani; sesudahnya ditambah anotasi",
			verify.CoverageChanged:    "dokumen saat ditandatangani; sesudahnya dokumen diubah",
			verify.CoverageUnknown:    "dokumen saat ditandatangani; perubahan sesudahnya tidak dapat dinilai",
		},
		modLevel: map[string]string{
			"NONE":         "tidak ada perubahan",
			"LTA_UPDATES":  "hanya data validasi dan stempel waktu dokumen",
			"FORM_FILLING": "isian formulir dan tanda tangan",
			"ANNOTATIONS":  "anotasi, isian formulir dan tanda tangan",
			"OTHER":        "perubahan lain",
		},
	},
	"en": {
		headline: map[verify.Indication]string{
			verify.TotalPassed:   "The document is authentic and unchanged since it was signed.",
			verify.TotalFailed:   "The signature is not valid.",
			verify.Indeterminate: "The signature cannot be confirmed yet.",
			verify.NoSignature:   "The document carries no electronic signature.",
		},
		sig: "Signature", ts: "Document timestamp",
		labels: map[string]string{
			"verdict": "Verdict", "signer": "Signer", "org": "Organisation", "issuer": "Issuer",
			"claimed": "Time (claimed by the signer)", "timestamp": "Timestamp", "level": "Level",
			"reason": "Reason", "location": "Location", "coverage": "What the signature covers",
			"kind": "Kind", "tsa": "Timestamp authority",
			"error": "Error", "warning": "Warning",
			"changes": "Changed after signing", "modlevel": "Modification level", "anchor": "Trust anchor", "sha256": "Document SHA-256",
			"why": "Because", "tskind": "Document timestamp (RFC 3161): proves the document existed at that time; it is no one's signature",
		},
		coverage: map[verify.Coverage]string{
			verify.CoverageWhole:      "the whole document",
			verify.CoverageLTA:        "the whole document, followed only by validation data and timestamps (which do not change the letter)",
			verify.CoverageSigned:     "the whole document as signed, followed by further signatures (and validation data and timestamps)",
			verify.CoverageFormFilled: "the document as signed; form fields were filled in afterwards",
			verify.CoverageAnnotated:  "the document as signed; annotations were added afterwards",
			verify.CoverageChanged:    "the document as signed; it was changed afterwards",
			verify.CoverageUnknown:    "the document as signed; the changes after it could not be judged",
		},
		modLevel: map[string]string{
			"NONE":         "no change",
			"LTA_UPDATES":  "validation data and document timestamps only",
			"FORM_FILLING": "form filling and signatures",
			"ANNOTATIONS":  "annotations, form filling and signatures",
			"OTHER":        "other changes",
		},
	},
}

// writeReport writes the report as text: the verdict first, then each
// signature.
func writeReport(w io.Writer, rep *verify.Report, l string) {
	t := lang[l]
	fmt.Fprintf(w, "%s (%s)\n", t.headline[rep.Indication], rep.Indication)
	// Say at once what failed or is missing: the first reason of the
	// worst signature.
	for _, s := range rep.Signatures {
		if s != nil && s.Indication == rep.Indication && len(s.Errors) > 0 {
			fmt.Fprintf(w, "%s: %s\n", t.labels["why"], s.Errors[0])
			break
		}
	}
	fmt.Fprintf(w, "%s: %s\n", t.labels["sha256"], rep.SHA256)
	for _, s := range rep.Warnings {
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
		fmt.Fprintf(w, "\n%s %d (%s)\n", t.sig, i+1, s.Field)
		line(w, t.labels["verdict"], verdictOf(s))
		if s.Signer != nil {
			line(w, t.labels["signer"], s.Signer.CommonName)
			line(w, t.labels["org"], s.Signer.Organization)
			line(w, t.labels["issuer"], s.Signer.Issuer)
		}
		line(w, t.labels["anchor"], s.TrustAnchor)
		line(w, t.labels["level"], string(s.Level))
		line(w, t.labels["claimed"], rfc3339(s.ClaimedSigningTime))
		if s.Timestamp != nil {
			line(w, t.labels["timestamp"], rfc3339(s.Timestamp.Time)+" ("+s.Timestamp.TSA+")")
		}
		line(w, t.labels["reason"], s.Reason)
		line(w, t.labels["location"], s.Location)
		// Not a bare "whole document: no" for a file that was only
		// augmented: verify decides what followed (SignatureReport.Coverage).
		line(w, t.labels["coverage"], t.coverage[s.Coverage(rep.Signatures)])
		line(w, t.labels["modlevel"], modLevelOf(t, s.ModificationLevel.String()))
		notes(w, t, s)
	}
}

// writeDocTimestamp writes document timestamp i of a report: what it is,
// its time and authority. Its PAdES level (always NONE: the levels are
// for signatures) and coverage are not shown, as on the citizens' page.
func writeDocTimestamp(w io.Writer, t words, i int, s *verify.SignatureReport) {
	fmt.Fprintf(w, "\n%s %d (%s)\n", t.ts, i+1, s.Field)
	line(w, t.labels["kind"], t.labels["tskind"])
	line(w, t.labels["verdict"], verdictOf(s))
	signer := ""
	if s.Signer != nil {
		signer = s.Signer.CommonName
		line(w, t.labels["tsa"], signer)
		line(w, t.labels["org"], s.Signer.Organization)
		line(w, t.labels["issuer"], s.Signer.Issuer)
	}
	line(w, t.labels["anchor"], s.TrustAnchor)
	if s.Timestamp != nil {
		when := rfc3339(s.Timestamp.Time)
		if s.Timestamp.TSA != "" && s.Timestamp.TSA != signer {
			when += " (" + s.Timestamp.TSA + ")"
		}
		line(w, t.labels["timestamp"], when)
	}
	notes(w, t, s)
}

// modLevelOf is a modification level in words with its code, "" when the
// change analysis did not run; a level the words lack is shown as its code.
func modLevelOf(t words, level string) string {
	if level == "" {
		return ""
	}
	if w, ok := t.modLevel[level]; ok {
		return w + " (" + level + ")"
	}
	return level
}

// rfc3339 writes a report's time as the text report always showed it:
// RFC 3339 in UTC, "" for the zero time (a time the report does not have).
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// verdictOf is a signature's indication and sub-indication.
func verdictOf(s *verify.SignatureReport) string {
	if s.SubIndication != "" {
		return string(s.Indication) + " / " + string(s.SubIndication)
	}
	return string(s.Indication)
}

// notes writes the changes, errors and warnings of a signature.
func notes(w io.Writer, t words, s *verify.SignatureReport) {
	for _, c := range s.ModifiedAfterSigning {
		line(w, t.labels["changes"], c)
	}
	for _, e := range s.Errors {
		line(w, t.labels["error"], e)
	}
	for _, e := range s.Warnings {
		line(w, t.labels["warning"], e)
	}
}

func line(w io.Writer, label, value string) {
	if value != "" {
		fmt.Fprintf(w, "  %-32s %s\n", label+":", value)
	}
}
