// Package explain words a verification report for people: the one
// vocabulary of Segel's verdicts and reasons, in Indonesian (the default)
// and English. The CLI's text report, the citizens' page and the
// BSrE-compatible API all take their words from here, so that a reason
// reads the same everywhere and no English sentence reaches an
// Indonesian reader (docs/decisions.md, "One vocabulary (issue 14)").
//
// It words indications and sub-indications, the verdict headline, what a
// signature covers, modification levels, signature types and PAdES
// levels, and every error and warning of the verify package, from the
// typed notes of the report (verify.Note): each code has a sentence in
// both languages, with the note's values (a certificate's name, a date, a
// number) put in. The English technical detail a lower layer gives
// (Note.Args["detail"]) is shown only in English; an Indonesian sentence
// says what it means for the letter instead.
//
// Dates are written with Indonesian or English month names (Date, Month,
// Zone): the stamp, the register's sheets and the page use them.
package explain

import (
	"slices"
	"strings"

	"github.com/segel-id/segel/verify"
)

// Lang is a language of the words: ID (Indonesian, the default) or EN.
type Lang string

// The languages.
const (
	ID Lang = "id"
	EN Lang = "en"
)

// Parse returns the language named by s ("en", "EN", "en-US": English);
// anything else is Indonesian, the default.
func Parse(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_") {
		return EN
	}
	return ID
}

// text is one phrase in both languages.
type text struct{ id, en string }

func (t text) in(l Lang) string {
	if l == EN {
		return t.en
	}
	return t.id
}

// Kind is how a verdict is presented to a reader: its colour and the
// tone of its headline.
type Kind int

// The kinds, from the best to the worst; Summary prefers the worst.
const (
	// KindPassed is TOTAL_PASSED: green.
	KindPassed Kind = iota
	// KindNoSignature is a document without a signature.
	KindNoSignature
	// KindUnsure is yellow: the verdict may change later (revocation
	// status unavailable, no proof of existence yet).
	KindUnsure
	// KindUnproven is red: it cannot be proven, and waiting will not help.
	KindUnproven
	// KindUntrusted is red: the certificate reaches no trusted issuer.
	KindUntrusted
	// KindFailed is red: TOTAL_FAILED.
	KindFailed
)

// Class is the colour of a kind as the page's CSS names it: ok (green),
// warn (yellow) or bad (red).
func (k Kind) Class() string {
	switch k {
	case KindPassed:
		return "ok"
	case KindUnsure:
		return "warn"
	}
	return "bad"
}

// untrustedSubs are the sub-indications of a signer's certificate that no
// trusted issuer vouches for: an unknown or self-made CA, a self-signed
// certificate, or an issuer this deployment does not accept. Everything
// in such a certificate (name, agency) is its holder's claim.
var untrustedSubs = map[verify.SubIndication]bool{
	verify.NoCertificateChainFound: true,
	verify.ChainConstraintsFailure: true,
}

// laterSubs are the INDETERMINATE sub-indications that may resolve later
// or with more evidence: revocation status unavailable or out of date, no
// proof of existence. Only these read "Belum dapat dipastikan".
var laterSubs = map[verify.SubIndication]bool{
	verify.TryLater:                      true,
	verify.RevocationOutOfBoundsNoPOE:    true,
	verify.NoPOE:                         true,
	verify.OutOfBoundsNoPOE:              true,
	verify.OutOfBoundsNotRevoked:         true,
	verify.RevokedNoPOE:                  true,
	verify.CryptoConstraintsFailureNoPOE: true,
}

// Untrusted reports whether sub says that no trusted issuer vouches for
// the signer's certificate, so that its name and agency are claims only.
func Untrusted(sub verify.SubIndication) bool { return untrustedSubs[sub] }

// MayResolve reports whether an INDETERMINATE verdict with sub may change
// later or with more evidence (the yellow verdicts).
func MayResolve(sub verify.SubIndication) bool { return laterSubs[sub] }

