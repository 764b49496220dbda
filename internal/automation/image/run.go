package image

import (
	"context"
	"fmt"
	"maps"
	"time"

	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// scanTimeout bounds one registry scan, updateTimeout one update (fetch,
// edit, push).
const (
	scanTimeout   = time.Minute
	updateTimeout = 5 * time.Minute
)

// Scan lists the policy's tags now and picks the newest. A new pick makes
// every update due at once; a failure keeps the last pick, is reported
// (once per distinct error) and retried with backoff.
func (a *Automation) Scan(ctx context.Context, name string) (PolicyStatus, error) {
	a.mu.Lock()
	p, ok := a.policies[name]
	a.mu.Unlock()
	if !ok {
		return PolicyStatus{}, errNotFound("ImagePolicy", name)
	}
	sctx, cancel := context.WithTimeout(ctx, scanTimeout)
	defer cancel()
	tags, err := a.opts.ListTags(sctx, p.cfg)
	tag := ""
	if err == nil {
		tag, err = Select(p.cfg, tags)
	}
	now := a.opts.Now()
	a.mu.Lock()
	prev := p.status
	p.status.ScannedAt = now
	if err != nil {
		p.failures++
		p.status.Error = err.Error()
		p.next = now.Add(backoff(p.failures, p.cfg.Interval.Duration))
	} else {
		p.failures, p.status.Error = 0, ""
		p.status.Latest = Latest{Image: p.cfg.Image, Tag: tag}
		p.next = now.Add(p.cfg.Interval.Duration)
		if p.status.Latest != prev.Latest {
			for _, u := range a.updates {
				u.next = time.Time{}
			}
		}
	}
	st := p.status
	a.mu.Unlock()
	a.reportScan(ctx, name, prev, st)
	if err != nil {
		return st, fmt.Errorf("ImagePolicy %s: %w", name, err)
	}
	return st, nil
}

// reportScan emits an event for a new pick or a new error.
func (a *Automation) reportScan(ctx context.Context, name string, prev, st PolicyStatus) {
	detail := map[string]string{"imagePolicy": name}
	switch {
	case st.Error != "" && st.Error != prev.Error:
		a.opts.Emit(ctx, store.Event{Type: EventScanFailed, Detail: detail,
			Message: fmt.Sprintf("ImagePolicy %s: %s (keeping %s; retrying)", name, st.Error, orNone(prev.Latest))})
	case st.Error == "" && st.Latest != prev.Latest:
		detail["image"], detail["tag"] = st.Latest.Image, st.Latest.Tag
		a.opts.Emit(ctx, store.Event{Type: EventPolicyUpdated, Detail: detail,
			Message: fmt.Sprintf("ImagePolicy %s picked %s (was %s)", name, st.Latest.Ref(), orNone(prev.Latest))})
	}
}

func orNone(l Latest) string {
	if l.Tag == "" {
		return "none"
	}
	return l.Ref()
}

// Update runs one ImageUpdate now: it sets the marked fields to the
// policies' picks in a scratch checkout, commits and pushes. A failure is
// reported and the update retried with backoff.
func (a *Automation) Update(ctx context.Context, name string) (UpdateStatus, error) {
	a.mu.Lock()
	u, ok := a.updates[name]
	cfg := a.cfg
	lookup, skipped := a.lookupLocked(u)
	a.mu.Unlock()
	if !ok {
		return UpdateStatus{}, errNotFound("ImageUpdate", name)
	}
	uctx, cancel := context.WithTimeout(ctx, updateTimeout)
	st, err := a.update(uctx, cfg, u.cfg, lookup)
	cancel()
	st.Skipped = skipped
	now := a.opts.Now()
	a.mu.Lock()
	prevErr := u.status.Error
	st.LastRun = now
	if err != nil {
		u.failures++
		st.Error = err.Error()
		u.next = now.Add(backoff(u.failures, u.cfg.Interval.Duration))
	} else {
		u.failures = 0
		u.next = now.Add(u.cfg.Interval.Duration)
	}
	u.status = st
	a.mu.Unlock()
	a.reportUpdate(ctx, cfg, u.cfg, st, prevErr)
	if err != nil {
		return st, fmt.Errorf("ImageUpdate %s: %w", name, err)
	}
	return st, nil
}

// lookupLocked returns the picks an update may use, and why the others
// are left out.
func (a *Automation) lookupLocked(u *updateState) (Lookup, map[string]string) {
	picks := map[string]Latest{}
	skipped := map[string]string{}
	if u == nil {
		return func(string) (Latest, bool) { return Latest{}, false }, nil
	}
	for name, p := range a.policies {
		switch {
		case len(u.cfg.Policies) > 0 && !contains(u.cfg.Policies, name):
		case p.status.Latest.Tag == "":
			skipped[name] = "no tag picked yet: " + orText(p.status.Error, "not scanned yet")
		default:
			picks[name] = p.status.Latest
		}
	}
	if len(skipped) == 0 {
		skipped = nil
	}
	return func(policy string) (Latest, bool) {
		l, ok := picks[policy]
		return l, ok
	}, skipped
}

// update commits the update through the writer.
func (a *Automation) update(ctx context.Context, cfg *config.Config, u *config.ImageUpdate, lookup Lookup) (UpdateStatus, error) {
	st := UpdateStatus{Name: u.Name}
	remote, err := writeback.RemoteOf(cfg.Source(u.Source))
	if err != nil {
		return st, fmt.Errorf("source %s: %w", u.Source, err)
	}
	var changes []Change
	edit := func(_ context.Context, dir, _ string) (string, error) {
		var err error
		if changes, err = UpdateTree(dir, u.Paths, lookup); err != nil || len(changes) == 0 {
			return "", err
		}
		return Message(u, changes)
	}
	ch := writeback.Change{Branch: u.Branch, Author: writeback.Author{Name: u.Commit.Author.Name, Email: u.Commit.Author.Email}, Edit: edit}
	if u.Push != nil {
		ch.PushBranch = u.Push.Branch
	}
	res, err := a.opts.Writer.Commit(ctx, remote, ch)
	st.Result = res
	if res.Revision != "" {
		st.Changes = changes
	}
	return st, err
}

// reportUpdate emits an event for a pushed commit or a new error, and
// tells the daemon to fetch the pushed branch.
func (a *Automation) reportUpdate(ctx context.Context, cfg *config.Config, u *config.ImageUpdate, st UpdateStatus, prevErr string) {
	detail := map[string]string{"imageUpdate": u.Name}
	switch {
	case st.Error != "":
		if st.Error != prevErr {
			a.opts.Emit(ctx, store.Event{Type: EventUpdateFailed, Detail: detail,
				Message: fmt.Sprintf("ImageUpdate %s: %s (nothing was pushed; retrying)", u.Name, st.Error)})
		}
	case st.Result.Revision != "" && !st.Result.UpToDate:
		maps.Copy(detail, map[string]string{"branch": st.Result.Branch, "commit": st.Result.Revision})
		a.opts.Emit(ctx, store.Event{Type: EventCommitted, Revision: st.Result.Revision, Detail: detail,
			Message: fmt.Sprintf("ImageUpdate %s pushed %s to %s: %s", u.Name, st.Result.Revision[:7], st.Result.Branch, firstLine(st.Result.Message))})
		if s := cfg.Source(u.Source); s != nil && s.Git != nil {
			a.opts.Pushed(ctx, s.Git.URL, st.Result.Branch)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
