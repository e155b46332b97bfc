package citizen

import (
	"net/http"
	"strings"

	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
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
	"technical":     {"Keterangan teknis dari pemeriksa", "Technical notes from the checker"},
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
	"tstime":        {"Waktu stempel", "Time of the timestamp"},
	"coverage":      {"Bagian yang ditandatangani", "What the signature covers"},

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

// The verdicts' words are verify/explain's, shared with the CLI and the
// BSrE API (docs/decisions.md, "One vocabulary (issue 14)"); the page
// keeps only its own UI phrases above.

// ex is l as verify/explain names it.
func (l lang) ex() explain.Lang {
	if l == langEN {
		return explain.EN
	}
	return explain.ID
}

// sigVerdict is the verdict line of one signature in the details
// (explain.SignatureVerdict).
func sigVerdict(l lang, s *verify.SignatureReport) string { return explain.SignatureVerdict(l.ex(), s) }

// classOf is the colour of a verdict: ok (green), warn (yellow: may
// change later) or bad (red).
func classOf(ind verify.Indication, sub verify.SubIndication) string {
	return explain.KindOf(ind, sub).Class()
}
