// Package faults holds the fault matrix of Segel (issue 12, "Prove it"):
// tests that build the real segel binary, start it from a configuration
// file and break what it depends on while it serves: the TSA, the OCSP
// responders and CRLs, the SoftHSM token, PostgreSQL, the temporary and
// blob directories, and the process itself (SIGTERM, kill -9). Replicas on
// one PostgreSQL behind a round-robin proxy, and the soak, live here too.
//
// The tests need the build tag "faults", so that `make test` stays within
// its time; `make test-faults` runs them (CI does), `make soak` runs the
// soak (SOAK=10m by default). docs/faults.md is the matrix: each case, the
// status it expects and what is checked after it.
package faults
