// Package service is Segel's signing service: the one place where a
// signature request, once its door has parsed it, is carried out.
//
// A door — the API's POST /v1/sign (httpapi), the BSrE-compatible
// /api/sign/pdf and /api/v2/sign/pdf (httpapi/bsre.go), and the letter
// register signing in process (register.ServiceGateway) — turns what it
// received into a [Request] and calls [Service.Sign], which:
//
//  1. refuses when the service is shutting down;
//  2. takes a place in the profile's queue and one of its signing slots
//     (Profile.MaxConcurrent, Queue, QueueTimeout; beyond: busy);
//  3. for a personal profile, admits one passphrase attempt at a time
//     per official and checks the lock-out counters again once it is its
//     turn (Options.PassphraseAttempts per official and client address,
//     ProfileAttempts per official);
//  4. unlocks the personal key with the request's passphrase, or with
//     the one a TOTP code opened ([Service.UnlockTOTP], for officials
//     enrolled with [Service.EnrolTOTP]) (keyref.Key.Unlock), and signs
//     (signer.Sign) with the visible stamp the request asks for; a wrong
//     passphrase is counted whatever the caller does next;
//  5. hands its slot over to a place among the signatures being
//     recorded (8×MaxConcurrent: a store slower than the signing makes
//     requests wait in the queue, not in the store), then keeps the
//     signed file (profiles that Keep), records the document in the
//     register and appends the audit entry; a signature that is not in
//     the audit log is not handed out.
//
// A seal profile (Profile.Seal, an institution's key) signs only with a
// [SealGrant] of the request: the BSrE seal door gets one from
// [Service.SpendSealCode] for a seal code that [Service.IssueSealCode]
// gave for an RFC 6238 activation code ([Service.ActivateSeal]; see
// seal.go and docs/decisions.md, "Institutional seal and user
// registration (issue 14)").
//
// Failures are *[Error]s whose Kind is one of Segel's problem types
// (httpapi/openapi.yaml, x-problem-types; see [Kinds]).
//
// Why it is internal, and why the doors parse and the service does not:
// docs/decisions.md, "The signing service".
package service