// KindOf classifies an indication and its sub-indication. It fails
// closed: an indication it does not know reads as INDETERMINATE, and an
// INDETERMINATE sub-indication it does not know as unproven (red).
func KindOf(ind verify.Indication, sub verify.SubIndication) Kind {
	switch ind {
	case verify.TotalPassed:
		return KindPassed
	case verify.NoSignature:
		return KindNoSignature
	case verify.TotalFailed:
		return KindFailed
	}
	switch {
	case untrustedSubs[sub]:
		return KindUntrusted
	case laterSubs[sub]:
		return KindUnsure
	}
	return KindUnproven
}

// Summary returns the indication a report's headline speaks for and the
// sub-indication that explains it: the report's, explained by the worst
// signature that has it. A report that claims TOTAL_PASSED while a
// signature did not pass, or without a signature, is not believed.
func Summary(rep *verify.Report) (verify.Indication, verify.SubIndication) {
	ind := rep.Indication
	switch ind {
	case verify.TotalPassed, verify.TotalFailed, verify.Indeterminate, verify.NoSignature:
	default:
		ind = verify.Indeterminate
	}
	if ind == verify.TotalPassed {
		if len(rep.Signatures) == 0 {
			return verify.Indeterminate, ""
		}
		for _, s := range rep.Signatures {
			if s == nil || s.Indication != verify.TotalPassed {
				return verify.Indeterminate, ""
			}
		}
		return ind, ""
	}
	if ind == verify.NoSignature && len(rep.Signatures) > 0 {
		ind = verify.Indeterminate
	}
	// The worst sub-indication speaks: an untrusted issuer on one
	// signature is not hidden behind a "try later" on another.
	var (
		best  verify.SubIndication
		worst = Kind(-1)
	)
	for _, s := range rep.Signatures {
		if s != nil && s.Indication == ind {
			if k := KindOf(ind, s.SubIndication); k > worst {
				best, worst = s.SubIndication, k
			}
		}
	}
	return ind, best
}

// Headline phrases. Only passed may begin "Dokumen asli" / "Authentic";
// every TOTAL_FAILED headline holds "tidak sah" / "not valid"; an
// INDETERMINATE one is red "Jangan dipercaya" when the signer's
// certificate reaches no trusted issuer, yellow "Belum dapat dipastikan"
// only when the verdict may still change, and red "Tidak dapat dibuktikan
// asli" otherwise (docs/decisions.md, "Citizens' verdicts").
var (
	headPassed      = text{"Dokumen asli dan tidak berubah sejak ditandatangani", "Authentic document, unchanged since it was signed"}
	headNoSignature = text{"Dokumen ini tidak memiliki tanda tangan elektronik", "This document has no electronic signature"}
	headFailed      = text{"Tanda tangan tidak sah", "Signature not valid"}
	headUntrusted   = text{"Jangan dipercaya: penerbit sertifikat tidak dikenal", "Do not trust: unknown certificate issuer"}
	headUnproven    = text{"Tidak dapat dibuktikan asli", "Cannot be proven authentic"}
	headUnsure      = text{"Belum dapat dipastikan", "Cannot be confirmed yet"}
	unsureDefault   = text{"keabsahan tanda tangan belum dapat diperiksa sepenuhnya", "the signature could not be checked completely"}
	headDamaged     = text{"Berkas rusak atau tidak lengkap: tanda tangan elektronik tidak dapat diperiksa", "The file is damaged or incomplete: no electronic signature can be checked"}
	cutShortWhy     = text{"berkas terpotong atau tidak lengkap, sehingga tanda tangan tidak dapat diperiksa", "the file is cut short or incomplete, so the signature cannot be checked"}
	damagedHelp     = text{"Minta berkas aslinya kepada pengirim, atau unduh lagi selengkapnya dari tautan kode QR pada surat. Salinan yang rusak atau terpotong tidak membuktikan apa pun tentang surat itu.", "Ask the sender for the original file, or download it again, completely, from the link of the letter's QR code. A damaged or cut-short copy proves nothing about the letter."}
	sigPassed       = text{"Tanda tangan sah", "Valid signature"}
	tsPassed        = text{"Stempel waktu sah", "Valid timestamp"}
)

