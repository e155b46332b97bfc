//go:build !unix

package signer_test

import (
	"testing"
	"time"
)

// cpuTime is not measured on this system.
func cpuTime() time.Duration { return 0 }

// reportCPU reports nothing on this system.
func reportCPU(*testing.B, time.Duration) {}
