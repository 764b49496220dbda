package image

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// The events an Automation emits.
const (
	EventPolicyUpdated = "image.policy.updated"
	EventScanFailed    = "image.scan.failed"
	EventCommitted     = "image.update.committed"
	EventUpdateFailed  = "image.update.failed"
)

// Options configure an Automation. Writer is required.
type Options struct {
	Writer *writeback.Writer
	// Emit records an event (default: dropped).
	Emit func(ctx context.Context, ev store.Event)
	// Pushed is called after a commit was pushed to branch of the
	// repository at url, so that Sources following it fetch at once.
	Pushed func(ctx context.Context, url, branch string)
	// ListTags lists a policy's tags (default ListTags).
	ListTags func(ctx context.Context, p *config.ImagePolicy) ([]string, error)
	// Tick is how often due scans and updates are looked for (default 1s).
	Tick time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// PolicyStatus is what an ImagePolicy last found.
type PolicyStatus struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	// Latest is the chosen image; empty until a scan succeeded. A failed
	// scan keeps the last chosen one.
	Latest    Latest    `json:"latest,omitzero"`
	ScannedAt time.Time `json:"scannedAt,omitzero"`
	Error     string    `json:"error,omitempty"`
}

// UpdateStatus is what an ImageUpdate last did.
type UpdateStatus struct {
	Name    string            `json:"name"`
	LastRun time.Time         `json:"lastRun,omitzero"`
	Result  writeback.Result  `json:"result,omitzero"`
	Changes []Change          `json:"changes,omitempty"`
	Error   string            `json:"error,omitempty"`
	Skipped map[string]string `json:"skipped,omitempty"`
}

// Automation scans ImagePolicies and runs ImageUpdates on their
// intervals, at once when a policy picks a new tag, and with backoff after
// a failure. Create it with New, give it a config with SetConfig and run
// it with Run.
type Automation struct {
	opts Options

	mu       sync.Mutex
	cfg      *config.Config
	policies map[string]*policyState
	updates  map[string]*updateState
}

type policyState struct {
	cfg      *config.ImagePolicy
	status   PolicyStatus
	next     time.Time
	failures int
}

type updateState struct {
	cfg      *config.ImageUpdate
	status   UpdateStatus
	next     time.Time
	failures int
}

// New returns an Automation with no config.
func New(opts Options) *Automation {
	if opts.Emit == nil {
		opts.Emit = func(context.Context, store.Event) {}
	}
	if opts.Pushed == nil {
		opts.Pushed = func(context.Context, string, string) {}
	}
	if opts.ListTags == nil {
		opts.ListTags = ListTags
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Automation{opts: opts, cfg: &config.Config{}, policies: map[string]*policyState{}, updates: map[string]*updateState{}}
}

// SetConfig makes cfg's policies and updates the running ones. Unchanged
// ones keep their state; new and changed ones are due at once.
func (a *Automation) SetConfig(cfg *config.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cfg = cfg
	policies := map[string]*policyState{}
	for _, p := range cfg.ImagePolicies {
		if cur, ok := a.policies[p.Name]; ok && cur.cfg.Equal(p) {
			cur.cfg = p
			policies[p.Name] = cur
			continue
		}
		policies[p.Name] = &policyState{cfg: p, status: PolicyStatus{Name: p.Name, Image: p.Image}}
	}
	updates := map[string]*updateState{}
	for _, u := range cfg.ImageUpdates {
		if cur, ok := a.updates[u.Name]; ok && cur.cfg.Equal(u) && sameSource(a.cfg, cfg, u.Source) {
			cur.cfg = u
			updates[u.Name] = cur
			continue
		}
		updates[u.Name] = &updateState{cfg: u, status: UpdateStatus{Name: u.Name}}
	}
	a.policies, a.updates = policies, updates
}

func sameSource(old, cfg *config.Config, name string) bool {
	o, n := old.Source(name), cfg.Source(name)
	return o != nil && n != nil && o.Equal(n)
}

// Run scans and updates until ctx ends.
func (a *Automation) Run(ctx context.Context) error {
	t := time.NewTicker(a.opts.Tick)
	defer t.Stop()
	for {
		a.runDue(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// runDue scans the policies and runs the updates that are due.
func (a *Automation) runDue(ctx context.Context) {
	now := a.opts.Now()
	for _, name := range a.due(now, true) {
		_, _ = a.Scan(ctx, name)
	}
	for _, name := range a.due(now, false) {
		_, _ = a.Update(ctx, name)
	}
}

// due lists the policies (or updates) whose next run has come.
func (a *Automation) due(now time.Time, policies bool) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	if policies {
		for name, p := range a.policies {
			if !now.Before(p.next) {
				out = append(out, name)
			}
		}
	} else {
		for name, u := range a.updates {
			if !u.cfg.Suspend && !now.Before(u.next) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Policies returns every policy's status, by name.
func (a *Automation) Policies() []PolicyStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []PolicyStatus
	for _, p := range a.policies {
		out = append(out, p.status)
	}
	slices.SortFunc(out, func(x, y PolicyStatus) int { return compare(x.Name, y.Name) })
	return out
}

// Updates returns every update's status, by name.
func (a *Automation) Updates() []UpdateStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []UpdateStatus
	for _, u := range a.updates {
		out = append(out, u.status)
	}
	slices.SortFunc(out, func(x, y UpdateStatus) int { return compare(x.Name, y.Name) })
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// backoff is the wait after n failures in a row: 2s doubling, at most
// interval.
func backoff(n int, interval time.Duration) time.Duration {
	d := 2 * time.Second
	for i := 1; i < n && d < interval; i++ {
		d *= 2
	}
	return min(d, interval)
}

// errNotFound names an unknown policy or update.
func errNotFound(kind, name string) error {
	return fmt.Errorf("%s %q is not in the config", kind, name)
}
