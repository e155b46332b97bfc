package httpapi

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// timedStore measures the latency and the errors of every store call
// (segel_store_duration_seconds, segel_store_errors_total).
type timedStore struct {
	store.Store
	m *metrics
}

// observe records a call of op that started at start and ended with err.
// ErrNotFound is an answer, not a failure of the store.
func (t *timedStore) observe(op string, start time.Time, err error) {
	t.m.store(op).Observe(time.Since(start).Seconds())
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrExists) {
		t.m.storeErrors.WithLabelValues(op).Inc()
	}
}

func (t *timedStore) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	start := time.Now()
	err := t.Store.AppendAudit(ctx, e)
	t.observe("append_audit", start, err)
	return err
}

func (t *timedStore) PutDocument(ctx context.Context, d *store.Document) error {
	start := time.Now()
	err := t.Store.PutDocument(ctx, d)
	t.observe("put_document", start, err)
	return err
}

func (t *timedStore) RecordSigned(ctx context.Context, d *store.Document, e *store.AuditEntry) error {
	start := time.Now()
	err := t.Store.RecordSigned(ctx, d, e)
	t.observe("record_signed", start, err)
	return err
}

func (t *timedStore) RecordKept(ctx context.Context, d *store.Document, e *store.AuditEntry, file io.Reader) error {
	start := time.Now()
	err := t.Store.RecordKept(ctx, d, e, file)
	t.observe("record_kept", start, err)
	return err
}

func (t *timedStore) GetDocument(ctx context.Context, id string) (*store.Document, error) {
	start := time.Now()
	d, err := t.Store.GetDocument(ctx, id)
	t.observe("get_document", start, err)
	return d, err
}

func (t *timedStore) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	start := time.Now()
	n, err := t.Store.PutBlob(ctx, id, r)
	t.observe("put_blob", start, err)
	return n, err
}

func (t *timedStore) OpenBlob(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	start := time.Now()
	rc, n, err := t.Store.OpenBlob(ctx, id)
	t.observe("open_blob", start, err)
	return rc, n, err
}

func (t *timedStore) ClientByKeyHash(ctx context.Context, h []byte) (*store.Client, error) {
	start := time.Now()
	c, err := t.Store.ClientByKeyHash(ctx, h)
	t.observe("client_by_key", start, err)
	return c, err
}

func (t *timedStore) AddFailure(ctx context.Context, key string, at time.Time) error {
	start := time.Now()
	err := t.Store.AddFailure(ctx, key, at)
	t.observe("add_failure", start, err)
	return err
}

func (t *timedStore) CountFailures(ctx context.Context, key string, since time.Time) (int, error) {
	start := time.Now()
	n, err := t.Store.CountFailures(ctx, key, since)
	t.observe("count_failures", start, err)
	return n, err
}

func (t *timedStore) Ping(ctx context.Context) error {
	start := time.Now()
	err := t.Store.Ping(ctx)
	t.observe("ping", start, err)
	return err
}
