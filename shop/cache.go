package shop

import (
	"context"
	"sync"

	"github.com/coffeebar/kiosk/events"
)

// cache keeps the configuration last read from a database, so that the
// reads of every scan, page load, ticket and ready-light change cost no
// query: the configuration changes a few times a day. Every change to the
// shop's rows goes through this package, which brackets it with begin and
// end; a read taken while a change was under way, or across one, is not
// kept. Reads inside a write transaction (Load) use it too: a change begins
// before its transaction reaches the writer and ends after it has committed
// or rolled back, so a transaction that could see a change's rows (the
// change's own, or one sharing its commit) never finds the cache valid.
type cache struct {
	mu      sync.Mutex
	writing int    // changes under way
	gen     uint64 // changes ended
	ok      bool   // cfg was ever kept
	at      uint64 // gen when cfg was read
	cfg     Config
}

// caches holds one cache per event store (one per open database).
var caches sync.Map

func cacheOf(store *events.Store) *cache {
	if c, ok := caches.Load(store); ok {
		return c.(*cache)
	}
	c, _ := caches.LoadOrStore(store, &cache{})
	return c.(*cache)
}

// lookup returns the kept configuration if there is one, and the
// generation to hand to put with what the caller reads instead.
func (c *cache) lookup() (Config, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && c.writing == 0 && c.at == c.gen {
		cfg := c.cfg
		cfg.Menu = cfg.Menu.clone()
		return cfg, c.gen, true
	}
	return Config{}, c.gen, false
}

// read returns the kept configuration, or reads it through q and keeps
// what it read unless a change began or ended meanwhile.
func (c *cache) read(ctx context.Context, q queryer) (Config, error) {
	cfg, gen, ok := c.lookup()
	if ok {
		return cfg, nil
	}
	cfg, err := load(ctx, q)
	if err == nil {
		c.put(cfg, gen)
	}
	return cfg, err
}

// put keeps cfg, read after lookup returned gen, unless a change began or
// ended since.
func (c *cache) put(cfg Config, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing == 0 && c.gen == gen {
		c.ok, c.at, c.cfg = true, gen, cfg
		c.cfg.Menu = cfg.Menu.clone()
	}
}

// begin and end bracket a change to the shop's rows, committed or not:
// nothing is served while one is under way, and what was kept before it
// is stale once it ends.
func (c *cache) begin() {
	c.mu.Lock()
	c.writing++
	c.mu.Unlock()
}

func (c *cache) end() {
	c.mu.Lock()
	c.writing--
	c.gen++
	c.mu.Unlock()
}
