package verify

import "time"

// Code names one reason a report gives: an error or a warning of a
// signature, or a warning about the document. Each message of Errors and
// Warnings has a Note with its Code, made where the message is made, so
// that a reader (verify/explain) can word the reason in another language
// without parsing the English. The codes are stable: a code is never
// renamed or reused for another reason; new ones are added (docs/contracts.md).
type Code string

// Reasons of the signature's structure and CMS.
const (
	CodeStructure            Code = "structure"               // the signature dictionary or its /ByteRange is unsound (detail)
	CodeRangesPastEnd        Code = "ranges-past-end"         // the /ByteRange reaches beyond the end of a repaired file (n bytes): the file is cut short (detail)
	CodeCMSUnparsable        Code = "cms-unparsable"          // the CMS cannot be parsed (detail)
	CodeCMSNoSigner          Code = "cms-no-signer"           // the CMS holds no signer
	CodeContentsPadding      Code = "contents-padding"        // n non-zero bytes after the CMS in /Contents (warning)
	CodeSubFilterUnsupported Code = "subfilter-unsupported"   // subFilter is not supported
	CodeSignedRangesUnread   Code = "signed-ranges-unread"    // the signed ranges cannot be read (detail)
	CodeSignerCertMissing    Code = "signer-cert-missing"     // the signer's certificate is not in the signature (detail)
	CodeSignatureMalformed   Code = "signature-malformed"     // the signature is malformed (detail)
	CodeSignatureFormat      Code = "signature-format"        // the CMS is not the kind of signature its SubFilter says (detail)
	CodeSigningCertAttrBad   Code = "signing-cert-attr-bad"   // the signing-certificate attribute is malformed (detail)
	CodeSigningCertAttrOther Code = "signing-cert-attr-other" // the signing-certificate attribute names another certificate
	CodeSigningTimeAttr      Code = "signing-time-attr"       // the CMS has a signingTime attribute: level NONE (warning)
	CodeNoSigningCertAttr    Code = "no-signing-cert-attr"    // the CMS has no signing-certificate attribute: level NONE (warning)
	CodeCMSSigners           Code = "cms-signers"             // the CMS holds n signers; signer i (signer) is validated (warning)
	CodeCMSOtherSigners      Code = "cms-other-signers"       // the other signers (others) are not validated (warning)
	CodeNoSignerCovers       Code = "no-signer-covers"        // none of the n signers covers the document
	CodeNoSignerCert         Code = "no-signer-cert"          // no signer comes with its certificate (detail)
)

// Reasons of the digest and the signature value.
const (
	CodeDigestUnsupported    Code = "digest-unsupported"    // the digest algorithm is not supported (detail)
	CodeDigestMismatch       Code = "digest-mismatch"       // the digest of the signed bytes does not match
	CodeSHA1DigestMismatch   Code = "sha1-digest-mismatch"  // the signed SHA-1 digest is not the document's
	CodeSignatureValue       Code = "signature-value"       // the signature value does not verify
	CodeAlgorithmUnsupported Code = "algorithm-unsupported" // the signature algorithm is not supported (detail)
	CodeHashMismatch         Code = "hash-mismatch"         // the signature algorithm hashes with sigHash, the digest is hash (warning)
	CodeSigHashWeak          Code = "sig-hash-weak"         // the signature algorithm's hash is no longer secure
	CodeDigestWeak           Code = "digest-weak"           // the digest algorithm hash is no longer secure
	CodeRSAKeyShort          Code = "rsa-key-short"         // the signer's RSA key has bits bits
	CodeECKeyShort           Code = "ec-key-short"          // the signer's EC key has bits bits
)

