package notify

import (
	"context"
	"crypto/rand"
	"path"
	"slices"
	"sync"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// route is one notifier: its rules, its provider, and the state of its
// de-duplication and rate limits per app.
type route struct {
	d        *Dispatcher
	cfg      *config.Notifier
	name     string
	provider string
	send     Provider
	events   []string
	apps     []string
	limit    rateLimit

	mu      sync.Mutex
	last    map[string]sent
	buckets map[string]*bucket
	held    map[string]*held
	queue   chan Message
	closed  bool
}

func newRoute(d *Dispatcher, n *config.Notifier, p Provider) *route {
	r := &route{
		d: d, cfg: n, name: n.Name, provider: providerName(n), send: p,
		events: n.Events, apps: n.Apps, limit: limitOf(n.RateLimit),
		last: map[string]sent{}, buckets: map[string]*bucket{}, held: map[string]*held{},
		queue: make(chan Message, d.opts.QueueSize),
	}
	if len(r.events) == 0 {
		r.events = config.NotifierEvents()
	}
	return r
}

// providerName names the notifier's provider, also when the config was
// built by hand rather than parsed.
func providerName(n *config.Notifier) string {
	if n.Provider != "" {
		return n.Provider
	}
	set := map[string]bool{
		config.ProviderSlack: n.Slack != nil, config.ProviderTeams: n.Teams != nil,
		config.ProviderDiscord: n.Discord != nil, config.ProviderWebhook: n.Webhook != nil,
		config.ProviderGitHub: n.GitHub != nil, config.ProviderGitLab: n.GitLab != nil,
	}
	for _, p := range config.NotifierProviders() {
		if set[p] {
			return p
		}
	}
	return ""
}

// matches reports whether the notifier's rules select ev: an app's event
// of a listed type, for an app matching one of the patterns (any app when
// there are none).
func (r *route) matches(ev store.Event) bool {
	if ev.App == "" || !slices.Contains(r.events, ev.Type) {
		return false
	}
	if len(r.apps) == 0 {
		return true
	}
	return slices.ContainsFunc(r.apps, func(p string) bool {
		ok, _ := path.Match(p, ev.App)
		return ok
	})
}

// offer passes msg through de-duplication and the rate limit, and queues
// it for delivery, or holds it for a later summary.
func (r *route) offer(ctx context.Context, msg Message) {
	msg.Notifier = r.name
	msg.ID = rand.Text()
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.d.opts.Clock.Now()
	if r.closed || r.duplicate(msg, now) {
		return
	}
	if h := r.held[msg.App]; h != nil {
		h.add(msg)
		return
	}
	b := r.bucket(msg.App, now)
	if b.take(now) {
		r.enqueue(msg)
		return
	}
	r.hold(ctx, msg, b.wait(now))
}

// enqueue hands msg to the worker; a full queue fails the message. The
// caller holds r.mu.
func (r *route) enqueue(msg Message) {
	select {
	case r.queue <- msg:
	default:
		r.report(msg, 0, errQueueFull)
	}
}

// close stops taking messages; the worker delivers those queued.
func (r *route) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
}

// work delivers queued messages one at a time, in order, until the
// queue is closed and empty or ctx ends.
func (r *route) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-r.queue:
			if !ok {
				return
			}
			r.deliver(ctx, msg)
		}
	}
}
