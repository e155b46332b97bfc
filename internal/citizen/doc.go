// Package citizen is the public page where citizens check a signed letter:
// no login, server-rendered, Indonesian by default with English on request.
//
// [New] returns an http.Handler with these routes, relative to where it is
// mounted (the service mounts it at "/"):
//
//	GET  /verify             the upload form
//	POST /verify             multipart field "file" (or a raw application/pdf
//	                         body): verify it and answer with the verdict page
//	GET  /v/{id}             what the QR code on a letter opens: the register
//	                         record and an "upload your copy to compare" form
//	POST /v/{id}             compare an uploaded copy with the issued file
//	                         (SHA-256), then verify it in full
//	GET  /v/{id}/download    the issued PDF, when the profile allows it, the
//	                         file is kept, and the letter is not rahasia
//	GET  /                   redirects to verify
//
// The verdict comes first, in plain words (docs/decisions.md, "Citizens'
// verdicts"): "Dokumen asli …" only when the whole document is
// TOTAL_PASSED; "… tidak sah: …" and what failed for TOTAL_FAILED; red
// "Jangan dipercaya: penerbit sertifikat tidak dikenal" when the signer's
// certificate reaches no trusted issuer, whose name and agency are then
// shown only as the certificate's unproven claims; yellow "Belum dapat
// dipastikan: …" only for what may resolve later (revocation status, proof
// of existence); red "Tidak dapat dibuktikan asli: …" for the rest of
// INDETERMINATE; and "Dokumen ini tidak memiliki tanda tangan elektronik"
// for a PDF without signatures. On /v/{id}, a copy that is neither the
// issued file nor the issued file with later additions is headed "Bukan
// surat yang terdaftar". The details follow per signature: signer,
// organisation, issuing CA, claimed time and timestamp, level, what the
// signature covers, and what failed. The language is Indonesian unless
// the link says ?lang=en.
//
// Uploaded files are spooled to a bounded temporary file, verified and
// deleted at once; the page says so. Uploads are rate-limited per client
// address. Pages carry a strict Content-Security-Policy: the only script
// is a few nonce'd lines that add drag and drop, and everything works
// without it. No font, image, style or script comes from elsewhere, so the
// page works on a regency intranet.
package citizen
