package httpapi

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestChildrenCache: the cache of metric children makes each label set's
// child once, even when many requests ask for it at the same moment,
// and gives every caller that child.
func TestChildrenCache(t *testing.T) {
	var c children[routeStatus, *int]
	var made atomic.Int64
	mk := func(k routeStatus) *int {
		made.Add(1)
		v := k.status
		return &v
	}
	var wg sync.WaitGroup
	got := make([][]*int, 16)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				got[g] = append(got[g], c.get(routeStatus{"/r" + strconv.Itoa(i%10), 200 + i%5}, mk))
			}
		}()
	}
	wg.Wait()
	if n := made.Load(); n != 10 {
		// i%10 and i%5 pair up: 10 label sets.
		t.Errorf("%d children made for 10 label sets", n)
	}
	for g := range got {
		for i, v := range got[g] {
			if v != got[0][i] || *v != 200+i%5 {
				t.Fatalf("caller %d, label set %d: another child (%d)", g, i, *v)
			}
		}
	}
}
