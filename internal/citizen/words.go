package citizen

import (
	"net/http"
	"strconv"
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
	"footer":        {"Segel memeriksa tanda tangan elektronik PAdES terhadap penerbit sertifikat yang dipercaya (Root CA Indonesia dan yang dikonfigurasi instansi).", "Segel checks PAdES electronic signatures against trusted certificate issuers (Root CA Indonesia and those the agency configured)."},
	"another":       {"Periksa surat lain", "Check another letter"},
	"details":       {"Rincian tanda tangan", "Signature details"},
	"signature":     {"Tanda tangan", "Signature"},
	"doctimestamp":  {"Cap waktu dokumen", "Document timestamp"},
	"signer":        {"Penanda tangan", "Signer"},
	"tsa":           {"Penyedia cap waktu", "Timestamp authority"},
	"org":           {"Instansi", "Organisation"},
	"ca":            {"Penerbit sertifikat", "Certificate issuer"},
	"claimed":       {"Waktu tanda tangan menurut penanda tangan", "Signing time claimed by the signer"},
	"claimednote":   {"tidak dibuktikan oleh pihak ketiga", "not proven by a third party"},
	"timestamp":     {"Cap waktu tepercaya", "Trusted timestamp"},
	"notimestamp":   {"Tidak ada cap waktu tepercaya", "No trusted timestamp"},
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
	"differenthelp": {"Berkas bisa berbeda karena diubah, tetapi juga karena ditandatangani ulang atau diberi cap waktu tambahan. Hasil pemeriksaan tanda tangan salinan Anda ada di bawah.", "A file can differ because it was changed, but also because it was signed again or given a further timestamp. The check of your copy's signatures is below."},
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
	"tsone":         {"cap waktu dokumen", "document timestamp"},
	"tsmany":        {"cap waktu dokumen", "document timestamps"},
	"and":           {"dan", "and"},
	"tryagain":      {"Coba berkas lain", "Try another file"},
	"checkedat":     {"Diperiksa pada %s.", "Checked at %s."},
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
// given, else the preferred of English and Indonesian in Accept-Language,
// else Indonesian.
func pickLang(r *http.Request) lang {
	switch strings.ToLower(r.URL.Query().Get("lang")) {
	case "en":
		return langEN
	case "id", "in":
		return langID
	}
	best, bestQ := langID, 0.0
	for item := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		var l lang
		switch primary {
		case "en":
			l = langEN
		case "id", "in":
			l = langID
		default:
			continue
		}
		if q > bestQ { // the first of equal weights wins
			best, bestQ = l, q
		}
	}
	return best
}

