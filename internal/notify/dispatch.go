package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// Options tune a Dispatcher. Zero values take the defaults.
type Options struct {
	// Client makes the HTTP requests (default: a new client); redirects
	// are never followed.
	Client *http.Client
	// Clock drives rate limits, de-duplication and retry waits (default:
	// the real clock).
	Clock clock.WithDelayedExecution
	// OnFailure receives an EventDeliveryFailed event for every message
	// that could not be delivered; the daemon records and publishes it.
	// It is called from the delivery goroutines and must not block.
	OnFailure func(store.Event)
	// DedupWindow is how long a message identical to the previous one of
	// the same notifier and app is dropped (default 10m).
	DedupWindow time.Duration
	// MaxAttempts bounds the tries per message (default 5).
	MaxAttempts int
	// Backoff is the wait before the first retry, doubled for each next
	// one up to MaxBackoff (defaults 1s and 1m). A server's Retry-After
	// is waited for when it is longer, up to MaxRetryAfter (default 10m);
	// a longer one fails the delivery.
	Backoff, MaxBackoff, MaxRetryAfter time.Duration
	// Timeout bounds one attempt (default 15s).
	Timeout time.Duration
	// QueueSize bounds the messages waiting per notifier (default 256);
	// a message that finds the queue full fails.
	QueueSize int
	// LookupTimeout bounds one AppInfo lookup (default 5s).
	LookupTimeout time.Duration
}

// withDefaults fills the zero options.
func (o Options) withDefaults() Options {
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.OnFailure == nil {
		o.OnFailure = func(store.Event) {}
	}
	orDefault(&o.DedupWindow, 10*time.Minute)
	orDefault(&o.Backoff, time.Second)
	orDefault(&o.MaxBackoff, time.Minute)
	orDefault(&o.MaxRetryAfter, 10*time.Minute)
	orDefault(&o.Timeout, 15*time.Second)
	orDefault(&o.LookupTimeout, 5*time.Second)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	return o
}

func orDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Dispatcher routes events to notifiers and delivers their messages.
type Dispatcher struct {
	info AppInfo
	opts Options

	mu     sync.Mutex
	routes []*route
	// running is set while Run runs; ctx and wg are then Run's.
	running bool
	ctx     context.Context
	wg      sync.WaitGroup
}

// New builds a Dispatcher for the notifiers of a config. info may be nil;
// messages then carry only what the event says. Secret files are read
// when messages are sent, not here.
func New(notifiers []*config.Notifier, info AppInfo, opts Options) (*Dispatcher, error) {
	d := &Dispatcher{info: info, opts: opts.withDefaults()}
	routes, err := d.build(notifiers, nil)
	if err != nil {
		return nil, err
	}
	d.routes = routes
	return d, nil
}

// Update replaces the notifiers, e.g. when the config changed. A notifier
// whose settings did not change keeps its queue, de-duplication and rate
// limit state; a removed or changed one delivers what it has queued and
// drops what its rate limit holds. On error nothing changes.
func (d *Dispatcher) Update(notifiers []*config.Notifier) error {
	d.mu.Lock()
	kept := map[string]*route{}
	for _, r := range d.routes {
		kept[r.cfg.Name] = r
	}
	routes, err := d.build(notifiers, kept)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	var removed []*route
	for _, r := range d.routes {
		if !slices.Contains(routes, r) {
			removed = append(removed, r)
		}
	}
	for _, r := range routes {
		if !slices.Contains(d.routes, r) && d.running {
			d.startLocked(r)
		}
	}
	d.routes = routes
	d.mu.Unlock()
	for _, r := range removed {
		r.close()
	}
	return nil
}

// build returns a route per notifier, reusing the route in old of a
// notifier whose settings are unchanged.
func (d *Dispatcher) build(notifiers []*config.Notifier, old map[string]*route) ([]*route, error) {
	var routes []*route
	for _, n := range notifiers {
		if r := old[n.Name]; r != nil && r.cfg.Equal(n) {
			routes = append(routes, r)
			continue
		}
		p, err := NewProvider(n, d.opts.Client)
		if err != nil {
			return nil, err
		}
		routes = append(routes, newRoute(d, n, p))
	}
	return routes, nil
}

// NewProvider returns the provider a notifier's config names.
func NewProvider(n *config.Notifier, client *http.Client) (Provider, error) {
	var (
		p   Provider
		err error
	)
	switch {
	case n.Slack != nil:
		p = NewSlack(n.Slack.WebhookURLFile, client)
	case n.Teams != nil:
		p = NewTeams(n.Teams.WebhookURLFile, client)
	case n.Discord != nil:
		p = NewDiscord(n.Discord.WebhookURLFile, client)
	case n.Webhook != nil:
		p, err = NewWebhook(n.Webhook.URL, n.Webhook.SecretFile, client)
	case n.GitHub != nil:
		p, err = NewGitHub(n.GitHub.TokenFile, n.GitHub.BaseURL, client)
	case n.GitLab != nil:
		p, err = NewGitLab(n.GitLab.TokenFile, n.GitLab.BaseURL, client)
	default:
		err = fmt.Errorf("no provider set")
	}
	if err != nil {
		return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
	}
	return p, nil
}

// Run handles events until ctx ends or events is closed; it may run
// once. When events is closed, the messages already queued are delivered
// before Run returns; when ctx ends, they are dropped. Messages the rate
// limits hold are dropped either way.
func (d *Dispatcher) Run(ctx context.Context, events <-chan store.Event) error {
	d.mu.Lock()
	if d.running || d.ctx != nil {
		d.mu.Unlock()
		return errors.New("notify: the dispatcher is already running or has run")
	}
	d.running, d.ctx = true, ctx
	for _, r := range d.routes {
		d.startLocked(r)
	}
	d.mu.Unlock()
	defer d.stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			d.handle(ctx, ev)
		}
	}
}

// startLocked starts the worker of r. The caller holds d.mu.
func (d *Dispatcher) startLocked(r *route) {
	d.wg.Go(func() { r.work(d.ctx) })
}

// stop closes every route and waits for the workers to finish.
func (d *Dispatcher) stop() {
	d.mu.Lock()
	d.running = false
	routes := d.routes
	d.mu.Unlock()
	for _, r := range routes {
		r.close()
	}
	d.wg.Wait()
}

// handle builds the message of ev and offers it to every notifier whose
// rules match.
func (d *Dispatcher) handle(ctx context.Context, ev store.Event) {
	d.mu.Lock()
	var matched []*route
	for _, r := range d.routes {
		if r.matches(ev) {
			matched = append(matched, r)
		}
	}
	d.mu.Unlock()
	if len(matched) == 0 {
		return
	}
	base := NewMessage(ev, d.appContext(ctx, ev))
	for _, r := range matched {
		r.offer(ctx, base)
	}
}

// appContext looks up the app's context; a failed lookup leaves the
// message with what the event says.
func (d *Dispatcher) appContext(ctx context.Context, ev store.Event) AppContext {
	if d.info == nil {
		return AppContext{}
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.LookupTimeout)
	defer cancel()
	ac, err := d.info.AppContext(ctx, ev.App, ev.Revision)
	if err != nil {
		return AppContext{}
	}
	return ac
}
