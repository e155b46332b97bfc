// Package cputime reads the CPU time the process has used, for the
// benchmarks that report CPU per operation beside their rates: on a
// machine shared with other work CPU time moves far less than wall time
// (docs/decisions.md, "Gateway performance (issue 12)").
package cputime

import "time"

// Process returns the user and system CPU time the process has used so
// far, or 0 where the system does not say.
func Process() time.Duration { return process() }