// Reasons of timestamps.
const (
	CodeTimestampRangesUnread Code = "timestamp-ranges-unread" // the timestamped ranges cannot be read (detail)
	CodeTimestampImprint      Code = "timestamp-imprint"       // the document timestamp's imprint is not the document's digest
	CodeSigTimestampUnparsed  Code = "sig-timestamp-unparsed"  // signature timestamp n cannot be parsed (warning)
	CodeSigTimestampOther     Code = "sig-timestamp-other"     // signature timestamp n is not over this signature (warning)
	CodeSigTimestampInvalid   Code = "sig-timestamp-invalid"   // signature timestamp n is not valid (warning; detail)
	CodeSigTimestampIgnored   Code = "sig-timestamp-ignored"   // signature timestamp n is ignored (warning; detail)
	CodeTSACertMissing        Code = "tsa-cert-missing"        // the TSA certificate is not in the timestamp (detail)
	CodeTSACertUnbound        Code = "tsa-cert-unbound"        // the timestamp does not bind its TSA certificate (detail)
	CodeTSACertNotTSA         Code = "tsa-cert-not-tsa"        // the timestamp's certificate is not a TSA certificate (detail)
	CodeDocTimestampPOE       Code = "doc-timestamp-poe"       // a document timestamp proves the signature existed at time (warning)
)

// Reasons of the certificate path and revocation.
const (
	CodeChainNotFound         Code = "chain-not-found"        // no path to a trust anchor (detail)
	CodeIssuerNotAccepted     Code = "issuer-not-accepted"    // the issuer is not one of issuers
	CodeCertKeyUsage          Code = "cert-key-usage"         // cert's key usage is not for signatures
	CodeCertExtKeyUsage       Code = "cert-ext-key-usage"     // cert's extended key usage is for other purposes only
	CodeCertExpired           Code = "cert-expired"           // cert expired on date, before the proven time poe
	CodeCertExpiredNoPOE      Code = "cert-expired-no-poe"    // cert expired on date, nothing proves the signature came first
	CodeCertNotYetValid       Code = "cert-not-yet-valid"     // cert is valid only from date
	CodePinnedNoIssuer        Code = "pinned-no-issuer"       // pinned cert without its issuer: revocation unknown (warning)
	CodeNoRevocationSource    Code = "no-revocation-source"   // cert names no OCSP or CRL (warning)
	CodeRevocationUnavailable Code = "revocation-unavailable" // the revocation status of cert cannot be established (detail)
	CodeRevokedAfterPOE       Code = "revoked-after-poe"      // cert was revoked on date, after the proven time (warning)
	CodeRevoked               Code = "revoked"                // cert was revoked on date, before the proven time poe
	CodeRevokedNoPOE          Code = "revoked-no-poe"         // cert was revoked on date, nothing proves the signature came first
	CodeRevocationUnknown     Code = "revocation-unknown"     // the source (OCSP or CRL) does not know cert
)

// Reasons of changes after signing.
const (
	CodeChangesStopped    Code = "changes-stopped"      // the change analysis was stopped (detail)
	CodeChangesUnanalysed Code = "changes-unanalysed"   // the changes cannot be analysed (detail)
	CodeChanged           Code = "changed"              // the document was changed after this signature (level, change)
	CodeDocMDPForbids     Code = "docmdp-forbids"       // the certification (DocMDP P=p) forbids the change (level, change)
	CodeMoreChanges       Code = "more-changes"         // n more changes that are not permitted
	CodeFieldLocked       Code = "field-locked"         // field, locked by FieldMDP action, was changed (change)
	CodeDamagedAfter      Code = "damaged-after"        // the file was damaged or extended after signing
	CodeDamageSigned      Code = "damage-signed"        // the damage lies inside what this signature covers (warning)
	CodeSignatureRemoved  Code = "signature-removed"    // the signature of field was removed or replaced later
	CodeHistoryIncomplete Code = "history-incomplete"   // too many revisions or fields to check for removed signatures
	CodeEncryptedPassword Code = "encrypted-password"   // the document is encrypted with a password
	CodeEncryptedUnread   Code = "encrypted-unreadable" // the document is encrypted and cannot be read (detail)
	CodeTrailingBytes     Code = "trailing-bytes"       // n bytes after the last revision that no reader shows
	CodeTrailingObjects   Code = "trailing-objects"     // n bytes after the last revision hold objects a viewer shows
)

