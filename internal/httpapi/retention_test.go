package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestRetention: a profile that keeps files for a while; after that the
// file goes, the record stays, and /v/{id} offers no download.
func TestRetention(t *testing.T) {
	now := time.Now()
	clock := &now
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.Profiles[0].Retention = 24 * time.Hour
		o.Now = func() time.Time { return *clock }
	})
	resp, _ := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	id := resp.Header.Get(httpapi.DocumentIDHeader)
	if n, err := e.srv.SweepRetention(context.Background()); err != nil || n != 0 {
		t.Fatalf("a fresh file was swept: %d, %v", n, err)
	}
	later := now.Add(25 * time.Hour)
	clock = &later
	if n, err := e.srv.SweepRetention(context.Background()); err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	d, err := e.st.GetDocument(context.Background(), id)
	if err != nil || d.Stored {
		t.Fatalf("record: %+v, %v", d, err)
	}
	if resp, _ := e.do("GET", "/v/"+id+"/download", "", nil, nil); resp.StatusCode != 404 {
		t.Errorf("download after retention: %d", resp.StatusCode)
	}
}
