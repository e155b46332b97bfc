package explain

import (
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/verify"
)

// noteWords are the sentences of each reason code. {name} is replaced by
// the note's value of that name (dates and levels worded in the
// language); {detail} is English technical detail and appears only in
// the English sentences.
var noteWords = map[verify.Code]text{
	verify.CodeStructure:            {"susunan tanda tangan di dalam berkas PDF tidak sah, sehingga bagian yang ditandatangani tidak dapat dipastikan", "the signature's structure in the PDF is unsound: {detail}"},
	verify.CodeCMSUnparsable:        {"data tanda tangan (CMS) rusak dan tidak dapat dibaca", "the signature (CMS) cannot be parsed: {detail}"},
	verify.CodeCMSNoSigner:          {"data tanda tangan (CMS) tidak memuat penanda tangan", "the CMS holds no signer"},
	verify.CodeContentsPadding:      {"ada {n} byte tambahan setelah data tanda tangan; byte itu bukan bagian dari tanda tangan dan diabaikan", "/Contents holds {n} bytes after the signature's CMS that are not zero padding; they are ignored"},
	verify.CodeSubFilterUnsupported: {"jenis tanda tangan ({subFilter}) belum dapat diperiksa", "the signature type (SubFilter {subFilter}) is not supported"},
	verify.CodeSignedRangesUnread:   {"bagian berkas yang ditandatangani tidak dapat dibaca", "reading the signed ranges: {detail}"},
	verify.CodeSignerCertMissing:    {"sertifikat penanda tangan tidak ada di dalam tanda tangan", "the signer's certificate is not in the signature: {detail}"},
	verify.CodeSignatureMalformed:   {"data tanda tangan rusak", "the signature is malformed: {detail}"},
	verify.CodeSignatureFormat:      {"data tanda tangan tidak sesuai dengan jenisnya", "the signature does not match its kind: {detail}"},
	verify.CodeSigningCertAttrBad:   {"atribut sertifikat penanda tangan di dalam tanda tangan rusak", "the signing-certificate attribute is malformed: {detail}"},
	verify.CodeSigningCertAttrOther: {"atribut sertifikat penanda tangan menunjuk sertifikat lain daripada yang memverifikasi tanda tangan", "the signing-certificate attribute does not identify the certificate that verifies the signature"},
	verify.CodeSigningTimeAttr:      {"tanda tangan memuat atribut waktu penandatanganan (signingTime) yang dilarang oleh profil PAdES, sehingga tingkatnya NONE", "the CMS carries a signingTime attribute, which PAdES baseline signatures must not: the level is NONE"},
	verify.CodeNoSigningCertAttr:    {"tanda tangan tidak memuat atribut sertifikat penanda tangan yang diwajibkan PAdES, sehingga tingkatnya NONE", "the CMS has no signing-certificate attribute, which PAdES requires: the level is NONE"},
	verify.CodeCMSSigners:           {"data tanda tangan memuat {n} penanda tangan; penanda tangan ke-{i} ({signer}) yang mencakup dokumen dan yang diperiksa", "the CMS holds {n} signers; signer {i} ({signer}) covers the document and is the one validated"},
	verify.CodeCMSOtherSigners:      {"penanda tangan lain di dalam data tanda tangan tidak diperiksa dan tidak dihitung", "the other signers of the CMS are not validated and count for nothing: {detail}"},
	verify.CodeNoSignerCovers:       {"tidak satu pun dari {n} penanda tangan mencakup dokumen ini: dokumen diubah setelah ditandatangani, atau yang ditandatangani berkas lain", "none of the {n} signers of the CMS covers the document: it was changed after signing, or they signed something else"},
	verify.CodeNoSignerCert:         {"tidak ada penanda tangan yang disertai sertifikatnya", "no signer of the CMS comes with its certificate{detail}"},

	verify.CodeDigestUnsupported:    {"algoritme sidik jari tanda tangan belum didukung", "the digest algorithm is not supported: {detail}"},
	verify.CodeDigestMismatch:       {"dokumen diubah setelah ditandatangani: sidik jari bagian yang ditandatangani tidak cocok", "the document was changed after signing: the digest of the signed bytes does not match"},
	verify.CodeSHA1DigestMismatch:   {"sidik jari SHA-1 yang ditandatangani tidak sama dengan sidik jari dokumen", "the signed SHA-1 digest is not the document's"},
	verify.CodeSignatureValue:       {"nilai tanda tangan tidak cocok dengan kunci publik penanda tangan", "the signature value does not verify with the signer's public key"},
	verify.CodeAlgorithmUnsupported: {"algoritme tanda tangan belum didukung", "the signature algorithm is not supported: {detail}"},
	verify.CodeHashMismatch:         {"algoritme tanda tangan memakai {sigHash}, sedangkan algoritme sidik jari dokumen {hash}; atribut yang ditandatangani diperiksa dengan {sigHash}", "the signature algorithm hashes with {sigHash} while the digest algorithm is {hash}; the signed attributes verify with {sigHash}"},
	verify.CodeSigHashWeak:          {"algoritme {hash} pada tanda tangan sudah tidak dianggap aman", "the signature algorithm's hash {hash} is no longer considered secure"},
	verify.CodeDigestWeak:           {"algoritme sidik jari {hash} sudah tidak dianggap aman", "the digest algorithm {hash} is no longer considered secure"},
	verify.CodeRSAKeyShort:          {"kunci RSA penanda tangan hanya {bits} bit, kurang dari 2048", "the signer's RSA key has {bits} bits, fewer than 2048"},
	verify.CodeECKeyShort:           {"kunci EC penanda tangan hanya {bits} bit, kurang dari 256", "the signer's EC key has {bits} bits, fewer than 256"},

	verify.CodeTimestampRangesUnread: {"bagian berkas yang diberi stempel waktu tidak dapat dibaca", "reading the timestamped ranges: {detail}"},
	verify.CodeTimestampImprint:      {"sidik jari dalam stempel waktu tidak sama dengan sidik jari dokumen", "the timestamp's message imprint is not the document's digest"},
	verify.CodeSigTimestampUnparsed:  {"stempel waktu tanda tangan ke-{n} rusak dan diabaikan", "signature timestamp {n} cannot be parsed; it is ignored"},
	verify.CodeSigTimestampOther:     {"stempel waktu tanda tangan ke-{n} bukan untuk tanda tangan ini dan diabaikan", "signature timestamp {n} is not over this signature and is ignored"},
	verify.CodeSigTimestampInvalid:   {"stempel waktu tanda tangan ke-{n} tidak sah dan diabaikan", "signature timestamp {n} is not valid and is ignored: {detail}"},
	verify.CodeSigTimestampIgnored:   {"stempel waktu tanda tangan ke-{n} tidak dapat dipercaya dan diabaikan", "signature timestamp {n}: {detail}; it is ignored"},
	verify.CodeTSACertMissing:        {"sertifikat penyedia stempel waktu tidak ada di dalam stempel waktu", "the TSA certificate is not in the timestamp: {detail}"},
	verify.CodeTSACertUnbound:        {"stempel waktu tidak mengikat sertifikat penyedianya", "the timestamp does not bind its TSA certificate: {detail}"},
	verify.CodeTSACertNotTSA:         {"sertifikat pada stempel waktu bukan sertifikat penyedia stempel waktu", "the timestamp's certificate is not a TSA certificate: {detail}"},
	verify.CodeDocTimestampPOE:       {"stempel waktu dokumen membuktikan tanda tangan sudah ada pada {time}", "a document timestamp proves the signature existed at {time}"},

	verify.CodeChainNotFound:         {"sertifikat penanda tangan tidak terhubung ke penerbit sertifikat yang dipercaya", "no certificate path to a trusted anchor: {detail}"},
	verify.CodeIssuerNotAccepted:     {"sertifikat penanda tangan tidak diterbitkan oleh penerbit yang diterima pada pemeriksaan ini ({issuers})", "the signer's certificate is not issued by a CA this verification accepts ({issuers})"},
	verify.CodeCertKeyUsage:          {"sertifikat {cert} tidak diterbitkan untuk tanda tangan (penggunaan kuncinya bukan digitalSignature atau nonRepudiation)", "the certificate {cert} is not for signatures: its key usage has neither digitalSignature nor nonRepudiation"},
	verify.CodeCertExtKeyUsage:       {"sertifikat {cert} tidak diterbitkan untuk menandatangani dokumen (penggunaan kunci lanjutannya hanya untuk keperluan lain, seperti server TLS)", "the certificate {cert} is not for signing documents: its extended key usage is for other purposes only (a TLS server's, say)"},
	verify.CodeCertExpired:           {"sertifikat {cert} kedaluwarsa pada {date}, sebelum waktu tanda tangan yang terbukti ({poe})", "the certificate {cert} expired on {date}, before the signature's proven time {poe}"},
	verify.CodeCertExpiredNoPOE:      {"sertifikat {cert} kedaluwarsa pada {date} dan tidak ada bukti bahwa tanda tangan dibuat sebelumnya", "the certificate {cert} expired on {date} and nothing proves the signature existed before"},
	verify.CodeCertNotYetValid:       {"sertifikat {cert} baru berlaku sejak {date}, sesudah tanda tangan dibuat", "the certificate {cert} is valid only from {date}, after the signature was made"},
	verify.CodePinnedNoIssuer:        {"sertifikat {cert} disematkan tanpa penerbitnya, sehingga status pencabutannya tidak diketahui", "the pinned certificate {cert} comes without its issuer: its revocation status is not known"},
	verify.CodeNoRevocationSource:    {"sertifikat {cert} tidak menyebutkan sumber status pencabutan (OCSP atau CRL), sehingga status pencabutannya tidak diketahui", "the certificate {cert} names no revocation source (OCSP or CRL): its revocation status is not known"},
	verify.CodeRevocationUnavailable: {"status pencabutan sertifikat {cert} belum dapat diperoleh; coba lagi nanti", "the revocation status of {cert} cannot be established: {detail}"},
	verify.CodeRevokedAfterPOE:       {"sertifikat {cert} dicabut pada {date}, sesudah waktu tanda tangan yang terbukti", "the certificate {cert} was revoked on {date}, after the signature's proven time"},
	verify.CodeRevoked:               {"sertifikat {cert} dicabut pada {date}, sebelum waktu tanda tangan yang terbukti ({poe})", "the certificate {cert} was revoked on {date}, before the signature's proven time {poe}"},
	verify.CodeRevokedNoPOE:          {"sertifikat {cert} dicabut pada {date} dan tidak ada bukti bahwa tanda tangan dibuat sebelumnya", "the certificate {cert} was revoked on {date} and nothing proves the signature was made before"},
	verify.CodeRevocationUnknown:     {"sumber {source} tidak mengetahui status pencabutan sertifikat {cert}", "the revocation status of {cert} is unknown to its {source} source"},

	verify.CodeChangesStopped:    {"pemeriksaan perubahan setelah penandatanganan dihentikan sebelum selesai", "the analysis of the changes after the signature was stopped: {detail}"},
	verify.CodeChangesUnanalysed: {"perubahan setelah penandatanganan tidak dapat dinilai", "the changes after the signature cannot be analysed: {detail}"},
	verify.CodeChanged:           {"dokumen diubah setelah tanda tangan ini; {level}", "the document was changed after this signature: {change}"},
	verify.CodeDocMDPForbids:     {"sertifikasi dokumen (DocMDP P={p}) tidak mengizinkan perubahan ini; {level}", "the certification (DocMDP P={p}) does not permit this change: {change}"},
	verify.CodeMoreChanges:       {"dan {n} perubahan lain yang tidak diizinkan", "and {n} more changes that are not permitted"},
	verify.CodeFieldLocked:       {"isian {field}, yang dikunci oleh tanda tangan ini (FieldMDP), diubah", "field {field}, locked by this signature (FieldMDP /{action}), was changed: {change}"},
	verify.CodeRangesPastEnd:     {"berkas terpotong atau tidak lengkap: bagian yang ditandatangani melewati akhir berkas ({n} byte)", "the file is cut short or incomplete: the signed ranges reach beyond its end ({n} bytes)"},
	verify.CodeDamagedAfter:      {"berkas rusak atau ditambah setelah ditandatangani dengan cara yang tidak dapat dinilai (mulai byte {from})", "the document was damaged or extended after signing in a way that cannot be analysed (from byte {from})"},
	verify.CodeDamageSigned:      {"struktur berkas rusak, tetapi tanda tangan ini mencakup seluruh berkas: kerusakan itu ikut ditandatangani, bukan ditambahkan sesudahnya", "the file's cross-reference is damaged, but this signature covers the whole file: the damage was signed, not added later"},
	verify.CodeSignatureRemoved:  {"tanda tangan pada isian {field} dihapus atau diganti setelah ditandatangani", "the signature of field {field} was removed or replaced after signing"},
	verify.CodeHistoryIncomplete: {"dokumen memiliki terlalu banyak revisi atau isian untuk memastikan tidak ada tanda tangan sebelumnya yang dihapus atau diganti", "the document has too many revisions or form fields for Segel to check that no earlier signature was removed or replaced"},
	verify.CodeEncryptedPassword: {"dokumen dikunci dengan kata sandi, sehingga perubahan setelah penandatanganan tidak dapat diperiksa", "the document is encrypted with a password, so Segel cannot read it to check what changed after signing"},
	verify.CodeEncryptedUnread:   {"dokumen terenkripsi dan tidak dapat dibaca", "the document is encrypted and cannot be read: {detail}"},
	verify.CodeTrailingBytes:     {"berkas berlanjut {n} byte setelah revisi terakhirnya; bagian itu tidak ditampilkan pembaca PDF dan tidak dapat dinilai", "the file continues for {n} bytes after its last revision, which no reader shows and Segel cannot judge"},
	verify.CodeTrailingObjects:   {"berkas rusak atau ditambah setelah ditandatangani: {n} byte setelah revisi terakhirnya memuat objek yang dapat ditampilkan pembaca PDF", "the document was damaged or extended after signing: the {n} bytes after its last revision hold objects that a repairing viewer shows"},

	verify.CodeRepaired:        {"struktur berkas (tabel rujukan silang) rusak dan disusun ulang dengan memindai berkas, seperti yang dilakukan pembaca PDF; berkas rusak mulai byte {from}", "the file's cross-reference is broken ({detail}); it was reconstructed by scanning the file, and the file is damaged from byte {from}"},
	verify.CodeFormUnreadable:  {"formulir di dalam dokumen tidak dapat dibaca", "the form cannot be read: {detail}"},
	verify.CodeEncryptedNoPass: {"dokumen terenkripsi tetapi terbuka tanpa kata sandi; teks dalam laporan ini mungkin tidak terbaca", "the document is encrypted (it opens without a password); text in this report may be unreadable"},
	verify.CodeValueReused:     {"isian {field} memakai ulang nilai tanda tangan isian lain", "field {field} reuses the signature value of another field"},
	verify.CodeFieldNotInForm:  {"isian tanda tangan {field} ada pada halaman tetapi tidak terdaftar di formulir dokumen", "the signature field {field} is on a page but not in the form's field list (/Fields)"},
}

