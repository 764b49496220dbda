package webhook

import (
	"container/list"
	"sync"
)

// deliveries remembers the newest delivery IDs, up to a bound, so that a
// delivery sent twice is acted on once.
type deliveries struct {
	mu    sync.Mutex
	max   int
	order *list.List // of string keys, newest at the front
	index map[string]*list.Element
}

func newDeliveries(max int) *deliveries {
	return &deliveries{max: max, order: list.New(), index: map[string]*list.Element{}}
}

// add remembers key and reports whether it is new. The oldest key is
// forgotten when the bound is reached.
func (d *deliveries) add(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.index[key]; ok {
		d.order.MoveToFront(e)
		return false
	}
	d.index[key] = d.order.PushFront(key)
	if d.order.Len() > d.max {
		oldest := d.order.Back()
		d.order.Remove(oldest)
		delete(d.index, oldest.Value.(string))
	}
	return true
}

// forget drops key, so that a redelivery is acted on.
func (d *deliveries) forget(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.index[key]; ok {
		d.order.Remove(e)
		delete(d.index, key)
	}
}

// len returns how many keys are remembered.
func (d *deliveries) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
