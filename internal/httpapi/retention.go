package httpapi

import (
	"context"
	"time"
)

// SweepRetention deletes the stored files whose profile's retention has
// ended (the register records stay, marked as no longer stored) and
// returns how many it deleted. The server runs it hourly when a profile
// keeps files for a limited time; it can also be called directly.
func (s *Server) SweepRetention(ctx context.Context) (int, error) {
	n := 0
	for {
		ids, err := s.opts.Store.ExpireBlobs(ctx, s.opts.Now(), 100)
		n += len(ids)
		if err != nil || len(ids) < 100 {
			return n, err
		}
	}
}

// sweeper runs SweepRetention every interval until stop is closed.
func (s *Server) sweeper(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		if n, err := s.SweepRetention(ctx); err != nil {
			s.opts.Logger.Error("retention", "error", err, "deleted", n)
		} else if n > 0 {
			s.opts.Logger.Info("retention", "deleted", n)
		}
		cancel()
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}