// subWords says what a sub-indication means for the letter.
var subWords = map[verify.SubIndication]text{
	verify.HashFailure:                    {"dokumen diubah setelah ditandatangani", "the document was changed after it was signed"},
	verify.ModifiedAfterSigning:           {"dokumen diubah setelah ditandatangani", "the document was changed after it was signed"},
	verify.SigCryptoFailure:               {"tanda tangan tidak cocok dengan sertifikat penanda tangan (rusak atau dipalsukan)", "the signature does not match the signer's certificate (damaged or forged)"},
	verify.FormatFailure:                  {"susunan tanda tangan rusak atau tidak sesuai standar", "the signature is damaged or not built to the standard"},
	verify.Revoked:                        {"sertifikat penanda tangan sudah dicabut sebelum surat ditandatangani", "the signer's certificate had been revoked before the letter was signed"},
	verify.Expired:                        {"sertifikat penanda tangan sudah kedaluwarsa saat surat ditandatangani", "the signer's certificate had expired when the letter was signed"},
	verify.NotYetValid:                    {"sertifikat penanda tangan belum berlaku saat surat ditandatangani", "the signer's certificate was not yet valid when the letter was signed"},
	verify.CryptoConstraintsFailure:       {"algoritme kriptografi tanda tangan sudah tidak aman", "the signature's cryptographic algorithm is no longer secure"},
	verify.NoCertificateChainFound:        {"sertifikat penanda tangan tidak diterbitkan oleh penerbit yang dipercaya; nama dan instansi di dalamnya tidak terbukti", "the signer's certificate is not from a trusted issuer; the name and agency in it are not proven"},
	verify.OutOfBoundsNoPOE:               {"sertifikat sudah kedaluwarsa dan surat tidak memiliki stempel waktu yang membuktikan ditandatangani tepat waktu", "the certificate has expired and the letter carries no timestamp proving it was signed in time"},
	verify.OutOfBoundsNotRevoked:          {"sertifikat sudah kedaluwarsa dan tidak ada bukti surat ditandatangani selagi sertifikat berlaku", "the certificate has expired and nothing proves the letter was signed while it was valid"},
	verify.TryLater:                       {"status pencabutan sertifikat belum dapat diperiksa; coba lagi nanti", "the certificate's revocation status cannot be checked yet; try again later"},
	verify.RevokedNoPOE:                   {"sertifikat penanda tangan sudah dicabut dan tidak ada stempel waktu yang membuktikan surat ditandatangani sebelum pencabutan", "the signer's certificate has been revoked and no timestamp proves the letter was signed before that"},
	verify.RevocationOutOfBoundsNoPOE:     {"data status pencabutan sertifikat sudah usang dan tidak ada bukti waktu penandatanganan", "the certificate's revocation data is out of date and nothing proves when the letter was signed"},
	verify.NoSigningCertificateFound:      {"sertifikat penanda tangan tidak ditemukan di dalam tanda tangan", "the signer's certificate is not in the signature"},
	verify.SignedDataNotFound:             {"bagian dokumen yang ditandatangani tidak dapat ditemukan", "the signed part of the document cannot be found"},
	verify.ChainConstraintsFailure:        {"sertifikat penanda tangan tidak diterbitkan oleh penerbit yang diterima di sini; nama dan instansi di dalamnya tidak terbukti", "the signer's certificate is not from an issuer accepted here; the name and agency in it are not proven"},
	verify.CertificateChainGeneralFailure: {"rantai sertifikat penanda tangan tidak dapat diperiksa", "the signer's certificate chain cannot be checked"},
	verify.CryptoConstraintsFailureNoPOE:  {"algoritme kriptografinya sudah lemah dan tidak ada bukti surat ditandatangani sebelum itu", "its algorithm has become weak and nothing proves the letter was signed before that"},
	verify.SignatureConstraintsFailure:    {"tanda tangan tidak memuat unsur yang diwajibkan", "the signature lacks required elements"},
	verify.PolicyProcessingError:          {"kebijakan pemeriksaan tidak dapat diterapkan", "the validation policy cannot be applied"},
	verify.TimestampOrderFailure:          {"urutan stempel waktu pada tanda tangan tidak masuk akal", "the timestamps of the signature are in an impossible order"},
	verify.NoPOE:                          {"tidak ada bukti kapan surat ditandatangani", "nothing proves when the letter was signed"},
	verify.GenericIndeterminate:           {"pemeriksaan tidak dapat diselesaikan", "the check could not be completed"},
	verify.UnsupportedFeature:             {"dokumen memakai fitur yang belum dapat diperiksa (misalnya dikunci dengan kata sandi)", "the document uses a feature that cannot be checked yet (for example a password)"},
}

