package main

import (
	"context"
	"crypto"
	"log/slog"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/auditcp"
	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/store"
)

// checkpointer writes a checkpoint of the audit chain every
// audit.checkpoint_interval and once more when stopped (internal/auditcp;
// docs/decisions.md, "Audit checkpoints and client keys").
type checkpointer struct {
	st       store.Store
	auditKey []byte
	key      *keyref.Key // audit.checkpoint_key, nil: MAC under the audit key
	file     string
	logger   *slog.Logger
	quit     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// openCheckpointKey opens audit.checkpoint_key, nil when none is set.
func openCheckpointKey(ctx context.Context, cfg *config.Config) (*keyref.Key, error) {
	if cfg.Audit.CheckpointKey == "" {
		return nil, nil
	}
	k, err := keyref.Open(ctx, cfg.Audit.CheckpointKey, nil)
	if err != nil {
		return nil, cfg.Errorf("audit.checkpoint_key", "%v", err)
	}
	return k, nil
}

// startCheckpoints starts the checkpointer of the service's store.
func startCheckpoints(ctx context.Context, cfg *config.Config, st store.Store, logger *slog.Logger) (*checkpointer, error) {
	auditKey, err := cfg.AuditKey()
	if err != nil {
		return nil, cfg.Errorf("audit.key_file", "%v", err)
	}
	k, err := openCheckpointKey(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{st: st, auditKey: auditKey, key: k, file: cfg.Audit.CheckpointFile, logger: logger,
		quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop(cfg.Audit.CheckpointInterval.D())
	return c, nil
}

func (c *checkpointer) loop(every time.Duration) {
	defer close(c.done)
	if every <= 0 {
		every = config.DefaultCheckpointInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.write("periodic")
		case <-c.quit:
			c.write("shutdown")
			return
		}
	}
}

// write makes one checkpoint, logs it as one line and appends it to the
// file. A failure is logged, never fatal: the service keeps signing.
func (c *checkpointer) write(why string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var signer crypto.Signer
	if c.key != nil {
		signer = c.key.Signer
	}
	cp, h, err := auditcp.Make(ctx, c.st, c.auditKey, signer, time.Now())
	if err == nil && c.file != "" {
		err = auditcp.Append(c.file, cp)
	}
	if err != nil {
		c.logger.Error("audit checkpoint failed", "why", why, "error", err.Error())
		return
	}
	auth := "none"
	switch {
	case cp.Alg != "":
		auth = cp.Alg
	case cp.MAC != "":
		auth = "hmac-sha256"
	}
	c.logger.Info("audit checkpoint", "why", why, "chain", h.ChainID, "seq", h.Seq, "hash", h.Hash,
		"time", h.Time.Format(time.RFC3339Nano), "auth", auth, "checkpoint", string(cp.Line()[:len(cp.Line())-1]))
}

// stop writes the last checkpoint and releases the key.
func (c *checkpointer) stop() {
	c.once.Do(func() {
		close(c.quit)
		<-c.done
		if c.key != nil {
			c.key.Close()
		}
	})
}

// checkpointPublicKey is the public key that checks signed checkpoints,
// nil without audit.checkpoint_key.
func checkpointPublicKey(ctx context.Context, cfg *config.Config) (crypto.PublicKey, error) {
	k, err := openCheckpointKey(ctx, cfg)
	if err != nil || k == nil {
		return nil, err
	}
	defer k.Close()
	return k.Certificate.PublicKey, nil
}
