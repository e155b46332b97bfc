// Package pdf is Segel's streaming PDF layer: a reader for PDF 1.3–2.0 files
// (classic cross-reference tables, cross-reference streams, hybrid-reference
// files, object streams, linearized files and any number of incremental
// updates) and a writer of incremental updates.
//
// The reader works on an io.ReaderAt of known size and never reads the whole
// file: Open reads the header, the tail (startxref) and the cross-reference
// chain; objects are read on demand by Resolve. Every loop over file data is
// bounded, every recursion is depth-limited, and bad input yields an error
// naming what was wrong and where ("pdf: object 12 0 at offset 3456: ..."),
// never a panic. Callers can branch on the sentinel errors in errors.go with
// errors.Is.
//
// The writer (NewUpdate) builds an incremental update that is appended to the
// unchanged source: new and replaced objects, then a classic xref section or a
// cross-reference stream (the same kind as the source's last section), the
// trailer and "%%EOF". Placeholder objects reserve fixed-width regions (the
// signature /Contents and /ByteRange) whose absolute offsets are reported in
// Result.Placeholders so that a signer can patch them in Result.Data.
//
// Encrypted documents: Open succeeds and Reader.Encrypted reports true;
// strings and streams are returned as stored (still encrypted), and
// Update.Bytes refuses to write an update for them, returning ErrEncrypted.
package pdf