// SubIndications returns every sub-indication the verify package
// defines, for readers and tests that must word each one.
func SubIndications() []verify.SubIndication {
	return []verify.SubIndication{
		verify.FormatFailure, verify.HashFailure, verify.SigCryptoFailure, verify.Revoked, verify.Expired,
		verify.NotYetValid, verify.CryptoConstraintsFailure, verify.ModifiedAfterSigning,
		verify.NoCertificateChainFound, verify.NoSigningCertificateFound, verify.RevokedNoPOE,
		verify.OutOfBoundsNoPOE, verify.OutOfBoundsNotRevoked, verify.CryptoConstraintsFailureNoPOE,
		verify.TryLater, verify.SignedDataNotFound, verify.ChainConstraintsFailure,
		verify.CertificateChainGeneralFailure, verify.SignatureConstraintsFailure, verify.PolicyProcessingError,
		verify.TimestampOrderFailure, verify.RevocationOutOfBoundsNoPOE, verify.NoPOE,
		verify.GenericIndeterminate, verify.UnsupportedFeature,
	}
}

// SubIndication says in words what a sub-indication means for the
// letter; "" for none, and a general phrase for one it does not know.
func SubIndication(l Lang, sub verify.SubIndication) string {
	if sub == "" {
		return ""
	}
	if w, ok := subWords[sub]; ok {
		return w.in(l)
	}
	return unsureDefault.in(l)
}

// Indication names a main indication in words ("sah", "tidak sah", ...).
func Indication(l Lang, ind verify.Indication) string {
	switch ind {
	case verify.TotalPassed:
		return text{"sah", "valid"}.in(l)
	case verify.TotalFailed:
		return text{"tidak sah", "not valid"}.in(l)
	case verify.NoSignature:
		return text{"tanpa tanda tangan", "no signature"}.in(l)
	}
	return text{"belum dapat dipastikan", "not confirmed"}.in(l)
}

// Headline is the verdict in plain words for an indication and its
// sub-indication, as the page and the CLI lead with it. It fails closed:
// only TOTAL_PASSED reads "Dokumen asli", and only what may resolve later
// reads "Belum dapat dipastikan".
func Headline(l Lang, ind verify.Indication, sub verify.SubIndication) string {
	switch KindOf(ind, sub) {
	case KindPassed:
		return headPassed.in(l)
	case KindNoSignature:
		return headNoSignature.in(l)
	case KindFailed:
		if why, ok := subWords[sub]; ok && sub.Implies() == verify.TotalFailed {
			return headFailed.in(l) + ": " + why.in(l)
		}
		return headFailed.in(l)
	case KindUntrusted:
		return headUntrusted.in(l)
	case KindUnsure:
		return headUnsure.in(l) + ": " + subWords[sub].in(l)
	}
	why, ok := subWords[sub]
	if !ok || sub.Implies() != verify.Indeterminate {
		why = unsureDefault
	}
	return headUnproven.in(l) + ": " + why.in(l)
}

