package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// The events an Expander emits.
const (
	EventGenerated = "appset.generated"
	EventFailed    = "appset.failed"
)

// runTimeout bounds one generator run (a hanging API or fetch).
const runTimeout = 2 * time.Minute

// Options configure an Expander.
type Options struct {
	// Dir holds the generators' mirrors and the last good outputs.
	Dir string
	// HTTP is the client for forge APIs (default http.DefaultClient).
	HTTP *http.Client
	// Emit records an event (default: dropped).
	Emit func(ctx context.Context, ev store.Event)
	// NewGenerator builds an AppSet's generator (default: the built-in
	// directories, branches and pull request generators).
	NewGenerator func(set *config.AppSet, cfg *config.Config) (Generator, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Expander runs AppSet generators and merges their outputs into configs,
// keeping each AppSet's last good output. It is safe for concurrent use.
type Expander struct {
	opts Options

	mu         sync.Mutex
	loaded     bool
	sets       map[string]*setState
	generation uint64
}

// setState is one AppSet's last run and last good output.
type setState struct {
	Hash        string           `json:"hash"`
	Items       []string         `json:"items"`
	Output      config.Generated `json:"output"`
	LastSuccess time.Time        `json:"lastSuccess"`
	// good says Output is a real output (false until a run succeeded).
	good    bool
	lastRun time.Time
	next    time.Time
	err     error
	fails   int
}

// Status is what an AppSet last did.
type Status struct {
	Name        string    `json:"name"`
	Items       []string  `json:"items"`
	Apps        []string  `json:"apps"`
	LastRun     time.Time `json:"lastRun,omitzero"`
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	// Error is the last run's failure; the last good output stays.
	Error string `json:"error,omitempty"`
}

// New returns an Expander; last good outputs saved in opts.Dir by an
// earlier one are loaded on first use.
func New(opts Options) *Expander {
	if opts.HTTP == nil {
		opts.HTTP = http.DefaultClient
	}
	if opts.Emit == nil {
		opts.Emit = func(context.Context, store.Event) {}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	x := &Expander{opts: opts, sets: map[string]*setState{}}
	if x.opts.NewGenerator == nil {
		x.opts.NewGenerator = x.builtin
	}
	return x
}

// builtin builds the generator an AppSet names.
func (x *Expander) builtin(set *config.AppSet, cfg *config.Config) (Generator, error) {
	src := cfg.Source(set.Generator.Source())
	if src == nil || src.Git == nil {
		return nil, fmt.Errorf("source %q is not a git source", set.Generator.Source())
	}
	mirrors := Mirrors{Dir: x.opts.Dir + "/mirrors"}
	switch g := set.Generator; {
	case g.Directories != nil:
		return directories{spec: g.Directories, source: src, mirrors: mirrors}, nil
	case g.Branches != nil:
		return branches{spec: g.Branches, source: src, mirrors: mirrors}, nil
	default:
		return newPullRequests(g.PullRequests, src, x.opts.HTTP)
	}
}

// Generation counts the changes of the outputs: it moves exactly when an
// Expand changed what it merges, so callers re-apply only then.
func (x *Expander) Generation() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.generation
}

// Expand returns cfg with every AppSet's output merged in. It runs the
// generators that are due (new or changed AppSets at once, others every
// interval, failing ones with backoff); the others contribute their last
// good output. The returned config is always usable; the error lists the
// AppSets whose run failed (they keep their last good output) and those
// whose last output no longer fits the config (left out).
func (x *Expander) Expand(ctx context.Context, cfg *config.Config) (*config.Config, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.load()
	out := cfg
	var errs []error
	for _, set := range cfg.AppSets {
		st := x.state(set)
		if now := x.opts.Now(); !now.Before(st.next) {
			x.run(ctx, out, set, st, now)
		}
		if st.err != nil {
			errs = append(errs, fmt.Errorf("AppSet %s: %w (its last good output is kept)", set.Name, st.err))
		}
		if !st.good {
			continue
		}
		merged, err := config.Merge(out, st.Output)
		if err != nil {
			errs = append(errs, fmt.Errorf("AppSet %s: its last output does not fit the config and is left out: %w", set.Name, err))
			continue
		}
		out = merged
	}
	x.forget(cfg)
	return out, errors.Join(errs...)
}

// state returns the AppSet's state, due at once when new or changed.
func (x *Expander) state(set *config.AppSet) *setState {
	st, ok := x.sets[set.Name]
	if !ok {
		st = &setState{}
		x.sets[set.Name] = st
	}
	if h := set.Hash(); st.Hash != h {
		st.Hash, st.next = h, time.Time{}
	}
	return st
}

// run runs one generator and, when it works and its output validates,
// makes the output the AppSet's last good one.
func (x *Expander) run(ctx context.Context, base *config.Config, set *config.AppSet, st *setState, now time.Time) {
	st.lastRun = now
	rctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	g, items, err := x.generate(rctx, base, set)
	if err == nil {
		_, err = config.Merge(base, g)
	}
	prevErr := st.err
	if err != nil {
		st.err, st.fails = err, st.fails+1
		st.next = now.Add(backoff(st.fails, set.Interval.Duration))
		if prevErr == nil || prevErr.Error() != err.Error() {
			x.opts.Emit(ctx, store.Event{Type: EventFailed, Detail: map[string]string{"appSet": set.Name},
				Message: fmt.Sprintf("AppSet %s: %v (its %d app(s) are kept; retrying)", set.Name, err, len(st.Output.Apps))})
		}
		return
	}
	st.err, st.fails, st.next, st.LastSuccess = nil, 0, now.Add(set.Interval.Duration), now
	if st.good && sameOutput(st.Output, g) {
		return
	}
	added, removed := diffApps(st.Output.Apps, g.Apps)
	st.Output, st.Items, st.good = g, itemNames(items), true
	x.generation++
	x.save(set.Name, st)
	x.opts.Emit(ctx, store.Event{Type: EventGenerated, Detail: map[string]string{"appSet": set.Name},
		Message: fmt.Sprintf("AppSet %s generates %d app(s)%s", set.Name, len(g.Apps), changeText(added, removed))})
}

// generate lists the items and builds their objects.
func (x *Expander) generate(ctx context.Context, base *config.Config, set *config.AppSet) (config.Generated, []Item, error) {
	gen, err := x.opts.NewGenerator(set, base)
	if err != nil {
		return config.Generated{}, nil, err
	}
	items, err := gen.Items(ctx)
	if err != nil {
		return config.Generated{}, nil, err
	}
	g, err := build(set, base, items)
	return g, items, err
}

// forget drops the state of AppSets no longer in the config: their apps
// go with them.
func (x *Expander) forget(cfg *config.Config) {
	for name, st := range x.sets {
		if cfg.AppSet(name) == nil {
			delete(x.sets, name)
			x.remove(name)
			if st.good {
				x.generation++
			}
		}
	}
}

// Status returns every AppSet's status, by name.
func (x *Expander) Status() []Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []Status
	for name, st := range x.sets {
		s := Status{Name: name, Items: st.Items, LastRun: st.lastRun, LastSuccess: st.LastSuccess}
		for _, a := range st.Output.Apps {
			s.Apps = append(s.Apps, a.Name)
		}
		if st.err != nil {
			s.Error = st.err.Error()
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Status) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func sameOutput(a, b config.Generated) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func itemNames(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

// diffApps names the apps added and removed between two outputs.
func diffApps(old, cur []*config.App) (added, removed []string) {
	names := func(apps []*config.App) []string {
		var n []string
		for _, a := range apps {
			n = append(n, a.Name)
		}
		return n
	}
	o, c := names(old), names(cur)
	for _, n := range c {
		if !slices.Contains(o, n) {
			added = append(added, n)
		}
	}
	for _, n := range o {
		if !slices.Contains(c, n) {
			removed = append(removed, n)
		}
	}
	return added, removed
}

func changeText(added, removed []string) string {
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
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
