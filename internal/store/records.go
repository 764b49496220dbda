package store

import (
	"time"

	"plumb.dev/plumb"
)

// AppStatus is the current state of one app as the engine last saw it.
type AppStatus struct {
	App           string             `json:"app"`
	Sync          plumb.SyncStatus   `json:"sync"`
	Health        plumb.HealthStatus `json:"health"`
	HealthMessage string             `json:"healthMessage,omitempty"`
	// Revision is the last applied revision and Commit its metadata.
	Revision string       `json:"revision,omitempty"`
	Commit   plumb.Commit `json:"commit,omitzero"`
	// InputHash is the hash (git tree hash) of the app's rendered input
	// last applied; an unchanged hash means nothing to redo.
	InputHash string `json:"inputHash,omitempty"`
	// SourceRevision is the newest revision seen at the source.
	SourceRevision string    `json:"sourceRevision,omitempty"`
	LastSyncAt     time.Time `json:"lastSyncAt,omitzero"`
	LastAttemptAt  time.Time `json:"lastAttemptAt,omitzero"`
	LastError      string    `json:"lastError,omitempty"`
	// Failures counts consecutive failed attempts (for backoff).
	Failures      int    `json:"failures,omitempty"`
	Suspended     bool   `json:"suspended,omitempty"`
	SuspendReason string `json:"suspendReason,omitempty"`
	// PinnedRevision is set by a rollback: the engine applies it instead of
	// the source's newest revision until the pin is cleared.
	PinnedRevision string        `json:"pinnedRevision,omitempty"`
	Drift          []plumb.Drift `json:"drift,omitempty"`
	DriftAt        time.Time     `json:"driftAt,omitzero"`
	Target         string        `json:"target,omitempty"`
	Source         string        `json:"source,omitempty"`
	Path           string        `json:"path,omitempty"`
	// UpdatedAt is when the status was last written; the store sets it
	// when it is zero.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// SyncResult is the outcome of one sync.
type SyncResult string

// The sync results.
const (
	ResultRunning     SyncResult = "running"
	ResultSucceeded   SyncResult = "succeeded"
	ResultFailed      SyncResult = "failed"
	ResultNoop        SyncResult = "noop"
	ResultSkipped     SyncResult = "skipped"
	ResultInterrupted SyncResult = "interrupted"
)

// Done reports whether the result is final (anything but running or empty).
func (r SyncResult) Done() bool { return r != "" && r != ResultRunning }

// SyncRecord is one reconcile of one app: why it ran, what it applied and
// what happened.
type SyncRecord struct {
	ID        int64         `json:"id"`
	App       string        `json:"app"`
	Revision  string        `json:"revision,omitempty"`
	Commit    plumb.Commit  `json:"commit,omitzero"`
	InputHash string        `json:"inputHash,omitempty"`
	Trigger   plumb.Trigger `json:"trigger"`
	// Reason says, for people, why this reconcile ran.
	Reason string `json:"reason,omitempty"`
	// Actor is who asked for a manual sync or rollback; "" when automatic.
	Actor      string               `json:"actor,omitempty"`
	StartedAt  time.Time            `json:"startedAt,omitzero"`
	FinishedAt time.Time            `json:"finishedAt,omitzero"`
	Result     SyncResult           `json:"result"`
	Error      string               `json:"error,omitempty"`
	Actions    []plumb.ActionResult `json:"actions,omitempty"`
	Hooks      []plumb.HookRun      `json:"hooks,omitempty"`
	Health     plumb.HealthStatus   `json:"health,omitempty"`
}

// Duration is how long the sync took, or 0 while it runs.
func (r SyncRecord) Duration() time.Duration {
	if r.FinishedAt.IsZero() || r.StartedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// AuditEntry records one action a person or API client took.
type AuditEntry struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	App    string    `json:"app,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Result string    `json:"result,omitempty"`
}

// Event is one entry of the stream the API serves: something that happened
// to an app (sync started, health changed, drift seen...).
type Event struct {
	ID       int64             `json:"id"`
	Time     time.Time         `json:"time"`
	App      string            `json:"app,omitempty"`
	Type     string            `json:"type"`
	Message  string            `json:"message"`
	Revision string            `json:"revision,omitempty"`
	Detail   map[string]string `json:"detail,omitempty"`
}