// ReportHeadline is the headline of a whole report: Summary, then
// Headline, except for a file that is damaged or cut short. A file
// without a signature that had to be repaired (Damaged) reads "Berkas
// rusak atau tidak lengkap", not "tidak memiliki tanda tangan": a copy
// cut short loses its signature with its end, and its holder must not be
// told the letter was never signed. A signature that failed because its
// ranges reach beyond the end of the file (TOTAL_FAILED, FORMAT_FAILURE)
// still reads "Tanda tangan tidak sah", with that reason
// (docs/decisions.md, "Damaged and failed letters on the page (issue
// 14)").
func ReportHeadline(l Lang, rep *verify.Report) string {
	ind, sub := Summary(rep)
	switch {
	case ind == verify.NoSignature && Damaged(rep):
		return headDamaged.in(l)
	case ind == verify.TotalFailed && sub == verify.FormatFailure && slices.ContainsFunc(rep.Signatures, func(s *verify.SignatureReport) bool {
		return s != nil && s.Indication == verify.TotalFailed && CutShort(s)
	}):
		return cutShortHeadline(l)
	}
	return Headline(l, ind, sub)
}

// cutShortHeadline is the verdict on a signature, or a report, that
// failed because the file is cut short (CutShort).
func cutShortHeadline(l Lang) string { return headFailed.in(l) + ": " + cutShortWhy.in(l) }

// Damaged reports whether a report's file is damaged or incomplete: its
// cross-reference was broken and had to be rebuilt (verify.CodeRepaired),
// as a file cut short has it, or a signature's ranges reach beyond its
// end (CutShort).
func Damaged(rep *verify.Report) bool {
	for _, n := range rep.Notes {
		if n.Code == verify.CodeRepaired {
			return true
		}
	}
	return slices.ContainsFunc(rep.Signatures, func(s *verify.SignatureReport) bool { return s != nil && CutShort(s) })
}

// CutShort reports whether a signature failed because its signed ranges
// reach beyond the end of the file (verify.CodeRangesPastEnd): the file
// is incomplete, so the signature cannot be checked.
func CutShort(s *verify.SignatureReport) bool {
	for _, n := range s.Notes {
		if n.Code == verify.CodeRangesPastEnd {
			return true
		}
	}
	return false
}

// DamagedHelp is what the holder of a damaged or incomplete file should
// do: get the whole file again.
func DamagedHelp(l Lang) string { return damagedHelp.in(l) }

// LevelAssessed reports whether a signature's PAdES level is worth
// showing a reader: not for a signature that failed (TOTAL_FAILED), whose
// check stopped at the failure, so that its level (often NONE) says
// nothing about the letter. The report keeps the level (its JSON is a
// contract); the page and the CLI's text leave the line out.
func LevelAssessed(s *verify.SignatureReport) bool {
	return s != nil && s.Indication != verify.TotalFailed
}

// SignatureVerdict is the verdict line of one signature. A signature that
// passed reads "Tanda tangan sah" (a document timestamp "Stempel waktu
// sah"), never "Dokumen asli": that phrase is for the whole document.
func SignatureVerdict(l Lang, s *verify.SignatureReport) string {
	if s.Indication == verify.TotalPassed {
		if s.Type == verify.TypeDocumentTimestamp {
			return tsPassed.in(l)
		}
		return sigPassed.in(l)
	}
	ind := s.Indication
	if ind != verify.TotalFailed {
		ind = verify.Indeterminate
	} else if s.SubIndication == verify.FormatFailure && CutShort(s) {
		return cutShortHeadline(l)
	}
	return Headline(l, ind, s.SubIndication)
}

// SignatureType names a signature type: "Tanda tangan" or "Stempel waktu
// dokumen".
func SignatureType(l Lang, t verify.SignatureType) string {
	if t == verify.TypeDocumentTimestamp {
		return text{"Stempel waktu dokumen", "Document timestamp"}.in(l)
	}
	return text{"Tanda tangan", "Signature"}.in(l)
}

