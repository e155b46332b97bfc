package signer

import "errors"

// Errors returned by Sign. Errors wrap one of these (test with errors.Is);
// errors caused by the PDF also wrap the underlying reader error.
var (
	// ErrInvalidPDF reports a source that cannot be read as a PDF: not a
	// PDF, truncated, a broken cross-reference table or a broken object.
	ErrInvalidPDF = errors.New("not a readable PDF")
	// ErrEncrypted reports an encrypted source. Segel does not sign
	// encrypted PDFs: their strings and streams would need the password.
	ErrEncrypted = errors.New("encrypted PDFs are not supported")
	// ErrFieldNotFound reports an Options.Field that names no form field.
	ErrFieldNotFound = errors.New("signature field not found")
	// ErrFieldNotSignature reports an Options.Field that is not a
	// signature field, or an Options.NewField that already exists.
	ErrFieldNotSignature = errors.New("field is not an empty signature field")
	// ErrFieldSigned reports an Options.Field that already holds a signature.
	ErrFieldSigned = errors.New("signature field is already signed")
	// ErrKeyMismatch reports a key whose public key is not the certificate's.
	ErrKeyMismatch = errors.New("the key does not match the certificate")
	// ErrCertificateExpired reports a signing certificate outside its
	// validity period at the signing time (expired or not yet valid).
	ErrCertificateExpired = errors.New("the signing certificate is not valid at the signing time")
	// ErrKeyUsage reports a signing certificate whose key usage allows
	// neither digitalSignature nor nonRepudiation.
	ErrKeyUsage = errors.New("the signing certificate's key usage does not allow signatures")
	// ErrCertification reports a certification (DocMDP) request that the
	// document does not allow: it already carries a signature.
	ErrCertification = errors.New("only the first signature of a document can certify it")
	// ErrLocked reports a document certified with DocMDP P=1 (no changes):
	// any new signature would invalidate the certification.
	ErrLocked = errors.New("the document is certified with no changes allowed")
	// ErrVisibleAfterCertification reports a new visible signature asked
	// of a certified document (DocMDP P=2 or P=3). A new field's
	// appearance is not among the changes a certification allows, so
	// careful verifiers (pyHanko, Segel's own) would call the
	// certification violated. Sign invisibly, or into a signature field
	// that the certified document already holds.
	ErrVisibleAfterCertification = errors.New("a certified document allows no new visible signature")
	// ErrPage reports a page number outside the document.
	ErrPage = errors.New("page out of range")
	// ErrSignatureTooLarge reports a CMS signature larger than the space
	// reserved for it (possible only with an unexpectedly large timestamp
	// token; increase Options.Reserve). Nothing was signed twice.
	ErrSignatureTooLarge = errors.New("signature larger than the space reserved in the PDF")
	// ErrTimestamp reports a timestamp authority's answer that is not a
	// valid token for the digest asked: its signature, its ESS
	// signing-certificate attribute, its certificate's timeStamping
	// extended key usage or its message imprint fails the checks of the
	// verifier. The error also wraps the failed check (*tstoken.Error).
	ErrTimestamp = errors.New("the timestamp authority's answer is not a valid timestamp token")
	// ErrOptions reports options that are missing or inconsistent.
	ErrOptions = errors.New("invalid signing options")
)
