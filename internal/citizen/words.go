package citizen

import (
	"net/http"
	"strings"

	"github.com/segel-id/segel/verify"
)

// lang is a language of the page: Indonesian (the default) or English.
type lang int

const (
	langID lang = iota
	langEN
)

// Code returns the BCP 47 code of l, for the lang attribute and links.
func (l lang) Code() string {
	if l == langEN {
		return "en"
	}
	return "id"
}

// text is one phrase in both languages.
type text struct{ id, en string }

// in returns the phrase in language l.
func (t text) in(l lang) string {
	if l == langEN {
		return t.en
	}
	return t.id
}

// words holds every fixed phrase of the page. Templates read them as
// {{.T.key}}; a missing key fails the rendering (and the tests).
var words = map[string]text{
	"title":         {"Periksa keaslian surat elektronik", "Check an electronically signed letter"},
	"intro":         {"Unggah surat (PDF) yang ditandatangani secara elektronik. Kami memeriksa tanda tangannya dan langsung menampilkan hasilnya.", "Upload a letter (PDF) that was signed electronically. Its signatures are checked and the result is shown at once."},
	"choose":        {"Pilih berkas surat (PDF)", "Choose the letter (PDF file)"},
	"drophint":      {"atau tarik dan lepas berkas PDF ke kotak ini", "or drag and drop the PDF file onto this box"},
	"check":         {"Periksa surat", "Check the letter"},
	"notkept":       {"Berkas Anda tidak disimpan: berkas hanya diperiksa lalu langsung dihapus.", "Your file is not kept: it is only checked, then deleted at once."},
	"notkeptdone":   {"Berkas Anda tidak disimpan: berkas sudah dihapus setelah diperiksa.", "Your file is not kept: it was deleted after the check."},
	"toggle":        {"English", "Bahasa Indonesia"},
	"togglelang":    {"en", "id"},
	"skip":          {"Langsung ke isi", "Skip to content"},
	"website":       {"Situs web", "Website"},
	"footer":        {"Segel memeriksa tanda tangan elektronik PAdES terhadap penerbit sertifikat yang dipercaya (Root CA Indonesia dan yang dikonfigurasi instansi).", "Segel checks PAdES electronic signatures against trusted certificate issuers (Root CA Indonesia and those the agency configured)."},
	"another":       {"Periksa surat lain", "Check another letter"},
	"details":       {"Rincian tanda tangan", "Signature details"},
	"signature":     {"Tanda tangan", "Signature"},
	"doctimestamp":  {"Stempel waktu dokumen", "Document timestamp"},
	"signer":        {"Penanda tangan", "Signer"},
	"tsa":           {"Penyedia stempel waktu", "Timestamp authority"},
	"org":           {"Instansi", "Organisation"},
	"ca":            {"Penerbit sertifikat", "Certificate issuer"},
	"claimed":       {"Waktu tanda tangan menurut penanda tangan", "Signing time claimed by the signer"},
	"claimednote":   {"tidak dibuktikan oleh pihak ketiga", "not proven by a third party"},
	"timestamp":     {"Stempel waktu tepercaya", "Trusted timestamp"},
	"notimestamp":   {"Tidak ada stempel waktu tepercaya", "No trusted timestamp"},
	"level":         {"Tingkat tanda tangan", "Signature level"},
	"reason":        {"Alasan", "Reason"},
	"location":      {"Lokasi", "Location"},
	"errors":        {"Yang gagal diperiksa", "What failed"},
	"warnings":      {"Catatan", "Notes"},
	"modified":      {"Perubahan setelah ditandatangani", "Changes after signing"},
	"technical":     {"Keterangan teknis dari pemeriksa (dalam bahasa Inggris)", "Technical notes from the checker"},
	"filesha":       {"SHA-256 berkas yang Anda unggah", "SHA-256 of the file you uploaded"},
	"docwarnings":   {"Catatan tentang dokumen", "Notes on the document"},
	"record":        {"Surat yang diterbitkan", "The issued letter"},
	"recordintro":   {"Data ini berasal dari register penandatanganan Segel instansi penerbit. Isi surat tidak ditampilkan.", "This comes from the issuing agency's Segel signing register. The content of the letter is not shown."},
	"position":      {"Jabatan", "Position"},
	"nip":           {"NIP", "NIP"},
	"signedat":      {"Waktu penandatanganan", "Signed at"},
	"number":        {"Nomor surat", "Letter number"},
	"subject":       {"Perihal", "Subject"},
	"subjecthidden": {"tidak ditampilkan karena surat bersifat rahasia", "not shown because the letter is confidential"},
	"issuedsha":     {"SHA-256 berkas yang diterbitkan", "SHA-256 of the issued file"},
	"shahelp":       {"Sidik jari berkas: 64 karakter yang sama berarti berkasnya sama persis. Geser kotaknya ke samping bila terpotong.", "The file's fingerprint: the same 64 characters mean exactly the same file. Swipe the box sideways if it is cut off."},
	"download":      {"Unduh surat yang diterbitkan (PDF)", "Download the issued letter (PDF)"},
	"confidential":  {"Surat ini bersifat rahasia: berkasnya tidak dapat diunduh di sini.", "This letter is confidential: its file cannot be downloaded here."},
	"compare":       {"Unggah salinan Anda untuk dibandingkan", "Upload your copy to compare"},
	"compareintro":  {"Kami membandingkan salinan Anda dengan berkas yang diterbitkan, lalu memeriksa tanda tangannya secara lengkap.", "Your copy is compared with the issued file, then its signatures are checked in full."},
	"comparison":    {"Perbandingan dengan berkas yang diterbitkan", "Comparison with the issued file"},
	"identical":     {"Salinan Anda sama persis (byte demi byte) dengan berkas yang diterbitkan.", "Your copy is identical, byte for byte, to the issued file."},
	"different":     {"Salinan Anda TIDAK sama persis dengan berkas yang diterbitkan.", "Your copy is NOT identical to the issued file."},
	"differenthelp": {"Berkas bisa berbeda karena diubah, tetapi juga karena ditandatangani ulang atau diberi stempel waktu tambahan. Hasil pemeriksaan tanda tangan salinan Anda ada di bawah.", "A file can differ because it was changed, but also because it was signed again or given a further timestamp. The check of your copy's signatures is below."},
	"nocompare":     {"Berkas yang diterbitkan tidak tercatat sidik jarinya, jadi salinan Anda tidak dapat dibandingkan byte demi byte.", "The register holds no fingerprint of the issued file, so your copy cannot be compared byte for byte."},
	"yourcopysha":   {"SHA-256 salinan Anda", "SHA-256 of your copy"},
	"notpdf":        {"Berkas bukan PDF", "The file is not a PDF"},
	"notpdfhelp":    {"Berkas yang Anda unggah bukan dokumen PDF yang dapat dibaca. Pilih berkas surat dalam format PDF (bukan foto atau hasil pindaian gambar).", "The file you uploaded is not a readable PDF document. Choose the letter as a PDF file (not a photo or an image scan)."},
	"nofile":        {"Belum ada berkas yang dipilih", "No file was chosen"},
	"nofilehelp":    {"Pilih berkas surat dalam format PDF, lalu tekan tombol Periksa surat.", "Choose the letter as a PDF file, then press Check the letter."},
	"toolarge":      {"Berkas terlalu besar", "The file is too large"},
	"toolargehelp":  {"Berkas yang dapat diperiksa paling besar %s.", "Files of at most %s can be checked."},
	"ratelimited":   {"Terlalu banyak pemeriksaan dari alamat Anda", "Too many checks from your address"},
	"ratehelp":      {"Tunggu sekitar %s detik, lalu coba lagi.", "Please wait about %s seconds, then try again."},
	"notfound":      {"Surat tidak ditemukan", "Letter not found"},
	"notfoundhelp":  {"Tidak ada surat dengan tautan ini. Periksa kembali tautan atau pindai ulang kode QR pada surat. Anda tetap dapat mengunggah surat untuk diperiksa.", "No letter has this link. Check the link or scan the QR code on the letter again. You can still upload the letter to check it."},
	"pagenotfound":  {"Halaman tidak ditemukan", "Page not found"},
	"nodownload":    {"Berkas surat ini tidak tersedia untuk diunduh", "This letter's file is not available for download"},
	"nodlhelp":      {"Instansi penerbit tidak menyediakan berkas surat ini untuk diunduh. Anda tetap dapat mengunggah salinan Anda untuk dibandingkan.", "The issuing agency does not offer this letter's file for download. You can still upload your copy to compare."},
	"internal":      {"Pemeriksaan belum dapat dilakukan", "The check could not be done"},
	"internalhelp":  {"Terjadi gangguan pada layanan. Coba lagi beberapa saat lagi.", "The service has a problem. Please try again in a while."},
	"checked":       {"Diperiksa:", "Checked:"},
	"sigone":        {"tanda tangan", "signature"},
	"sigmany":       {"tanda tangan", "signatures"},
	"tsone":         {"stempel waktu dokumen", "document timestamp"},
	"tsmany":        {"stempel waktu dokumen", "document timestamps"},
	"and":           {"dan", "and"},
	"tryagain":      {"Coba berkas lain", "Try another file"},
	"checkedat":     {"Diperiksa pada %s.", "Checked at %s."},

	// What the certificate says when no trusted issuer vouches for it.
	"claimsigner": {"Nama menurut sertifikat (tidak terbukti)", "Name in the certificate (not proven)"},
	"claimorg":    {"Instansi menurut sertifikat (tidak terbukti)", "Agency in the certificate (not proven)"},
	"claimca":     {"Penerbit menurut sertifikat (tidak dikenal)", "Issuer named in the certificate (unknown)"},
	"claimnote":   {"Sertifikat ini tidak diterbitkan oleh penerbit yang dipercaya: siapa pun dapat membuat sertifikat dengan nama dan instansi apa saja. Isinya hanya pengakuan, bukan fakta.", "No trusted issuer vouches for this certificate: anyone can make a certificate with any name and agency. What it says is a claim, not a fact."},
	// ... and when its issuer was not checked, the signature having failed first.
	"claimcanot":    {"Penerbit menurut sertifikat (tidak diperiksa)", "Issuer named in the certificate (not checked)"},
	"uncheckednote": {"Karena tanda tangan ini tidak sah, sertifikatnya tidak diperiksa lebih lanjut: nama, instansi, dan penerbit di dalamnya tidak terbukti.", "As this signature is not valid, its certificate was not checked further: the name, agency and issuer in it are not proven."},
	"kind":          {"Jenis", "Kind"},
	"tskind":        {"Stempel waktu dokumen (RFC 3161): membuktikan dokumen sudah ada pada waktu itu; bukan tanda tangan seseorang", "Document timestamp (RFC 3161): proves the document existed at that time; it is no one's signature"},
	"tstime":        {"Waktu stempel", "Time of the timestamp"},
	"coverage":      {"Bagian yang ditandatangani", "What the signature covers"},
	"covwhole":      {"seluruh dokumen", "the whole document"},
	"covlta":        {"seluruh dokumen, diikuti hanya data validasi dan stempel waktu (yang tidak mengubah isi surat)", "the whole document, followed only by validation data and timestamps (which do not change the letter)"},
	"covsigned":     {"seluruh dokumen saat ditandatangani, diikuti tanda tangan lain (serta data validasi dan stempel waktu)", "the whole document as signed, followed by further signatures (and validation data and timestamps)"},
	"covform":       {"dokumen saat ditandatangani; sesudahnya isian formulir diisi (lihat keterangan teknis)", "the document as signed; form fields were filled in afterwards (see the technical notes)"},
	"covannots":     {"dokumen saat ditandatangani; sesudahnya ditambah anotasi (lihat keterangan teknis)", "the document as signed; annotations were added afterwards (see the technical notes)"},
	"covother":      {"dokumen saat ditandatangani; sesudahnya dokumen diubah (lihat keterangan teknis)", "the document as signed; it was changed afterwards (see the technical notes)"},
	"covunknown":    {"dokumen saat ditandatangani; perubahan sesudahnya tidak dapat dinilai", "the document as signed; the changes after it could not be judged"},

	// /v/{id}: where each field comes from.
	"holdcompare":  {"Bandingkan dengan surat yang Anda pegang: nama, jabatan, nomor, perihal, dan tanggal harus sama. Bila berbeda, surat Anda bukan surat ini.", "Compare this with the letter you hold: the name, position, number, subject and date must be the same. If they differ, your letter is not this one."},
	"fromcert":     {"Dari sertifikat elektronik penanda tangan", "From the signer's electronic certificate"},
	"fromcertnote": {"diperiksa ketika surat ditandatangani", "checked when the letter was signed"},
	"fromreg":      {"Dari register penandatanganan instansi", "From the agency's signing register"},
	"fromregnote":  {"dicatat saat penandatanganan", "recorded at signing"},
	"sendersclaim": {"keterangan pengirim, tidak tercantum dalam sertifikat", "the sender's statement, not in the certificate"},

	// POST /v/{id} with another file.
	"notregistered": {"Bukan surat yang terdaftar: berkas ini berbeda dengan surat %s", "Not the registered letter: this file differs from letter %s"},
	"notregsigok":   {"Tanda tangan pada berkas ini sah, tetapi berkas ini bukan surat yang terdaftar di tautan ini.", "The signatures on this file are valid, but it is not the letter registered at this link."},
	"notregsig":     {"Pemeriksaan tanda tangan berkas ini: %s.", "The check of this file's signatures: %s."},
	"notextended":   {"Berkas ini bukan berkas yang diterbitkan, dan juga bukan berkas itu dengan tambahan sesudahnya (seperti data validasi, stempel waktu, atau tanda tangan lain). Bandingkan surat Anda dengan data surat yang diterbitkan di bawah.", "This file is not the issued file, nor the issued file with later additions (such as validation data, timestamps or further signatures). Compare your letter with the issued letter's data below."},
	"extends":       {"Salinan Anda adalah berkas yang diterbitkan ditambah pembaruan sesudahnya (misalnya data validasi atau stempel waktu).", "Your copy is the issued file followed by later updates (for example validation data or a timestamp)."},
	"extendshelp":   {"Bagian awal salinan Anda sama persis (byte demi byte) dengan berkas yang diterbitkan. Apa yang ditambahkan sesudahnya dinilai pada pemeriksaan tanda tangan di bawah.", "The beginning of your copy is identical, byte for byte, to the issued file. What was added after it is judged by the signature check below."},
}