// unknownNote is the sentence of a code this version does not know (a
// report from a newer Segel).
var unknownNote = text{"catatan pemeriksaan dengan kode {code}", "a note of the check with code {code}"}

// HasWords reports whether code has its sentences in both languages.
func HasWords(code verify.Code) bool {
	w, ok := noteWords[code]
	return ok && w.id != "" && w.en != ""
}

// Note words one note of a report in l: the reason of its code with its
// values. A code it does not know is named as such, never dropped.
func Note(l Lang, n verify.Note) string {
	w, ok := noteWords[n.Code]
	if !ok {
		return strings.ReplaceAll(unknownNote.in(l), "{code}", string(n.Code))
	}
	// The template is read once, left to right: a value is never read
	// as a template (a certificate's name may hold braces).
	tmpl := w.in(l)
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		name := tmpl[i+1 : i+j]
		b.WriteString(tmpl[:i])
		b.WriteString(arg(l, name, n.Args[name]))
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// arg words the value v of a note's argument name.
func arg(l Lang, name, v string) string {
	switch name {
	case "date", "poe", "time":
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return DateTime(l, t.UTC())
		}
	case "level":
		if v == "" {
			return ""
		}
		return text{"tingkat perubahan: ", "modification level: "}.in(l) + ModLevel(l, verify.ModLevel(v)) + " (" + v + ")"
	case "source":
		return strings.ToUpper(v)
	case "cert", "field", "signer":
		return "“" + v + "”"
	}
	return v
}

