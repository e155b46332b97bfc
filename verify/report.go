package verify

import "time"

// Indication is a main validation status (ETSI EN 319 102-1, 5.1.3), or
// NoSignature for a document without signatures.
type Indication string

// Main indications.
const (
	TotalPassed   Indication = "TOTAL_PASSED"
	TotalFailed   Indication = "TOTAL_FAILED"
	Indeterminate Indication = "INDETERMINATE"
	// NoSignature is the document indication when it holds no signature.
	NoSignature Indication = "NO_SIGNATURE"
)

// SubIndication explains a TOTAL_FAILED or INDETERMINATE indication (ETSI
// EN 319 102-1, 5.1.3, written with underscores), plus Segel's
// MODIFIED_AFTER_SIGNING.
type SubIndication string

// Sub-indications. Each implies its main indication (see Implies).
const (
	FormatFailure                  SubIndication = "FORMAT_FAILURE"
	HashFailure                    SubIndication = "HASH_FAILURE"
	SigCryptoFailure               SubIndication = "SIG_CRYPTO_FAILURE"
	Revoked                        SubIndication = "REVOKED"
	Expired                        SubIndication = "EXPIRED"
	NotYetValid                    SubIndication = "NOT_YET_VALID"
	CryptoConstraintsFailure       SubIndication = "CRYPTO_CONSTRAINTS_FAILURE"
	ModifiedAfterSigning           SubIndication = "MODIFIED_AFTER_SIGNING"
	NoCertificateChainFound        SubIndication = "NO_CERTIFICATE_CHAIN_FOUND"
	NoSigningCertificateFound      SubIndication = "NO_SIGNING_CERTIFICATE_FOUND"
	RevokedNoPOE                   SubIndication = "REVOKED_NO_POE"
	OutOfBoundsNoPOE               SubIndication = "OUT_OF_BOUNDS_NO_POE"
	OutOfBoundsNotRevoked          SubIndication = "OUT_OF_BOUNDS_NOT_REVOKED"
	CryptoConstraintsFailureNoPOE  SubIndication = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
	TryLater                       SubIndication = "TRY_LATER"
	SignedDataNotFound             SubIndication = "SIGNED_DATA_NOT_FOUND"
	ChainConstraintsFailure        SubIndication = "CHAIN_CONSTRAINTS_FAILURE"
	CertificateChainGeneralFailure SubIndication = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
	SignatureConstraintsFailure    SubIndication = "SIG_CONSTRAINTS_FAILURE"
	PolicyProcessingError          SubIndication = "POLICY_PROCESSING_ERROR"
	TimestampOrderFailure          SubIndication = "TIMESTAMP_ORDER_FAILURE"
	RevocationOutOfBoundsNoPOE     SubIndication = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
	NoPOE                          SubIndication = "NO_POE"
	GenericIndeterminate           SubIndication = "GENERIC"
	UnsupportedFeature             SubIndication = "UNSUPPORTED"
)

// Implies returns the main indication a sub-indication implies: TOTAL_FAILED
// for what is proven wrong, INDETERMINATE for everything else.
func (s SubIndication) Implies() Indication {
	switch s {
	case "":
		return TotalPassed
	case FormatFailure, HashFailure, SigCryptoFailure, Revoked, Expired, NotYetValid,
		CryptoConstraintsFailure, ModifiedAfterSigning:
		return TotalFailed
	}
	return Indeterminate
}

// Level is the PAdES baseline level a signature conforms to (ETSI EN 319
// 142-1, 6): written as in the report, PAdES-BASELINE-B and so on, or
// NONE.
type Level string

// PAdES baseline levels, from the least to the most: each includes the
// ones before it.
const (
	// NoBaseline is a signature that meets no baseline level: not
	// ETSI.CAdES.detached, a CMS signingTime attribute, or no
	// signing-certificate attribute.
	NoBaseline Level = "NONE"
	// BaselineB is a signature without a proof of existence.
	BaselineB Level = "PAdES-BASELINE-B"
	// BaselineT adds a valid signature timestamp (or an earlier document
	// timestamp): a proof of existence.
	BaselineT Level = "PAdES-BASELINE-T"
	// BaselineLT adds validation data in a DSS that was added after the
	// signature and was enough offline, with a TOTAL_PASSED verdict.
	BaselineLT Level = "PAdES-BASELINE-LT"
	// BaselineLTA adds a document timestamp after that DSS.
	BaselineLTA Level = "PAdES-BASELINE-LTA"
)

// LongTerm reports whether the level carries its own validation data
// (B-LT or B-LTA).
func (l Level) LongTerm() bool { return l == BaselineLT || l == BaselineLTA }

// SignatureType tells a signature from a document timestamp.
type SignatureType string

// Signature types.
const (
	// TypeSignature is a signature (/Type /Sig, or no /Type).
	TypeSignature SignatureType = "signature"
	// TypeDocumentTimestamp is a document timestamp (/Type /DocTimeStamp,
	// /SubFilter ETSI.RFC3161).
	TypeDocumentTimestamp SignatureType = "document-timestamp"
)

// Report is the result of verifying a document: the contract of `segel
// verify --json` and POST /v1/verify.
type Report struct {
	// Indication is the document's verdict: the worst of its signatures',
	// or NO_SIGNATURE.
	Indication Indication `json:"indication"`
	// Signatures has one entry per signature and document timestamp, in
	// the order they were added to the document.
	Signatures []*SignatureReport `json:"signatures"`
	// Size is the size of the document in bytes.
	Size int64 `json:"size"`
	// SHA256 is the lower-case hex SHA-256 of the whole document.
	SHA256 string `json:"sha256"`
	// ValidationTime is when the verification ran, or the time asked for
	// (Options.Time), in UTC to the second (RFC 3339 in the JSON).
	ValidationTime time.Time `json:"validationTime"`
	// Warnings are about the document as a whole.
	Warnings []string `json:"warnings"`
	// Notes are the typed form of Warnings, one each, in the same order
	// (see Note); left out of the JSON when there is none.
	Notes []Note `json:"notes,omitempty"`
}