// DocTimestampKind says what a document timestamp is.
func DocTimestampKind(l Lang) string {
	return text{"Stempel waktu dokumen (RFC 3161): membuktikan dokumen sudah ada pada waktu itu; bukan tanda tangan seseorang",
		"Document timestamp (RFC 3161): proves the document existed at that time; it is no one's signature"}.in(l)
}

// coverageWords are the words of each coverage.
var coverageWords = map[verify.Coverage]text{
	verify.CoverageWhole:      {"seluruh dokumen", "the whole document"},
	verify.CoverageLTA:        {"seluruh dokumen, diikuti hanya data validasi dan stempel waktu (yang tidak mengubah isi surat)", "the whole document, followed only by validation data and timestamps (which do not change the letter)"},
	verify.CoverageSigned:     {"seluruh dokumen saat ditandatangani, diikuti tanda tangan lain (serta data validasi dan stempel waktu)", "the whole document as signed, followed by further signatures (and validation data and timestamps)"},
	verify.CoverageFormFilled: {"dokumen saat ditandatangani; sesudahnya isian formulir diisi", "the document as signed; form fields were filled in afterwards"},
	verify.CoverageAnnotated:  {"dokumen saat ditandatangani; sesudahnya ditambah anotasi", "the document as signed; annotations were added afterwards"},
	verify.CoverageChanged:    {"dokumen saat ditandatangani; sesudahnya dokumen diubah", "the document as signed; it was changed afterwards"},
	verify.CoverageUnknown:    {"dokumen saat ditandatangani; perubahan sesudahnya tidak dapat dinilai", "the document as signed; the changes after it could not be judged"},
}

// Coverage says what a signature covers and what followed it
// (verify.SignatureReport.Coverage), instead of a bare "covers the whole
// document: no" for a file that was only augmented.
func Coverage(l Lang, c verify.Coverage) string {
	if w, ok := coverageWords[c]; ok {
		return w.in(l)
	}
	return coverageWords[verify.CoverageUnknown].in(l)
}

// modLevelWords are the words of each modification level.
var modLevelWords = map[verify.ModLevel]text{
	verify.LevelNone:        {"tidak ada perubahan", "no change"},
	verify.LevelLTA:         {"hanya data validasi dan stempel waktu dokumen", "validation data and document timestamps only"},
	verify.LevelFormFilling: {"isian formulir dan tanda tangan", "form filling and signatures"},
	verify.LevelAnnotations: {"anotasi, isian formulir dan tanda tangan", "annotations, form filling and signatures"},
	verify.LevelOther:       {"perubahan lain", "other changes"},
}

// ModLevel words a modification level; "" for NotAnalysed, and a level it
// does not know as "perubahan lain" (it ranks as OTHER).
func ModLevel(l Lang, m verify.ModLevel) string {
	if m == verify.NotAnalysed {
		return ""
	}
	if w, ok := modLevelWords[m]; ok {
		return w.in(l)
	}
	return modLevelWords[verify.LevelOther].in(l)
}

// Level explains a PAdES level in plain words. It accepts the report's
// names (PAdES-BASELINE-LT) and the register's (B-LT); "" for none.
func Level(l Lang, level string) string {
	u := strings.ToUpper(level)
	suffix := u
	if i := strings.LastIndexByte(u, '-'); i >= 0 {
		suffix = u[i+1:]
	}
	switch {
	case u == "":
		return ""
	case u == "NONE":
		return text{"tidak memenuhi profil PAdES", "meets no PAdES baseline level"}.in(l)
	case suffix == "B":
		return text{"tanda tangan dasar, tanpa stempel waktu", "basic signature, without a timestamp"}.in(l)
	case suffix == "T":
		return text{"dengan stempel waktu tepercaya", "with a trusted timestamp"}.in(l)
	case suffix == "LT":
		return text{"dengan stempel waktu dan data validasi jangka panjang", "with a timestamp and long-term validation data"}.in(l)
	case suffix == "LTA":
		return text{"dengan stempel waktu arsip untuk pemeriksaan jangka panjang", "with an archive timestamp for long-term checking"}.in(l)
	}
	return ""
}
