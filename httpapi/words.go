package httpapi

import (
	"github.com/segel-id/segel/verify"
)

// The citizens' page speaks Indonesian by default and English on request.
// Every phrase is here, in both.

type lang string

const (
	langID lang = "id"
	langEN lang = "en"
)

var phrases = map[string][2]string{ // key → {id, en}
	"title":          {"Periksa keaslian surat", "Check a signed letter"},
	"intro":          {"Unggah surat (PDF) yang ditandatangani secara elektronik untuk memeriksa tanda tangannya.", "Upload a letter (PDF) signed electronically to check its signatures."},
	"choose":         {"Pilih berkas PDF", "Choose a PDF file"},
	"drop":           {"atau tarik berkas ke sini", "or drop the file here"},
	"check":          {"Periksa", "Check"},
	"notkept":        {"Berkas Anda tidak disimpan: berkas diperiksa lalu langsung dihapus.", "Your file is not kept: it is checked and deleted at once."},
	"other":          {"English", "Bahasa Indonesia"},
	"details":        {"Rincian", "Details"},
	"signature":      {"Tanda tangan", "Signature"},
	"doctimestamp":   {"Cap waktu dokumen", "Document timestamp"},
	"signer":         {"Penanda tangan", "Signer"},
	"org":            {"Instansi", "Organisation"},
	"ca":             {"Diterbitkan oleh", "Issued by"},
	"time":           {"Waktu tanda tangan", "Signing time"},
	"claimed":        {"menurut penanda tangan", "as claimed by the signer"},
	"timestamp":      {"Cap waktu", "Timestamp"},
	"level":          {"Tingkat", "Level"},
	"reason":         {"Alasan", "Reason"},
	"location":       {"Lokasi", "Location"},
	"problems":       {"Masalah", "Problems"},
	"notes":          {"Catatan", "Notes"},
	"sha256":         {"SHA-256 berkas", "File SHA-256"},
	"again":          {"Periksa surat lain", "Check another letter"},
	"notpdf":         {"Berkas bukan PDF yang dapat dibaca.", "The file is not a readable PDF."},
	"toolarge":       {"Berkas terlalu besar.", "The file is too large."},
	"slowdown":       {"Terlalu banyak permintaan. Coba lagi sebentar lagi.", "Too many requests. Please try again shortly."},
	"record":         {"Surat yang diterbitkan", "The issued letter"},
	"number":         {"Nomor surat", "Letter number"},
	"subject":        {"Perihal", "Subject"},
	"position":       {"Jabatan", "Position"},
	"nip":            {"NIP", "NIP"},
	"signedat":       {"Ditandatangani pada", "Signed at"},
	"issuedsha":      {"SHA-256 berkas yang diterbitkan", "SHA-256 of the issued file"},
	"compare":        {"Unggah salinan Anda untuk dibandingkan", "Upload your copy to compare"},
	"identical":      {"Salinan Anda sama persis (byte demi byte) dengan surat yang diterbitkan.", "Your copy is byte-for-byte identical to the issued letter."},
	"different":      {"Salinan Anda TIDAK sama dengan berkas yang diterbitkan. Hasil pemeriksaan tanda tangannya di bawah.", "Your copy is NOT identical to the issued file. Its signatures are checked below."},
	"download":       {"Unduh surat yang diterbitkan", "Download the issued letter"},
	"notfound":       {"Surat tidak ditemukan. Periksa kembali tautan atau kode QR.", "Letter not found. Check the link or the QR code."},
	"confidential":   {"Surat ini bersifat rahasia dan tidak dapat diunduh.", "This letter is confidential and cannot be downloaded."},
	"registerdetail": {"Data ini dari register Segel; isi surat tidak ditampilkan.", "This is from Segel's register; the letter's content is not shown."},
}

// T returns the phrase key in language l.
func (l lang) T(key string) string {
	p := phrases[key]
	if l == langEN {
		return p[1]
	}
	return p[0]
}