// SignatureReport is the verdict on one signature or document timestamp.
type SignatureReport struct {
	// Field is the fully qualified name of the signature field.
	Field string `json:"field"`
	// Type is "signature" or "document-timestamp".
	Type SignatureType `json:"type"`
	// Indication and SubIndication are the verdict.
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"subIndication"`
	// Level is the PAdES baseline level the signature conforms to:
	// PAdES-BASELINE-B, -T, -LT, -LTA, or NONE.
	Level Level `json:"level"`
	// SubFilter is the signature dictionary's /SubFilter.
	SubFilter string `json:"subFilter"`
	// Signer describes the signing certificate (the TSA's for a document
	// timestamp); nil when it was not found.
	Signer *Certificate `json:"signer"`
	// Chain is the certificate path found, from the signer to the anchor.
	Chain []*Certificate `json:"chain,omitempty"`
	// TrustAnchor names where the anchor of Chain was configured.
	TrustAnchor string `json:"trustAnchor,omitempty"`
	// ClaimedSigningTime is the signer's claim (/M or signingTime), in UTC
	// to the second; zero (and left out of the JSON) when there is none.
	// For a document timestamp it is the timestamp's time.
	ClaimedSigningTime time.Time `json:"claimedSigningTime,omitzero"`
	// Timestamp is the signature timestamp (or, for a document timestamp,
	// its own time), when present and valid.
	Timestamp *Timestamp `json:"timestamp,omitempty"`
	// Reason, Location, ContactInfo and Name are the signer's claims from
	// the signature dictionary.
	Reason      string `json:"reason,omitempty"`
	Location    string `json:"location,omitempty"`
	ContactInfo string `json:"contactInfo,omitempty"`
	Name        string `json:"name,omitempty"`
	// DigestAlgorithm is the digest of the signature (e.g. "SHA-256").
	DigestAlgorithm string `json:"digestAlgorithm,omitempty"`
	// ByteRange is the signature's /ByteRange.
	ByteRange []int64 `json:"byteRange,omitempty"`
	// Revision is the 1-based revision of the document the signature
	// covers.
	Revision int `json:"revision,omitempty"`
	// CoversWholeDocument reports whether the byte ranges reach the end of
	// the file.
	CoversWholeDocument bool `json:"coversWholeDocument"`
	// ModifiedAfterSigning lists the changes made after the signature, in
	// words: form filling, annotations, and what failed the signature.
	// Housekeeping (later signatures and timestamps, validation data) is
	// in Changes only.
	ModifiedAfterSigning []string `json:"modifiedAfterSigning"`
	// ModificationLevel is how far the changes after the signature go:
	// NONE, LTA_UPDATES (validation data, document timestamps),
	// FORM_FILLING (form filling, later signatures), ANNOTATIONS, or
	// OTHER (what no rule of the change analysis clears). Empty when the
	// analysis did not run (the signature failed before it): NotAnalysed.
	ModificationLevel ModLevel `json:"modificationLevel,omitempty"`
	// Changes lists every change after the signature found by the
	// change analysis, with the rule that judged it and its level.
	Changes []Change `json:"changes,omitempty"`
	// Errors and Warnings explain the verdict.
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
	// Notes are the typed form of Errors and Warnings, one each, in the
	// order they were made (see Note); left out of the JSON when there is
	// none.
	Notes []Note `json:"notes,omitempty"`
}

// Certificate describes a certificate in a report.
type Certificate struct {
	// CommonName and Organization are the subject's CN and O.
	CommonName   string `json:"commonName"`
	Organization string `json:"organization,omitempty"`
	// Subject and Issuer are the distinguished names, as Go writes them.
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// SerialNumber is the serial number in decimal.
	SerialNumber string `json:"serialNumber"`
	// NotBefore and NotAfter are the validity period, in UTC.
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	// SHA256 is the lower-case hex SHA-256 fingerprint of the certificate.
	SHA256 string `json:"sha256"`
}

// Timestamp describes a validated RFC 3161 timestamp.
type Timestamp struct {
	// Time is the token's genTime in UTC, to the second.
	Time time.Time `json:"time"`
	// TSA is the common name of the timestamping unit's certificate.
	TSA string `json:"tsa"`
}

// reportTime is a time as a report holds it: in UTC, to the second, so
// that time.Time's JSON is the RFC 3339 the report always had.
func reportTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// fail records a sub-indication, keeping the worst one: a TOTAL_FAILED
// reason is never replaced by an INDETERMINATE one.
// n is the message's typed form (its code and values), made here with it.
func (s *SignatureReport) fail(sub SubIndication, n Note, format string, args ...any) {
	s.Errors = append(s.Errors, sprintf(format, args...))
	n.Severity = SeverityError
	s.Notes = append(s.Notes, n)
	if s.SubIndication == "" || (s.SubIndication.Implies() != TotalFailed && sub.Implies() == TotalFailed) {
		s.SubIndication = sub
	}
	s.Indication = s.SubIndication.Implies()
}

// warn records a warning and its typed form n.
func (s *SignatureReport) warn(n Note, format string, args ...any) {
	s.Warnings = append(s.Warnings, sprintf(format, args...))
	n.Severity = SeverityWarning
	s.Notes = append(s.Notes, n)
}

// rank orders indications from best to worst.
func rank(i Indication) int {
	switch i {
	case TotalPassed:
		return 0
	case Indeterminate:
		return 1
	}
	return 2
}
