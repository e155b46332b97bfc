package main

import (
	"fmt"
	"io"

	"github.com/segel-id/segel/verify"
)

// words holds the text report's phrases in one language.
type words struct {
	headline map[verify.Indication]string
	sig, ts  string
	labels   map[string]string
}

var lang = map[string]words{
	"id": {
		headline: map[verify.Indication]string{
			verify.TotalPassed:   "Dokumen asli dan tidak berubah sejak ditandatangani.",
			verify.TotalFailed:   "Tanda tangan tidak sah.",
			verify.Indeterminate: "Belum dapat dipastikan keabsahannya.",
			verify.NoSignature:   "Dokumen ini tidak bertanda tangan elektronik.",
		},
		sig: "Tanda tangan", ts: "Cap waktu dokumen",
		labels: map[string]string{
			"verdict": "Hasil", "signer": "Penanda tangan", "org": "Organisasi", "issuer": "Penerbit",
			"claimed": "Waktu (menurut penanda tangan)", "timestamp": "Cap waktu", "level": "Tingkat",
			"reason": "Alasan", "location": "Lokasi", "whole": "Mencakup seluruh dokumen",
			"yes": "ya", "no": "tidak", "error": "Kesalahan", "warning": "Peringatan",
			"changes": "Perubahan setelah ditandatangani", "anchor": "Jangkar kepercayaan", "sha256": "SHA-256 dokumen",
			"why": "Sebab",
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
			"reason": "Reason", "location": "Location", "whole": "Covers the whole document",
			"yes": "yes", "no": "no", "error": "Error", "warning": "Warning",
			"changes": "Changed after signing", "anchor": "Trust anchor", "sha256": "Document SHA-256",
			"why": "Because",
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
		if s.Indication == rep.Indication && len(s.Errors) > 0 {
			fmt.Fprintf(w, "%s: %s\n", t.labels["why"], s.Errors[0])
			break
		}
	}
	fmt.Fprintf(w, "%s: %s\n", t.labels["sha256"], rep.SHA256)
	for _, s := range rep.Warnings {
		fmt.Fprintf(w, "%s: %s\n", t.labels["warning"], s)
	}
	for i, s := range rep.Signatures {
		kind := t.sig
		if s.Type == "document-timestamp" {
			kind = t.ts
		}
		fmt.Fprintf(w, "\n%s %d (%s)\n", kind, i+1, s.Field)
		verdict := string(s.Indication)
		if s.SubIndication != "" {
			verdict += " / " + string(s.SubIndication)
		}
		line(w, t.labels["verdict"], verdict)
		if s.Signer != nil {
			line(w, t.labels["signer"], s.Signer.CommonName)
			line(w, t.labels["org"], s.Signer.Organization)
			line(w, t.labels["issuer"], s.Signer.Issuer)
		}
		line(w, t.labels["anchor"], s.TrustAnchor)
		line(w, t.labels["level"], s.Level)
		line(w, t.labels["claimed"], s.ClaimedSigningTime)
		if s.Timestamp != nil {
			line(w, t.labels["timestamp"], s.Timestamp.Time+" ("+s.Timestamp.TSA+")")
		}
		line(w, t.labels["reason"], s.Reason)
		line(w, t.labels["location"], s.Location)
		whole := t.labels["no"]
		if s.CoversWholeDocument {
			whole = t.labels["yes"]
		}
		line(w, t.labels["whole"], whole)
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
}

func line(w io.Writer, label, value string) {
	if value != "" {
		fmt.Fprintf(w, "  %-32s %s\n", label+":", value)
	}
}
