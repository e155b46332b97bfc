// Package tstoken validates RFC 3161 timestamp tokens. It is the one
// validator that both the timestamp client (package tsa, on the tokens it
// fetches) and the verifier (package verify, on signature and document
// timestamps found in PDFs) use, so that a token one accepts the other
// accepts too.
//
// Validate checks what the token itself proves: that it is a SignedData
// over a TSTInfo with one signer; that the signer's certificate is in the
// token and verifies the signature; that the ESS signing-certificate or
// signing-certificate-v2 attribute binds that certificate (RFC 3161,
// 2.4.1); that the certificate's extended key usage is critical and holds
// id-kp-timeStamping alone (RFC 3161, 2.3); and, as the caller asks, the
// message imprint, the nonce and the policy. The certificate path of the
// TSA and the clock are the caller's: the client trusts configured roots
// and checks the skew against its clock, the verifier builds paths from
// its trust pool at the validation time.
package tstoken
