package notify

import (
	"context"
	"testing"
	"time"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// TestDispatchUpdate checks that replacing the notifiers keeps the state
// of unchanged ones, starts new ones and stops removed ones.
func TestDispatchUpdate(t *testing.T) {
	srvA, srvB := newRecorder(t, okAnswer), newRecorder(t, okAnswer)
	a := hook(t, "a", srvA.URL, withRate(1, time.Hour))
	h := startDispatcher(t, []*config.Notifier{a})
	h.send(t, event("web", "sync.failed", "1"))
	expect(t, srvA, "web", "sync.failed", "1")
	before := h.route(t, "a")

	sameA := *a
	sameA.Pos = config.Pos{File: "moved.yaml", Line: 9}
	b := hook(t, "b", srvB.URL)
	if err := h.d.Update([]*config.Notifier{&sameA, b}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	h.send(t, event("web", "sync.failed", "2"))
	expect(t, srvB, "web", "sync.failed", "2")
	h.waitWaiters(t, 1) // a's spent rate limit holds the second message
	routeA := h.route(t, "a")
	if routeA != before {
		t.Error("unchanged notifier a got a new route")
	}

	if err := h.d.Update([]*config.Notifier{{Name: "broken"}}); err == nil {
		t.Fatal("Update with a notifier without provider succeeded")
	}
	h.send(t, event("web", "sync.failed", "3"))
	expect(t, srvB, "web", "sync.failed", "3")

	if err := h.d.Update([]*config.Notifier{b}); err != nil {
		t.Fatal(err)
	}
	routeA.mu.Lock()
	closed := routeA.closed
	routeA.mu.Unlock()
	if !closed {
		t.Error("removed notifier a is not closed")
	}
	h.send(t, event("web", "sync.failed", "4"))
	expect(t, srvB, "web", "sync.failed", "4")
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if len(h.d.routes) != 1 || h.d.routes[0].name != "b" {
		t.Errorf("routes after removing a: %d", len(h.d.routes))
	}
}

// TestRunTwice checks that a Dispatcher runs once.
func TestRunTwice(t *testing.T) {
	d, err := New(nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan store.Event)
	close(ch)
	if err := d.Run(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	if err := d.Run(context.Background(), ch); err == nil {
		t.Error("second Run succeeded")
	}
}
