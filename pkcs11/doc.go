// Package pkcs11 signs with private keys held on PKCS#11 tokens (hardware
// security modules, smart cards, SoftHSM) and manages the keys and
// certificates on them.
//
// # Opening a key
//
// A key is named by an RFC 7512 PKCS#11 URI:
//
//	pkcs11:token=Sleman;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin
//
// [Open] loads the module (once per path and process: modules are shared and
// reference counted because C_Initialize is per process), finds the token and
// the private key, logs in once per token and returns a [*Key]. A Key is a
// [crypto.Signer]; [Key.Certificate] and [Key.Chain] give the signer's
// certificate and the CA certificates found on the token.
//
// # Signing
//
// RSA keys sign with PKCS #1 v1.5 (CKM_RSA_PKCS, the DigestInfo is built by
// this package) or RSA-PSS (CKM_RSA_PKCS_PSS) when the options are
// [*rsa.PSSOptions]; ECDSA keys on P-256 and P-384 sign with CKM_ECDSA and
// the signature is returned in ASN.1 DER form. Digests must be SHA-256,
// SHA-384 or SHA-512.
//
// Signatures run on a bounded pool of sessions, so concurrent calls scale on
// tokens that allow several sessions.
//
// # Recovery
//
// When the token goes away (removed, re-created, module reset) the failing
// call returns an error matching [ErrTokenUnavailable]; no signature is ever
// returned from a key other than the one opened. Dead sessions are dropped,
// and a later call finds the token again by label or serial (slot ids
// change), logs in again and proceeds. When the token cannot be seen any more
// the module is finalized and initialized again (SoftHSM reads its token
// directory only in C_Initialize); this happens once per loss however many
// calls see it, at most every 200ms per module, and never while another
// call uses the module (other keys of the module then reopen their sessions
// transparently). Open and the management functions also re-initialise the
// module once when the token they name is not found.
//
// # Personal keys
//
// A personal key is unlocked for each signature with its holder's
// passphrase, given to [Key.SignWithPassphrase]. Two models are supported:
// keys with CKA_ALWAYS_AUTHENTICATE, where the token PIN is stored in the URI
// and the passphrase is given as a context-specific login for each
// signature; and tokens holding one official's key whose user PIN is the
// passphrase, where each call logs in, signs and logs out while holding the
// token, so one caller's login can never serve another's signature. The
// passphrase is not kept after the call.
//
// # Token management
//
// [ListTokens], [GenerateKey] and [ImportCertificate] implement the
// "segel keys" commands.
//
// # Builds without cgo
//
// PKCS#11 needs cgo. Without it the package still compiles and [ParseURI]
// works, but [Open] and the management functions return [ErrNotAvailable].
package pkcs11
