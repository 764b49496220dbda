// Package webhook receives Git hosting webhooks at POST /hooks/{receiver}:
// GitHub (X-Hub-Signature-256), GitLab (X-Gitlab-Token), Gitea and Forgejo
// (X-Gitea-Signature) and a generic HMAC sender (X-Plumb-Signature). A push
// whose signature checks out triggers each Source of the receiver at once;
// a bad or missing signature gets 401 and has no effect, a delivery seen
// before is ignored, and bodies are size-limited.
//
// Secrets are read from their files when the receivers are set, compared
// in constant time, and never written to answers or errors.
package webhook

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"plumb.dev/plumb/internal/config"
)

// Push is what a push event says, as far as plumb cares.
type Push struct {
	// Receiver and Type name the receiver that took the event.
	Receiver string `json:"receiver"`
	Type     string `json:"type"`
	// Event is the sender's event name ("push", "Tag Push Hook"...).
	Event string `json:"event"`
	// Delivery is the sender's ID of this delivery, when it sends one.
	Delivery string `json:"delivery,omitempty"`
	// Ref is the pushed ref, like refs/heads/main; After the commit it
	// points to now. Either may be empty for a generic sender.
	Ref   string `json:"ref,omitempty"`
	After string `json:"after,omitempty"`
	// Repositories lists the clone URLs (and web URL) of the pushed
	// repository, as the sender gives them.
	Repositories []string `json:"repositories,omitempty"`
}

// Triggerer is told about each source a push concerns. It should return
// once the source is fetched (or the fetch is under way), not wait for
// the reconciles that follow.
type Triggerer interface {
	Trigger(ctx context.Context, source string, push Push) error
}

// TriggerFunc adapts a function to Triggerer.
type TriggerFunc func(ctx context.Context, source string, push Push) error

// Trigger calls f.
func (f TriggerFunc) Trigger(ctx context.Context, source string, push Push) error {
	return f(ctx, source, push)
}

// Defaults of Options.
const (
	DefaultMaxBody        = 1 << 20 // 1 MiB
	DefaultDeliveries     = 4096
	DefaultTriggerTimeout = 2 * time.Minute
)

// Options tune a Handler; zero values take the defaults.
type Options struct {
	// MaxBody is the largest body accepted, in bytes; larger gets 413.
	MaxBody int64
	// Deliveries is how many delivery IDs are remembered to ignore
	// duplicates (the oldest are forgotten first).
	Deliveries int
	// TriggerTimeout bounds the triggers of one push. They run on after
	// the sender hangs up, so that a fetch is never cut off halfway.
	TriggerTimeout time.Duration
	// Report, when set, is called once per request with what was done,
	// for logs and metrics. It never holds secrets.
	Report func(Report)
}

// Report is what one request did.
type Report struct {
	Receiver string
	Status   int
	Answer   Answer
	// Err says why the request failed (bad signature, body too large...).
	Err string
}

// Handler serves the receivers. It is safe for concurrent use, and its
// receivers can be replaced while it serves.
type Handler struct {
	trigger Triggerer
	opts    Options
	seen    *deliveries

	mu        sync.RWMutex
	receivers map[string]*receiver
}

// receiver is a configured receiver with its secret read.
type receiver struct {
	cfg    *config.Receiver
	secret []byte
	kind   *provider
}

// New returns a handler for receivers that calls t for each source a
// valid push concerns. It reads every receiver's secret file now.
func New(receivers []*config.Receiver, t Triggerer, opts Options) (*Handler, error) {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Deliveries <= 0 {
		opts.Deliveries = DefaultDeliveries
	}
	if opts.TriggerTimeout <= 0 {
		opts.TriggerTimeout = DefaultTriggerTimeout
	}
	h := &Handler{trigger: t, opts: opts, seen: newDeliveries(opts.Deliveries)}
	if err := h.SetReceivers(receivers); err != nil {
		return nil, err
	}
	return h, nil
}

// SetReceivers replaces the receivers (after a config change), reading
// their secret files again. On error the receivers in force are kept.
// Remembered deliveries are kept.
func (h *Handler) SetReceivers(receivers []*config.Receiver) error {
	m := make(map[string]*receiver, len(receivers))
	for _, rc := range receivers {
		r, err := load(rc)
		if err != nil {
			return err
		}
		m[rc.Name] = r
	}
	h.mu.Lock()
	h.receivers = m
	h.mu.Unlock()
	return nil
}

// load reads a receiver's secret and finds its provider.
func load(rc *config.Receiver) (*receiver, error) {
	p := providers[rc.Type]
	if p == nil {
		return nil, fmt.Errorf("receiver %s: unknown type %q", rc.Name, rc.Type)
	}
	b, err := os.ReadFile(rc.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("receiver %s: read secret: %w", rc.Name, err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return nil, fmt.Errorf("receiver %s: secret file %s is empty", rc.Name, rc.SecretFile)
	}
	return &receiver{cfg: rc, secret: []byte(secret), kind: p}, nil
}

// Register serves the handler on mux at POST /hooks/{receiver}.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /hooks/{receiver}", h)
}

func (h *Handler) lookup(name string) *receiver {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.receivers[name]
}
