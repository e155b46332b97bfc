package register

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Login throttling: after loginMaxFailures wrong logins for one username
// from one address within loginWindow, that pair is refused until the
// window has passed since the first of them. Keyed on the pair, so that
// nobody elsewhere can lock an official out of their own login. Held in
// memory: a restart forgets it (the argon2id cost still bounds guessing).
const (
	loginMaxFailures = 10
	loginWindow      = 15 * time.Minute
)

type loginThrottle struct {
	mu   sync.Mutex
	fail map[string][]time.Time
}

// throttleKey is the pair a wrong login counts against: the client's
// address (clientAddr, as the signing screen passes it to Segel) and the
// username.
func (a *App) throttleKey(r *http.Request, username string) string {
	return a.clientAddr(r) + "\x00" + strings.ToLower(username)
}

// wait returns how long the pair must wait before trying again (0: it
// may try now).
func (l *loginThrottle) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.recent(key, now)
	if len(ts) < loginMaxFailures {
		return 0
	}
	return ts[0].Add(loginWindow).Sub(now)
}

// failed records a wrong login.
func (l *loginThrottle) failed(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail == nil {
		l.fail = map[string][]time.Time{}
	}
	l.fail[key] = append(l.recent(key, now), now)
	// Keep the map small: drop what has expired everywhere now and then.
	if len(l.fail) > 10000 {
		for k := range l.fail {
			if len(l.recent(k, now)) == 0 {
				delete(l.fail, k)
			}
		}
	}
}

// succeeded forgets the pair's failures.
func (l *loginThrottle) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fail, key)
}

// recent returns the failures of key within the window (l.mu held).
func (l *loginThrottle) recent(key string, now time.Time) []time.Time {
	ts := l.fail[key]
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-loginWindow)) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fail, key)
		return nil
	}
	l.fail[key] = ts
	return ts
}
