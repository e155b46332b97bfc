package main

import (
	"strings"
	"testing"
)

// TestServeMetricsProcess: /metrics carries the process's resident
// memory and the runtime's goroutines, which the soak (make soak) and an
// operator watch for leaks.
func TestServeMetricsProcess(t *testing.T) {
	_, cfg, _ := configFixture(t, "")
	srv := serveInProcess(t, "--config", cfg)
	resp, body := call(t, nil, "GET", srv.url+"/metrics", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	for _, want := range []string{"\nprocess_resident_memory_bytes ", "\ngo_goroutines ", "segel_"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %q", strings.TrimSpace(want))
		}
	}
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}
