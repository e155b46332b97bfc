package service

import (
	"io"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/signer"
)

// Request is one signature, as a door parsed it.
type Request struct {
	// Profile signs; Level is the PAdES level (the door puts the
	// profile's DefaultLevel when the caller named none).
	Profile *Profile
	Level   signer.Level
	// Reason and Location go into the signature dictionary.
	Reason, Location string
	// Visible, when not nil, asks for the stamp (see Visible).
	Visible *Visible
	// Number, Subject, Title and NIP go into the register (and the
	// stamp): the letter's number, its perihal, the signer's jabatan and
	// NIP. Confidential (sifat rahasia) hides the perihal on the public
	// page and keeps the file from download.
	Number, Subject, Title, NIP string
	Confidential                bool
	// Passphrase unlocks a personal profile's key. The service never
	// keeps it; the caller clears it after Sign returns.
	Passphrase []byte
	// TOTP, when Passphrase is empty, is what a code of the official's
	// authenticator app opened (UnlockTOTP): the passphrase sealed at
	// enrolment, for the signatures of one request.
	TOTP *TOTPUnlock
	// Seal is the grant (SpendSealCode) a seal profile's signature
	// takes one document of; a seal profile signs nothing without one.
	Seal *SealGrant

	// Input is the PDF to sign, Size its length and InputSHA256 its
	// SHA-256 in lower-case hex (computed by Sign when empty).
	Input       io.ReaderAt
	Size        int64
	InputSHA256 string
	// Output receives the signed PDF at OutputOffset, from where the
	// service reads it back (to keep it) and Result.Signed reads it. A
	// temporary file serves, and may hold the input before OutputOffset.
	Output interface {
		io.WriterAt
		io.ReaderAt
	}
	OutputOffset int64

	// Client names the caller (the API client, "bsre:USER", the
	// register) in the register record and the audit log; ClientAddr is
	// the official's network address, which the lock-out counts under;
	// RequestID ties the audit entry and the log to the caller's request.
	Client, ClientAddr, RequestID string

	// docID is the register id, reserved before signing so that the
	// stamp's QR code can point at it.
	docID string
}

// Visible is a request's visible stamp: by default the signer's name,
// the request's Title, NIP and Number, the date, the QR code of the
// document's page and the profile's footer, at Placement. The other
// fields change that default (the BSrE API's options).
type Visible struct {
	Placement signer.Placement
	// QR replaces the QR code's target; NoQR draws no QR code.
	QR   string
	NoQR bool
	// Lines replace the stamp's lines of text; Image is drawn in it.
	Lines []string
	Image []byte
	// Footer, when not nil, replaces the profile's footer ("" shows
	// none); "{url}" in it is the document's verification address.
	Footer *string
}

// Result is a signature made and recorded.
type Result struct {
	// Signed reads the signed PDF from the request's Output.
	Signed *io.SectionReader
	// Size is its length.
	Size int64
	// Document is its register record; VerifyURL its page for citizens
	// (empty without Options.PublicBaseURL).
	Document  *store.Document
	VerifyURL string
}

// id returns the request's document id, reserving it on first use.
func (req *Request) id() string {
	if req.docID == "" {
		req.docID = NewID()
	}
	return req.docID
}