// headline is the verdict in plain words: "Dokumen asli" only for
// TOTAL_PASSED; "tidak sah" and what failed for TOTAL_FAILED; "Belum
// dapat dipastikan" and what is missing for INDETERMINATE.
func headline(l lang, ind verify.Indication, sub verify.SubIndication) string {
	en := l == langEN
	pick := func(id, e string) string {
		if en {
			return e
		}
		return id
	}
	switch ind {
	case verify.TotalPassed:
		return pick("Dokumen asli dan tidak berubah sejak ditandatangani.", "Authentic document, unchanged since it was signed.")
	case verify.NoSignature:
		return pick("Dokumen ini tidak memiliki tanda tangan elektronik.", "This document has no electronic signature.")
	case verify.TotalFailed:
		switch sub {
		case verify.HashFailure, verify.ModifiedAfterSigning:
			return pick("Tanda tangan tidak sah: dokumen diubah setelah ditandatangani.", "The signature is not valid: the document was changed after it was signed.")
		case verify.SigCryptoFailure:
			return pick("Tanda tangan tidak sah: tanda tangan tidak cocok dengan sertifikat penanda tangan.", "The signature is not valid: it does not match the signer's certificate.")
		case verify.FormatFailure:
			return pick("Tanda tangan tidak sah: struktur tanda tangan rusak atau dipalsukan.", "The signature is not valid: its structure is broken or forged.")
		case verify.Revoked:
			return pick("Tanda tangan tidak sah: sertifikat penanda tangan sudah dicabut saat ditandatangani.", "The signature is not valid: the signer's certificate was revoked when it signed.")
		case verify.Expired:
			return pick("Tanda tangan tidak sah: sertifikat penanda tangan sudah kedaluwarsa saat ditandatangani.", "The signature is not valid: the signer's certificate had expired when it signed.")
		case verify.NotYetValid:
			return pick("Tanda tangan tidak sah: sertifikat penanda tangan belum berlaku saat ditandatangani.", "The signature is not valid: the signer's certificate was not yet valid when it signed.")
		case verify.CryptoConstraintsFailure:
			return pick("Tanda tangan tidak sah: algoritme kriptografinya sudah tidak aman.", "The signature is not valid: its cryptographic algorithm is no longer secure.")
		}
		return pick("Tanda tangan tidak sah.", "The signature is not valid.")
	}
	switch sub {
	case verify.NoCertificateChainFound:
		return pick("Belum dapat dipastikan: penerbit sertifikat penanda tangan tidak dikenal atau tidak dipercaya.", "Cannot be confirmed yet: the issuer of the signer's certificate is unknown or not trusted.")
	case verify.OutOfBoundsNoPOE:
		return pick("Belum dapat dipastikan: sertifikat sudah kedaluwarsa dan surat tidak memiliki cap waktu yang membuktikan ditandatangani tepat waktu.", "Cannot be confirmed yet: the certificate has expired and the letter carries no timestamp proving it was signed in time.")
	case verify.TryLater:
		return pick("Belum dapat dipastikan: status pencabutan sertifikat belum dapat diperiksa. Coba lagi nanti.", "Cannot be confirmed yet: the certificate's revocation status cannot be checked now. Try again later.")
	case verify.RevokedNoPOE:
		return pick("Belum dapat dipastikan: sertifikat sudah dicabut dan tidak ada cap waktu yang membuktikan surat ditandatangani sebelumnya.", "Cannot be confirmed yet: the certificate is revoked and no timestamp proves the letter was signed before.")
	case verify.NoSigningCertificateFound:
		return pick("Belum dapat dipastikan: sertifikat penanda tangan tidak ditemukan dalam tanda tangan.", "Cannot be confirmed yet: the signer's certificate is not in the signature.")
	case verify.CryptoConstraintsFailureNoPOE:
		return pick("Belum dapat dipastikan: algoritme kriptografinya sudah lemah dan tidak ada bukti waktu penandatanganan.", "Cannot be confirmed yet: its algorithm is weak and nothing proves when it was signed.")
	case verify.ChainConstraintsFailure:
		return pick("Belum dapat dipastikan: sertifikat tidak diterbitkan oleh penerbit yang diterima.", "Cannot be confirmed yet: the certificate is not from an accepted issuer.")
	}
	return pick("Belum dapat dipastikan keabsahannya.", "Cannot be confirmed yet.")
}
