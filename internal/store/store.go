// Package store defines what plumb remembers between reconciles: the current
// status of every app, the history of every sync, the audit log of what people
// asked for, and the event stream the API and UI follow.
//
// The records here are served by the API as they are, so they never hold
// secrets. Implementations live in subpackages (sqlite is the default); users
// of the store define the small subset of the Store interface they need.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned (wrapped) when a requested record does not exist.
var ErrNotFound = errors.New("not found")

// StatusStore keeps the current status of each app, one record per app.
type StatusStore interface {
	// GetStatus returns the status of app, or an error wrapping ErrNotFound.
	GetStatus(ctx context.Context, app string) (AppStatus, error)
	// PutStatus creates or replaces the status of s.App.
	PutStatus(ctx context.Context, s AppStatus) error
	// ListStatus returns the status of every app, sorted by app name.
	ListStatus(ctx context.Context) ([]AppStatus, error)
	// DeleteStatus forgets the status of app; deleting an absent app is not
	// an error. The app's history is kept.
	DeleteStatus(ctx context.Context, app string) error
}

// SyncStore keeps the history of reconciles.
type SyncStore interface {
	// StartSync records a sync that has begun, with Result ResultRunning,
	// and sets rec.ID (and rec.StartedAt when zero).
	StartSync(ctx context.Context, rec *SyncRecord) error
	// FinishSync records the outcome of the sync rec.ID.
	FinishSync(ctx context.Context, rec *SyncRecord) error
	// GetSync returns one sync, or an error wrapping ErrNotFound.
	GetSync(ctx context.Context, id int64) (SyncRecord, error)
	// ListSyncs returns the syncs of app ("" for every app), newest first,
	// at most limit (all when limit <= 0), with ID below beforeID when
	// beforeID > 0. Pass the last ID of one page as beforeID for the next.
	ListSyncs(ctx context.Context, app string, limit int, beforeID int64) ([]SyncRecord, error)
	// ListAllSyncs returns every sync started at or after since, oldest
	// first.
	ListAllSyncs(ctx context.Context, since time.Time) ([]SyncRecord, error)
	// FindSync returns the newest succeeded sync of app whose revision
	// starts with revisionPrefix, or an error wrapping ErrNotFound.
	FindSync(ctx context.Context, app, revisionPrefix string) (SyncRecord, error)
	// AppliedRevisions returns, newest first, the newest succeeded sync of
	// each distinct revision app has had applied, at most limit (all when
	// limit <= 0). Element 0 is the revision applied now, element n the one
	// applied n deployments ago: what a rollback needs.
	AppliedRevisions(ctx context.Context, app string, limit int) ([]SyncRecord, error)
	// MarkInterrupted turns every sync still running into ResultInterrupted
	// and returns how many there were. Call it once at startup: a running
	// sync found then was cut short when the daemon stopped.
	MarkInterrupted(ctx context.Context) (int, error)
}

// AuditStore keeps the audit log of actions people (or API clients) took.
type AuditStore interface {
	// AddAudit appends e; a zero Time is set to now.
	AddAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns the newest entries first, at most limit (all when
	// limit <= 0).
	ListAudit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// EventStore keeps the event stream the API serves and the UI follows.
type EventStore interface {
	// AddEvent appends e and sets e.ID (and e.Time when zero).
	AddEvent(ctx context.Context, e *Event) error
	// ListEvents returns the events of app ("" for every app) with ID above
	// afterID, oldest first, at most limit (all when limit <= 0). Pass the
	// last ID seen as afterID to follow the stream.
	ListEvents(ctx context.Context, app string, afterID int64, limit int) ([]Event, error)
}

// Store is everything plumb remembers.
type Store interface {
	StatusStore
	SyncStore
	AuditStore
	EventStore
	// Retain deletes history beyond the retention policy (see sqlite.DB.Retain
	// for the exact rules) and returns how many records it deleted.
	Retain(ctx context.Context, keepPerApp int, maxAge time.Duration) (deleted int, err error)
	// Close releases the store.
	Close() error
}