// Headline phrases. Only passed may begin "Dokumen asli" / "Authentic";
// every TOTAL_FAILED headline holds "tidak sah" / "not valid"; every
// INDETERMINATE one begins "Belum dapat dipastikan" / "Cannot be confirmed
// yet". TestHeadlines holds the table to that for every combination.
var (
	headPassed      = text{"Dokumen asli dan tidak berubah sejak ditandatangani", "Authentic document, unchanged since it was signed"}
	headNoSignature = text{"Dokumen ini tidak memiliki tanda tangan elektronik", "This document has no electronic signature"}
	headFailed      = text{"Tanda tangan tidak sah", "Signature not valid"}
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
		verify.NoCertificateChainFound:        {"penerbit sertifikat tidak dikenal/tidak dipercaya", "the certificate's issuer is unknown or not trusted"},
		verify.OutOfBoundsNoPOE:               {"sertifikat sudah kedaluwarsa dan surat tidak memiliki cap waktu yang membuktikan ditandatangani tepat waktu", "the certificate has expired and the letter carries no timestamp proving it was signed in time"},
		verify.OutOfBoundsNotRevoked:          {"sertifikat sudah kedaluwarsa dan tidak ada bukti surat ditandatangani selagi sertifikat berlaku", "the certificate has expired and nothing proves the letter was signed while it was valid"},
		verify.TryLater:                       {"status pencabutan sertifikat belum dapat diperiksa; coba lagi nanti", "the certificate's revocation status cannot be checked yet; try again later"},
		verify.RevokedNoPOE:                   {"sertifikat penanda tangan sudah dicabut dan tidak ada cap waktu yang membuktikan surat ditandatangani sebelum pencabutan", "the signer's certificate has been revoked and no timestamp proves the letter was signed before that"},
		verify.RevocationOutOfBoundsNoPOE:     {"data status pencabutan sertifikat sudah usang dan tidak ada bukti waktu penandatanganan", "the certificate's revocation data is out of date and nothing proves when the letter was signed"},
		verify.NoSigningCertificateFound:      {"sertifikat penanda tangan tidak ditemukan di dalam tanda tangan", "the signer's certificate is not in the signature"},
		verify.SignedDataNotFound:             {"bagian dokumen yang ditandatangani tidak dapat ditemukan", "the signed part of the document cannot be found"},
		verify.ChainConstraintsFailure:        {"sertifikat penanda tangan tidak diterbitkan oleh penerbit yang diterima di sini", "the signer's certificate is not from an issuer accepted here"},
		verify.CertificateChainGeneralFailure: {"rantai sertifikat penanda tangan tidak dapat diperiksa", "the signer's certificate chain cannot be checked"},
		verify.CryptoConstraintsFailureNoPOE:  {"algoritme kriptografinya sudah lemah dan tidak ada bukti surat ditandatangani sebelum itu", "its algorithm has become weak and nothing proves the letter was signed before that"},
		verify.SignatureConstraintsFailure:    {"tanda tangan tidak memuat unsur yang diwajibkan", "the signature lacks required elements"},
		verify.PolicyProcessingError:          {"kebijakan pemeriksaan tidak dapat diterapkan", "the validation policy cannot be applied"},
		verify.TimestampOrderFailure:          {"urutan cap waktu pada tanda tangan tidak masuk akal", "the timestamps of the signature are in an impossible order"},
		verify.NoPOE:                          {"tidak ada bukti kapan surat ditandatangani", "nothing proves when the letter was signed"},
		verify.GenericIndeterminate:           {"pemeriksaan tidak dapat diselesaikan", "the check could not be completed"},
		verify.UnsupportedFeature:             {"dokumen memakai fitur yang belum dapat diperiksa (misalnya dikunci dengan kata sandi)", "the document uses a feature that cannot be checked yet (for example a password)"},
	}
	unsureDefault = text{"keabsahan tanda tangan belum dapat diperiksa sepenuhnya", "the signature could not be checked completely"}
)

// headline is the verdict in plain words for an indication and its
// sub-indication. It fails closed: an indication it does not know reads as
// INDETERMINATE, and only TOTAL_PASSED reads "Dokumen asli".
func headline(l lang, ind verify.Indication, sub verify.SubIndication) string {
	switch ind {
	case verify.TotalPassed:
		return headPassed.in(l)
	case verify.NoSignature:
		return headNoSignature.in(l)
	case verify.TotalFailed:
		if why, ok := failedWhy[sub]; ok {
			return headFailed.in(l) + ": " + why.in(l)
		}
		return headFailed.in(l)
	}
	why, ok := unsureWhy[sub]
	if !ok {
		why = unsureDefault
	}
	return headUnsure.in(l) + ": " + why.in(l)
}

// sigVerdict is the verdict line of one signature in the details. A
// signature that passed reads "Tanda tangan sah", never "Dokumen asli":
// that phrase is for the whole document, and only when all of it passed.
func sigVerdict(l lang, s *verify.SignatureReport) string {
	if s.Indication == verify.TotalPassed {
		if s.Type == "document-timestamp" {
			return text{"Cap waktu sah", "Valid timestamp"}.in(l)
		}
		return text{"Tanda tangan sah", "Valid signature"}.in(l)
	}
	ind := s.Indication
	if ind != verify.TotalFailed {
		ind = verify.Indeterminate
	}
	return headline(l, ind, s.SubIndication)
}