// Reasons words a signature's errors and warnings in l. In Indonesian
// they come from its notes (Note); in English they are the report's own
// messages, verify's words with their full technical detail. A report
// without notes (written by an older Segel, or built by hand) gives in
// Indonesian the meaning of its sub-indication for the errors and one
// general sentence for the warnings: never the English text.
func Reasons(l Lang, s *verify.SignatureReport) (errs, warns []string) {
	if l == EN {
		return s.Errors, s.Warnings
	}
	if len(s.Notes) == 0 {
		if len(s.Errors) > 0 {
			errs = []string{SubIndication(l, s.SubIndication)}
			if errs[0] == "" {
				errs[0] = unsureDefault.in(l)
			}
		}
		if len(s.Warnings) > 0 {
			warns = []string{untypedWarnings.in(l)}
		}
		return errs, warns
	}
	for _, n := range s.Notes {
		if n.Severity == verify.SeverityError {
			errs = append(errs, Note(l, n))
		} else {
			warns = append(warns, Note(l, n))
		}
	}
	return errs, warns
}

// untypedWarnings stands for warnings that come without notes.
var untypedWarnings = text{"ada catatan teknis pemeriksa (lihat laporan JSON)", "the checker has technical notes (see the JSON report)"}

// DocumentWarnings words the warnings about the document as a whole, as
// Reasons does for a signature.
func DocumentWarnings(l Lang, rep *verify.Report) []string {
	if l == EN {
		return rep.Warnings
	}
	if len(rep.Notes) == 0 {
		if len(rep.Warnings) == 0 {
			return nil
		}
		return []string{untypedWarnings.in(l)}
	}
	out := make([]string, 0, len(rep.Notes))
	for _, n := range rep.Notes {
		out = append(out, Note(l, n))
	}
	return out
}

// Changes words the changes made after a signature. In English they are
// the report's own lines (verify.SignatureReport.ModifiedAfterSigning);
// in Indonesian, whose reader cannot use PDF object names, one line says
// how many there are and how far they go, the errors say which ones
// fail the signature, and the JSON report holds the detail.
func Changes(l Lang, s *verify.SignatureReport) []string {
	if l == EN || len(s.ModifiedAfterSigning) == 0 {
		return s.ModifiedAfterSigning
	}
	line := strconv.Itoa(len(s.ModifiedAfterSigning)) + " perubahan"
	if w := ModLevel(l, s.ModificationLevel); w != "" {
		line += "; tingkat perubahan: " + w + " (" + string(s.ModificationLevel) + ")"
	}
	return []string{line + "; rinciannya ada di laporan teknis (JSON)"}
}