// Warnings about the document as a whole (Report.Notes), besides
// CodeEncrypted*, CodeTrailing* and CodeHistoryIncomplete.
const (
	CodeRepaired        Code = "repaired"              // the cross-reference was broken and rebuilt; damaged from byte from (detail)
	CodeFormUnreadable  Code = "form-unreadable"       // the form cannot be read (detail)
	CodeEncryptedNoPass Code = "encrypted-no-password" // encrypted, opens without a password
	CodeValueReused     Code = "value-reused"          // field reuses the signature value of another field
	CodeFieldNotInForm  Code = "field-not-in-form"     // the signature field is on a page but not in /Fields
)

// Codes returns every code the verify package emits, for readers that
// must word each one (and for their tests).
func Codes() []Code {
	return []Code{
		CodeStructure, CodeRangesPastEnd, CodeCMSUnparsable, CodeCMSNoSigner, CodeContentsPadding, CodeSubFilterUnsupported,
		CodeSignedRangesUnread, CodeSignerCertMissing, CodeSignatureMalformed, CodeSignatureFormat,
		CodeSigningCertAttrBad, CodeSigningCertAttrOther, CodeSigningTimeAttr, CodeNoSigningCertAttr,
		CodeCMSSigners, CodeCMSOtherSigners, CodeNoSignerCovers, CodeNoSignerCert,
		CodeDigestUnsupported, CodeDigestMismatch, CodeSHA1DigestMismatch, CodeSignatureValue,
		CodeAlgorithmUnsupported, CodeHashMismatch, CodeSigHashWeak, CodeDigestWeak, CodeRSAKeyShort, CodeECKeyShort,
		CodeTimestampRangesUnread, CodeTimestampImprint, CodeSigTimestampUnparsed, CodeSigTimestampOther,
		CodeSigTimestampInvalid, CodeSigTimestampIgnored, CodeTSACertMissing, CodeTSACertUnbound, CodeTSACertNotTSA,
		CodeDocTimestampPOE,
		CodeChainNotFound, CodeIssuerNotAccepted, CodeCertKeyUsage, CodeCertExtKeyUsage, CodeCertExpired, CodeCertExpiredNoPOE, CodeCertNotYetValid,
		CodePinnedNoIssuer, CodeNoRevocationSource, CodeRevocationUnavailable, CodeRevokedAfterPOE, CodeRevoked,
		CodeRevokedNoPOE, CodeRevocationUnknown,
		CodeChangesStopped, CodeChangesUnanalysed, CodeChanged, CodeDocMDPForbids, CodeMoreChanges, CodeFieldLocked,
		CodeDamagedAfter, CodeDamageSigned, CodeSignatureRemoved, CodeHistoryIncomplete, CodeEncryptedPassword,
		CodeEncryptedUnread, CodeTrailingBytes, CodeTrailingObjects,
		CodeRepaired, CodeFormUnreadable, CodeEncryptedNoPass, CodeValueReused, CodeFieldNotInForm,
	}
}

// Severities of a Note.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Note is the typed form of one message of Errors or Warnings: its code
// and the values the message names. The i-th note of severity "error" is
// the reason of Errors[i], the i-th of severity "warning" of Warnings[i].
type Note struct {
	// Code names the reason.
	Code Code `json:"code"`
	// Severity is "error" (a reason of the verdict) or "warning".
	Severity string `json:"severity"`
	// Args are the values the message names, by name: cert (a common
	// name), date and poe (RFC 3339 times), n, bits, field, hash, level,
	// source, ... and detail, the English technical detail of a lower
	// layer, which is not a reason in itself.
	Args map[string]string `json:"args,omitempty"`
}

// note makes a Note from a code and name, value pairs.
func note(code Code, kv ...string) Note {
	n := Note{Code: code}
	if len(kv) > 1 {
		n.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			n.Args[kv[i]] = kv[i+1]
		}
	}
	return n
}

// noteTime is a time as a note's argument: RFC 3339 in UTC.
func noteTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// warnDoc adds a warning about the document with its note.
func (r *Report) warnDoc(n Note, msg string) {
	n.Severity = SeverityWarning
	r.Warnings = append(r.Warnings, msg)
	r.Notes = append(r.Notes, n)
}

// docWarning is a warning about the document with its note, before it
// joins the report.
type docWarning struct {
	note Note
	msg  string
}
