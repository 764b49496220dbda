package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// t0 is when every dispatcher test starts.
var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// harness runs a Dispatcher on a fake clock, feeding it events through
// an unbuffered channel and collecting its failure events.
type harness struct {
	d        *Dispatcher
	events   chan store.Event
	failures chan store.Event
	clock    *testingclock.FakeClock
	cancel   context.CancelFunc
	done     chan error
}

// start runs a Dispatcher for notifiers until the test ends.
func start(t *testing.T, notifiers []*config.Notifier, info AppInfo, opts Options) *harness {
	t.Helper()
	h := &harness{
		events: make(chan store.Event), failures: make(chan store.Event, 100),
		clock: testingclock.NewFakeClock(t0), done: make(chan error, 1),
	}
	opts.Clock = h.clock
	opts.OnFailure = func(ev store.Event) { h.failures <- ev }
	d, err := New(notifiers, info, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.d = d
	var ctx context.Context
	ctx, h.cancel = context.WithCancel(context.Background())
	go func() { h.done <- d.Run(ctx, h.events) }()
	t.Cleanup(func() {
		h.cancel()
		<-h.done
	})
	return h
}

// send hands events to the dispatcher and returns once it has handled
// them all: an unbuffered send of a last event no rule selects completes
// only after the one before it was handled.
func (h *harness) send(t *testing.T, evs ...store.Event) {
	t.Helper()
	for _, ev := range append(evs, store.Event{Type: "source.revision", Message: "barrier"}) {
		if ev.Time.IsZero() {
			ev.Time = h.clock.Now()
		}
		select {
		case h.events <- ev:
		case <-time.After(10 * time.Second):
			t.Fatal("the dispatcher does not take events")
		}
	}
}

// startDispatcher is start without AppInfo and with default options.
func startDispatcher(t *testing.T, notifiers []*config.Notifier) *harness {
	t.Helper()
	return start(t, notifiers, nil, Options{})
}

// route returns the dispatcher's route of a notifier.
func (h *harness) route(t *testing.T, name string) *route {
	t.Helper()
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	for _, r := range h.d.routes {
		if r.name == name {
			return r
		}
	}
	t.Fatalf("no route %s", name)
	return nil
}

// waitWaiters waits until n timers wait on the fake clock.
func (h *harness) waitWaiters(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.clock.Waiters() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers wait on the clock, want %d", h.clock.Waiters(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// failure returns the next failure event.
func (h *harness) failure(t *testing.T) store.Event {
	t.Helper()
	select {
	case ev := <-h.failures:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no failure event")
		return store.Event{}
	}
}

// noFailure fails the test if a failure event was reported.
func (h *harness) noFailure(t *testing.T) {
	t.Helper()
	select {
	case ev := <-h.failures:
		t.Fatalf("unexpected failure event: %s", ev.Message)
	default:
	}
}

// event makes an app's event.
func event(app, typ, msg string) store.Event {
	return store.Event{App: app, Type: typ, Message: msg, Revision: sampleRevision}
}

// hook is a webhook Notifier posting to url, with options applied.
func hook(t *testing.T, name, url string, opts ...func(*config.Notifier)) *config.Notifier {
	t.Helper()
	n := &config.Notifier{Name: name, Provider: config.ProviderWebhook,
		Webhook: &config.SignedWebhook{URL: url, SecretFile: writeSecret(t, "k3y-"+name)}}
	for _, o := range opts {
		o(n)
	}
	return n
}

func withEvents(events ...string) func(*config.Notifier) {
	return func(n *config.Notifier) { n.Events = events }
}

func withApps(apps ...string) func(*config.Notifier) {
	return func(n *config.Notifier) { n.Apps = apps }
}

func withRate(burst int, per time.Duration) func(*config.Notifier) {
	return func(n *config.Notifier) {
		n.RateLimit = &config.RateLimit{Burst: burst, Per: config.Duration{Duration: per}}
	}
}

// delivered decodes a webhook request into the message it carries.
func delivered(t *testing.T, req recorded) Message {
	t.Helper()
	var m Message
	if err := json.Unmarshal(req.Body, &m); err != nil {
		t.Fatalf("webhook body: %v\n%s", err, req.Body)
	}
	if req.Header.Get(HeaderDelivery) != m.ID {
		t.Errorf("%s = %q, body id %q", HeaderDelivery, req.Header.Get(HeaderDelivery), m.ID)
	}
	return m
}

// expect reads the next request and checks its event and text.
func expect(t *testing.T, srv *recorder, app, typ, text string) Message {
	t.Helper()
	m := delivered(t, srv.next(t))
	if m.App != app || m.Event != typ || m.Text != text {
		t.Fatalf("delivered %s %s %q, want %s %s %q", m.App, m.Event, m.Text, app, typ, text)
	}
	return m
}

var okAnswer = answer{status: http.StatusOK}
