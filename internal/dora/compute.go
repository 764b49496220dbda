package dora

import (
	"cmp"
	"slices"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// Compute measures the records in the window [from, to); see the package
// doc for the definitions. records may be in any order and may hold
// records from before from (read as state) and after to (ignored).
func Compute(records []store.SyncRecord, from, to time.Time) Report {
	apps := map[string]*tally{}
	for _, r := range ordered(records, to) {
		t := apps[r.App]
		if t == nil {
			t = &tally{deployed: map[string]bool{}}
			apps[r.App] = t
		}
		t.add(r, !r.StartedAt.Before(from))
	}
	rep := Report{From: from, To: to, Days: to.Sub(from).Hours() / 24, Apps: []AppReport{}}
	var all tally
	for name, t := range apps {
		t.close()
		if t.seen {
			rep.Apps = append(rep.Apps, AppReport{App: name, Measures: t.measures(rep.Days)})
			all.merge(t)
		}
	}
	slices.SortFunc(rep.Apps, func(a, b AppReport) int { return cmp.Compare(a.App, b.App) })
	rep.Overall = all.measures(rep.Days)
	return rep
}

// ordered returns the final records that started before to, oldest first.
func ordered(records []store.SyncRecord, to time.Time) []store.SyncRecord {
	out := make([]store.SyncRecord, 0, len(records))
	for _, r := range records {
		if r.StartedAt.Before(to) && counts(r.Result) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b store.SyncRecord) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// counts reports whether a record's result says anything about delivery.
func counts(r store.SyncResult) bool {
	return r == store.ResultSucceeded || r == store.ResultFailed
}

// tally accumulates one app's measures (or all apps' when merged).
type tally struct {
	// state, read from every record
	live     string          // revision of the last succeeded sync
	failing  string          // revision of the current run of failed attempts
	deployed map[string]bool // revisions deployed so far
	incident time.Time       // start of the open incident, zero when none
	counted  bool            // whether the open incident started in the window

	// measures, from records in the window
	seen                  bool
	deployments, attempts int
	failed, unrestored    int
	lead, restore         []time.Duration
}

// add reads one record; in says whether it started in the window.
func (t *tally) add(r store.SyncRecord, in bool) {
	t.seen = t.seen || in
	switch r.Result {
	case store.ResultSucceeded:
		t.succeeded(r, in)
	case store.ResultFailed:
		t.failedSync(r, in)
	}
}

func (t *tally) succeeded(r store.SyncRecord, in bool) {
	if isDeployment(r) {
		t.deployment(r, in)
	}
	t.live, t.failing = r.Revision, ""
	switch r.Health {
	case plumb.HealthDegraded:
		t.fail(endOf(r), in)
	case plumb.HealthHealthy:
		t.restored(endOf(r))
	}
}

func (t *tally) deployment(r store.SyncRecord, in bool) {
	first := !t.deployed[r.Revision]
	t.deployed[r.Revision] = true
	if !in {
		return
	}
	t.deployments++
	t.attempts++
	if r.Health == plumb.HealthDegraded {
		t.failed++
	}
	if first && r.Trigger != plumb.TriggerRollback && !r.Commit.Time.IsZero() {
		if d := endOf(r).Sub(r.Commit.Time); d >= 0 {
			t.lead = append(t.lead, d)
		}
	}
}

func (t *tally) failedSync(r store.SyncRecord, in bool) {
	if t.isAttempt(r) {
		t.failing = r.Revision
		if in {
			t.attempts++
			t.failed++
		}
	}
	t.fail(endOf(r), in)
}

// isAttempt reports whether a failed sync tried to deploy a new revision.
func (t *tally) isAttempt(r store.SyncRecord) bool {
	switch {
	case r.Trigger == plumb.TriggerDrift || r.Revision == "" || r.Revision == t.failing:
		return false
	case t.live == "":
		return r.Trigger != plumb.TriggerInterval
	}
	return r.Revision != t.live
}

// fail opens an incident at at unless one is open.
func (t *tally) fail(at time.Time, in bool) {
	if t.incident.IsZero() {
		t.incident, t.counted = at, in
	}
}

// restored closes the open incident at at.
func (t *tally) restored(at time.Time) {
	if t.incident.IsZero() {
		return
	}
	if t.counted {
		t.restore = append(t.restore, at.Sub(t.incident))
	}
	t.incident = time.Time{}
}

// close counts an incident still open at the end of the window.
func (t *tally) close() {
	if !t.incident.IsZero() && t.counted {
		t.unrestored++
	}
}

func (t *tally) merge(o *tally) {
	t.deployments += o.deployments
	t.attempts += o.attempts
	t.failed += o.failed
	t.unrestored += o.unrestored
	t.lead = append(t.lead, o.lead...)
	t.restore = append(t.restore, o.restore...)
}

func (t *tally) measures(days float64) Measures {
	m := Measures{
		Deployments: t.deployments, Attempts: t.attempts, FailedAttempts: t.failed, Unrestored: t.unrestored,
		LeadTime: summarise(t.lead), TimeToRestore: summarise(t.restore),
	}
	if days > 0 {
		m.DeploymentsPerDay = float64(t.deployments) / days
	}
	if t.attempts > 0 {
		m.ChangeFailureRate = float64(t.failed) / float64(t.attempts)
	}
	return m
}
