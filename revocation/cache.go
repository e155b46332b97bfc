package revocation

import (
	"sync"
	"time"
)

// cache holds checked answers in memory until they expire. When full, it
// drops the expired entries, then arbitrary ones: answers are cheap to fetch
// again, and a bounded cache matters more than a clever one.
type cache struct {
	max int // <= 0: caching disabled

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value   any
	expires time.Time
}

func newCache(max int) *cache {
	if max == 0 {
		max = DefaultMaxCacheEntries
	}
	return &cache{max: max, entries: make(map[string]cacheEntry)}
}

// get returns the value under key if it has not expired at now.
func (c *cache) get(key string, now time.Time) (any, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, key)
		return nil, false
	}
	return e.value, true
}

// put stores value under key until expires, unless that is not after now.
func (c *cache) put(key string, value any, expires, now time.Time) {
	if c.max <= 0 || !now.Before(expires) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.max {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = cacheEntry{value: value, expires: expires}
}
