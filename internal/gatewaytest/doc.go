// Package gatewaytest runs a real Segel gateway for the tests of its
// clients (the letter register, examples): the same httpapi.Server that
// `segel serve` runs, on an httptest server on loopback, with an SQLite
// store in the test's temporary directory, a throwaway PKI
// (testpki) whose OCSP responder, CRLs and time-stamping
// authority run in process, so that every level up to B-LTA signs and
// verifies, and a personal profile for each official a test asks for.
//
// WARNING: for tests only. Keys live in memory and in the test's
// temporary directory, and passphrases are handed to the test.
//
// # Use
//
//	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("bupati", "Ratu Tatu Chasanah"))
//	bupati := gw.Official("bupati")
//	// POST gw.URL+"/v1/sign?profile="+bupati.Profile with
//	// "Authorization: Bearer "+gw.APIKey and
//	// "Segel-Passphrase: "+bupati.Passphrase.
//
// # What runs
//
//   - A seal profile, [SealProfile], with a software key: it signs without
//     a passphrase (an organisation's seal).
//   - One personal profile per [WithOfficial]: the official's key is a
//     PKCS#12 file locked by their passphrase (keyref.Locked), as
//     `segel serve` opens a personal profile whose key is not on a token;
//     a wrong passphrase is passphrase-rejected, five wrong within the
//     window lock the official out (passphrase-locked-out, with
//     Retry-After).
//   - One API client, whose key is [Gateway.APIKey], that may sign,
//     verify, augment and read every register record with every profile.
//   - PublicBaseURL is [Gateway.URL], so /v/{id} links and QR codes open
//     the citizens' page of this very gateway.
//   - Loopback is a trusted proxy: X-Forwarded-For from a client on the
//     same machine names the address the lock-out counts (as a
//     register's ClientAddr does).
//
// Everything is closed when the test ends; [Gateway.Close] stops the
// server sooner (to test a gateway that is down).
package gatewaytest
