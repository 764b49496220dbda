package engine

import (
	"sync"

	"plumb.dev/plumb"
)

// renderCache keeps rendered desired state by target kind and input hash,
// so an app whose inputs did not change is not rendered again.
type renderCache struct {
	mu  sync.Mutex
	max int
	m   map[string]plumb.Desired
}

func newRenderCache(max int) *renderCache {
	return &renderCache{max: max, m: map[string]plumb.Desired{}}
}

func (c *renderCache) get(key string) (plumb.Desired, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[key]
	return d, ok
}

func (c *renderCache) put(key string, d plumb.Desired) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[key] = d
}
