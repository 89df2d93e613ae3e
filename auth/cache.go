package auth

import (
	"sync"
	"time"
)

// sessionsKept bounds the sessions kept in memory: a booth has a few
// tablets and a display or two. Past it the cache starts again empty.
const sessionsKept = 64

// sessionCache keeps the sessions read by their token, with when each was
// last recorded in use, so that a barista's every tap does not read the
// session and its account again. Every write that may end a session or
// change its account (sign-out, an idle session removed, an account changed
// or removed, the displays signed out) empties it once committed, on the
// writer's goroutine. A read from the database that began before such a
// commit is not kept: its generation has passed.
type sessionCache struct {
	mu      sync.Mutex
	gen     uint64
	byToken map[string]keptSession // by the token's hash
}

type keptSession struct {
	sess Session
	seen time.Duration // running time last recorded in the database
}

func newSessionCache() sessionCache {
	return sessionCache{byToken: make(map[string]keptSession)}
}

// generation is taken before a session is read from the database, and
// handed back to keep.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// keep keeps a session read from the database, unless a write that could
// have changed it committed since the read began (gen is not current).
func (c *sessionCache) keep(gen uint64, tokenHash string, sess Session, seen time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.byToken) >= sessionsKept {
		clear(c.byToken)
	}
	c.byToken[tokenHash] = keptSession{sess: sess, seen: seen}
}

// get returns a kept session that needs nothing from the database: neither
// idled out (which removes it) nor due to be recorded in use (a write). A
// staff session idles out after idle unused; any session is recorded in use
// every touchEvery.
func (c *sessionCache) get(tokenHash string, now, idle time.Duration) (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.byToken[tokenHash]
	if !ok || now-k.seen > touchEvery || (k.sess.Kind == KindStaff && now-k.seen > idle) {
		return Session{}, false
	}
	return k.sess, true
}

// forget empties the cache; what a read had begun is not kept.
func (c *sessionCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.byToken)
}