// months are the month names of both languages, January first.
var months = [12]text{
	{"Januari", "January"}, {"Februari", "February"}, {"Maret", "March"}, {"April", "April"},
	{"Mei", "May"}, {"Juni", "June"}, {"Juli", "July"}, {"Agustus", "August"},
	{"September", "September"}, {"Oktober", "October"}, {"November", "November"}, {"Desember", "December"},
}

// table returns the phrases of language l, keyed as in words.
func table(l lang) map[string]string {
	m := make(map[string]string, len(words))
	for k, t := range words {
		m[k] = t.in(l)
	}
	return m
}

// pickLang chooses the language of a request: ?lang=en or ?lang=id when
// given, else Indonesian. The browser's Accept-Language is not consulted:
// the page is the regency's, in Indonesian, whatever language the phone is
// set to; English is one visible switch away, and every link and form of a
// page carries its ?lang= on, so the choice holds while the reader goes on.
func pickLang(r *http.Request) lang {
	if strings.ToLower(r.URL.Query().Get("lang")) == "en" {
		return langEN
	}
	return langID
}

// Headline phrases. Only passed may begin "Dokumen asli" / "Authentic";
// every TOTAL_FAILED headline holds "tidak sah" / "not valid"; an
// INDETERMINATE one is red "Jangan dipercaya" when the signer's
// certificate reaches no trusted issuer, yellow "Belum dapat dipastikan"
// only when the verdict may still change (revocation status unavailable,
// no proof of existence), and red "Tidak dapat dibuktikan asli" otherwise.
// TestHeadlines holds the table to that for every combination; see
// docs/decisions.md, "Citizens' verdicts".
var (
	headPassed      = text{"Dokumen asli dan tidak berubah sejak ditandatangani", "Authentic document, unchanged since it was signed"}
	headNoSignature = text{"Dokumen ini tidak memiliki tanda tangan elektronik", "This document has no electronic signature"}
	headFailed      = text{"Tanda tangan tidak sah", "Signature not valid"}
	headUntrusted   = text{"Jangan dipercaya: penerbit sertifikat tidak dikenal", "Do not trust: unknown certificate issuer"}
	headUnproven    = text{"Tidak dapat dibuktikan asli", "Cannot be proven authentic"}
	headUnsure      = text{"Belum dapat dipastikan", "Cannot be confirmed yet"}

	// failedWhy says what failed, for the sub-indications that imply
	// TOTAL_FAILED.
	failedWhy = map[verify.SubIndication]text{
		verify.HashFailure:              {"dokumen diubah setelah ditandatangani", "the document was changed after it was signed"},
		verify.ModifiedAfterSigning:     {"dokumen diubah setelah ditandatangani", "the document was changed after it was signed"},
		verify.SigCryptoFailure:         {"tanda tangan tidak cocok dengan sertifikat penanda tangan (rusak atau dipalsukan)", "the signature does not match the signer's certificate (damaged or forged)"},
		verify.FormatFailure:            {"susunan tanda tangan rusak atau tidak sesuai standar", "the signature is damaged or not built to the standard"},
		verify.Revoked:                  {"sertifikat penanda tangan sudah dicabut sebelum surat ditandatangani", "the signer's certificate had been revoked before the letter was signed"},
		verify.Expired:                  {"sertifikat penanda tangan sudah kedaluwarsa saat surat ditandatangani", "the signer's certificate had expired when the letter was signed"},
		verify.NotYetValid:              {"sertifikat penanda tangan belum berlaku saat surat ditandatangani", "the signer's certificate was not yet valid when the letter was signed"},
		verify.CryptoConstraintsFailure: {"algoritme kriptografi tanda tangan sudah tidak aman", "the signature's cryptographic algorithm is no longer secure"},
	}

	// unsureWhy says what is missing, for the sub-indications that imply
	// INDETERMINATE.
	unsureWhy = map[verify.SubIndication]text{
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
	unsureDefault = text{"keabsahan tanda tangan belum dapat diperiksa sepenuhnya", "the signature could not be checked completely"}
)

// kind is how the page presents a verdict.
type kind int

// The kinds, from the best to the worst; summary prefers the worst.
const (
	kindPassed    kind = iota
	kindNoSig          // no signature at all
	kindUnsure         // yellow: may change later (revocation status, proof of existence)
	kindUnproven       // red: cannot be proven, and waiting will not help
	kindUntrusted      // red: the certificate reaches no trusted issuer
	kindFailed         // red: TOTAL_FAILED
)

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

// kindOf classifies an indication and its sub-indication. It fails
// closed: an indication it does not know reads as INDETERMINATE, and an
// INDETERMINATE sub-indication it does not know as unproven (red).
func kindOf(ind verify.Indication, sub verify.SubIndication) kind {
	switch ind {
	case verify.TotalPassed:
		return kindPassed
	case verify.NoSignature:
		return kindNoSig
	case verify.TotalFailed:
		return kindFailed
	}
	switch {
	case untrustedSubs[sub]:
		return kindUntrusted
	case laterSubs[sub]:
		return kindUnsure
	}
	return kindUnproven
}

// headline is the verdict in plain words for an indication and its
// sub-indication. It fails closed: only TOTAL_PASSED reads "Dokumen asli",
// and only what may resolve later reads "Belum dapat dipastikan".
func headline(l lang, ind verify.Indication, sub verify.SubIndication) string {
	switch kindOf(ind, sub) {
	case kindPassed:
		return headPassed.in(l)
	case kindNoSig:
		return headNoSignature.in(l)
	case kindFailed:
		if why, ok := failedWhy[sub]; ok {
			return headFailed.in(l) + ": " + why.in(l)
		}
		return headFailed.in(l)
	case kindUntrusted:
		return headUntrusted.in(l)
	case kindUnsure:
		return headUnsure.in(l) + ": " + unsureWhy[sub].in(l)
	}
	why, ok := unsureWhy[sub]
	if !ok {
		why = unsureDefault
	}
	return headUnproven.in(l) + ": " + why.in(l)
}

// sigVerdict is the verdict line of one signature in the details. A
// signature that passed reads "Tanda tangan sah", never "Dokumen asli":
// that phrase is for the whole document, and only when all of it passed.
func sigVerdict(l lang, s *verify.SignatureReport) string {
	if s.Indication == verify.TotalPassed {
		if s.Type == "document-timestamp" {
			return text{"Stempel waktu sah", "Valid timestamp"}.in(l)
		}
		return text{"Tanda tangan sah", "Valid signature"}.in(l)
	}
	ind := s.Indication
	if ind != verify.TotalFailed {
		ind = verify.Indeterminate
	}
	return headline(l, ind, s.SubIndication)
}
