// Package spool holds what the HTTP API, the citizens' page and the
// register share to receive uploads: spools that hold a small document
// in pooled memory within a budget and the rest in temporary files
// (anonymous with O_TMPFILE where the system has it, reused from a pool;
// docs/decisions.md, "Small letters in memory"), a copy that
// hashes while it writes and stops at a size limit, and the rule for the
// address a request is counted under. See docs/decisions.md, "One lexer,
// one spooler (issue 15)".
package spool
