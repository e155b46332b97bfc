package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigKeyCacheAndCheckpoints: the defaults, paths relative to the
// configuration, a pkcs11: checkpoint key left as it is, and the bounds.
func TestConfigKeyCacheAndCheckpoints(t *testing.T) {
	dir, module := setup(t)
	c, err := Load(write(t, dir, module, "# defaults\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.APIKeyCache.D() != DefaultAPIKeyCache || c.Audit.CheckpointInterval.D() != time.Hour {
		t.Errorf("defaults: api_key_cache %s, checkpoint_interval %s", c.Limits.APIKeyCache, c.Audit.CheckpointInterval)
	}
	c, err = Load(write(t, dir, module, "limits:\n  api_key_cache: 30s\naudit:\n  checkpoint_interval: 5m\n  checkpoint_file: cp.jsonl\n  checkpoint_key: cp.pem\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.APIKeyCache.D() != 30*time.Second || c.Audit.CheckpointInterval.D() != 5*time.Minute ||
		c.Audit.CheckpointFile != filepath.Join(dir, "cp.jsonl") || c.Audit.CheckpointKey != filepath.Join(dir, "cp.pem") {
		t.Errorf("set: %+v %+v", c.Limits.APIKeyCache, c.Audit)
	}
	uri := "pkcs11:token=segel;object=audit?pin-source=env:PIN"
	if c, err = Load(write(t, dir, module, "audit:\n  checkpoint_key: \""+uri+"\"\n")); err != nil || c.Audit.CheckpointKey != uri {
		t.Errorf("pkcs11 checkpoint_key = %q, %v", c.Audit.CheckpointKey, err)
	}
	for src, key := range map[string]string{
		"limits:\n  api_key_cache: 1h\n":        "limits.api_key_cache",
		"limits:\n  api_key_cache: -1s\n":       "limits.api_key_cache",
		"audit:\n  checkpoint_interval: 10ms\n": "audit.checkpoint_interval",
	} {
		if _, err := Load(write(t, dir, module, src)); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%q: %v, want an error naming %s", src, err, key)
		}
	}
}

// TestConfigSpoolMemory: limits.spool_memory and spool_memory_total are
// read as sizes (0 when not given: the server's defaults), and a
// per-request memory above MaxSpoolMemory is refused by name.
func TestConfigSpoolMemory(t *testing.T) {
	dir, module := setup(t)
	c, err := Load(write(t, dir, module, "# defaults\n"))
	if err != nil || c.Limits.SpoolMemory != 0 || c.Limits.SpoolMemoryTotal != 0 {
		t.Fatalf("defaults: %v %v, %v", c.Limits.SpoolMemory, c.Limits.SpoolMemoryTotal, err)
	}
	c, err = Load(write(t, dir, module, "limits:\n  spool_memory: 1MiB\n  spool_memory_total: 64MiB\n"))
	if err != nil || c.Limits.SpoolMemory != 1<<20 || c.Limits.SpoolMemoryTotal != 64<<20 {
		t.Fatalf("set: %v %v, %v", c.Limits.SpoolMemory, c.Limits.SpoolMemoryTotal, err)
	}
	if _, err := Load(write(t, dir, module, "limits:\n  spool_memory: 32MiB\n")); err == nil || !strings.Contains(err.Error(), "limits.spool_memory") {
		t.Errorf("spool_memory 32MiB: %v, want an error naming limits.spool_memory", err)
	}
}
