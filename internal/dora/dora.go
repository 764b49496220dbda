// Package dora computes the four DORA measures of software delivery from
// plumb's sync history, per app and over all apps. Compute is a pure
// function of the records and a window [from, to); every consumer (the
// API's /api/v1/dora, `plumb dora`, the /metrics gauges) calls it.
//
// The measures are defined on the sync records (store.SyncRecord) as
// follows. Records are taken in the order they started (ID breaks ties);
// running and interrupted records are ignored, and so are noop and skipped
// ones, which change nothing.
//
//   - A deployment is a succeeded sync that changed something that Git asked
//     for: it has at least one action that writes to the target for a reason
//     other than drift ("drifted in target", "missing in target"), and its
//     trigger is not drift. A drift correction puts the last deployment back;
//     it is not a new deployment. A rollback that changes the target is a
//     deployment.
//   - Deployment frequency is the number of deployments that started in the
//     window, divided by the window's length in days.
//   - Lead time for changes is FinishedAt − Commit.Time of each deployment:
//     how long a commit took from being made to being live. It is measured
//     for the first deployment of a revision to an app only; rollbacks, and
//     redeployments of a revision deployed before (e.g. resuming after a
//     rollback), do not measure a change. Records with a zero commit time,
//     or a commit time after FinishedAt (clock skew), are skipped. Reported
//     as the median and the 90th percentile.
//   - Change failure rate is failed deployment attempts / all deployment
//     attempts. An attempt is a deployment (as above) or a failed sync of a
//     new revision: one whose trigger is not drift and whose revision is not
//     the one live in the target (the revision of the app's last succeeded
//     sync; when no succeeded sync is known yet, a failed sync counts unless
//     it is an interval retry). A run of failed syncs of the same revision is
//     one attempt. An attempt failed when its sync failed or when the
//     deployment succeeded but its health ended Degraded.
//   - Time to restore is, for each failure of an app (a failed sync of any
//     kind, or a succeeded sync whose health ended Degraded), the time from
//     the first failure to the end of the next succeeded sync of the same app
//     whose health ended Healthy. Failures in between belong to the same
//     incident. An incident is counted in the window where it starts; one
//     not restored by the end of the window is reported as unrestored, not
//     measured. Reported as the median (and the 90th percentile).
//
// Records that started before from are read only for what they tell about
// the state at from (the live revision, revisions deployed before); records
// that started at or after to are ignored.
//
// Percentiles interpolate linearly between the two nearest samples (the
// median of 1h and 2h is 1h30m).
package dora

import (
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// DefaultWindow is the window the API, the CLI and the metrics use when
// none is given.
const DefaultWindow = 30 * 24 * time.Hour

// Report holds the DORA measures of a window, per app and overall.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Days is the window's length in days.
	Days float64 `json:"days"`
	// Overall is measured over every app's records together.
	Overall Measures `json:"overall"`
	// Apps holds one entry per app that has a record in the window,
	// sorted by name.
	Apps []AppReport `json:"apps"`
}

// AppReport is the measures of one app.
type AppReport struct {
	App string `json:"app"`
	Measures
}

// Measures are the four DORA measures and the counts they come from.
type Measures struct {
	// Deployments is how many deployments started in the window.
	Deployments int `json:"deployments"`
	// DeploymentsPerDay is the deployment frequency.
	DeploymentsPerDay float64 `json:"deploymentsPerDay"`
	// LeadTime is the lead time for changes.
	LeadTime Durations `json:"leadTime"`
	// Attempts counts deployment attempts, FailedAttempts those that
	// failed; ChangeFailureRate is their ratio (0 when there was none).
	Attempts          int     `json:"deploymentAttempts"`
	FailedAttempts    int     `json:"failedDeployments"`
	ChangeFailureRate float64 `json:"changeFailureRate"`
	// TimeToRestore is measured over the incidents restored in the window.
	TimeToRestore Durations `json:"timeToRestore"`
	// Unrestored counts incidents that started in the window and were not
	// restored by its end.
	Unrestored int `json:"unrestored"`
}

// Durations summarises a set of durations: how many there were, their
// median and 90th percentile, in seconds and as short human strings
// ("1h30m"). With no samples, the seconds are 0 and the strings empty.
type Durations struct {
	Samples       int     `json:"samples"`
	MedianSeconds float64 `json:"medianSeconds"`
	P90Seconds    float64 `json:"p90Seconds"`
	Median        string  `json:"median,omitempty"`
	P90           string  `json:"p90,omitempty"`
}

// App returns the measures of app, and whether the report has any.
func (r Report) App(app string) (AppReport, bool) {
	for _, a := range r.Apps {
		if a.App == app {
			return a, true
		}
	}
	return AppReport{App: app}, false
}

// isDeployment reports whether a succeeded record deployed a change.
func isDeployment(r store.SyncRecord) bool {
	if r.Trigger == plumb.TriggerDrift {
		return false
	}
	for _, a := range r.Actions {
		if !a.Changes() {
			continue
		}
		if r.Trigger == plumb.TriggerRollback || !isDriftReason(a.Reason) {
			return true
		}
	}
	return false
}

func isDriftReason(r plumb.Reason) bool {
	return r == plumb.ReasonDrifted || r == plumb.ReasonMissingLive
}

// endOf is when a record's outcome was known: FinishedAt, else StartedAt.
func endOf(r store.SyncRecord) time.Time {
	if r.FinishedAt.IsZero() {
		return r.StartedAt
	}
	return r.FinishedAt
}
