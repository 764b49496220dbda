package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"plumb.dev/plumb/internal/store"
)

const statusColumns = `app, sync, health, health_message, revision, commit_json, input_hash,
	source_revision, last_sync_at, last_attempt_at, last_error, failures, suspended, suspend_reason,
	pinned_revision, drift_json, drift_at, target, source, path, updated_at`

// GetStatus returns the status of app, or an error wrapping store.ErrNotFound.
func (d *DB) GetStatus(ctx context.Context, app string) (store.AppStatus, error) {
	row := d.r.QueryRowContext(ctx, "SELECT "+statusColumns+" FROM app_status WHERE app = ?", app)
	s, err := scanStatus(row)
	if errors.Is(err, sql.ErrNoRows) {
		return store.AppStatus{}, fmt.Errorf("status of app %q: %w", app, store.ErrNotFound)
	}
	if err != nil {
		return store.AppStatus{}, fmt.Errorf("status of app %q: %w", app, err)
	}
	return s, nil
}

// ListStatus returns the status of every app, sorted by app name.
func (d *DB) ListStatus(ctx context.Context) ([]store.AppStatus, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT "+statusColumns+" FROM app_status ORDER BY app")
	if err != nil {
		return nil, fmt.Errorf("list status: %w", err)
	}
	list, err := collect(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("list status: %w", err)
	}
	return list, nil
}

// PutStatus creates or replaces the status of s.App, setting UpdatedAt to
// now when it is zero.
func (d *DB) PutStatus(ctx context.Context, s store.AppStatus) error {
	if s.App == "" {
		return errors.New("put status: app name is empty")
	}
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = d.now()
	}
	args, err := statusArgs(s)
	if err != nil {
		return fmt.Errorf("put status of app %q: %w", s.App, err)
	}
	q := "INSERT OR REPLACE INTO app_status (" + statusColumns + ") VALUES (" + placeholders(len(args)) + ")"
	if _, err := d.w.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("put status of app %q: %w", s.App, err)
	}
	return nil
}

// DeleteStatus forgets the status of app; an absent app is not an error.
// The app's sync history and events are kept.
func (d *DB) DeleteStatus(ctx context.Context, app string) error {
	if _, err := d.w.ExecContext(ctx, "DELETE FROM app_status WHERE app = ?", app); err != nil {
		return fmt.Errorf("delete status of app %q: %w", app, err)
	}
	return nil
}

func statusArgs(s store.AppStatus) ([]any, error) {
	commit, err := jsonText(s.Commit)
	if err != nil {
		return nil, err
	}
	drift, err := jsonText(s.Drift)
	if err != nil {
		return nil, err
	}
	return []any{s.App, string(s.Sync), string(s.Health), s.HealthMessage, s.Revision, commit, s.InputHash,
		s.SourceRevision, nanos(s.LastSyncAt), nanos(s.LastAttemptAt), s.LastError, s.Failures, s.Suspended,
		s.SuspendReason, s.PinnedRevision, drift, nanos(s.DriftAt), s.Target, s.Source, s.Path,
		nanos(s.UpdatedAt)}, nil
}

func scanStatus(r scanner) (store.AppStatus, error) {
	var s store.AppStatus
	err := r.Scan(&s.App, &s.Sync, &s.Health, &s.HealthMessage, &s.Revision, jsonCol{&s.Commit}, &s.InputHash,
		&s.SourceRevision, timeCol{&s.LastSyncAt}, timeCol{&s.LastAttemptAt}, &s.LastError, &s.Failures,
		&s.Suspended, &s.SuspendReason, &s.PinnedRevision, jsonCol{&s.Drift}, timeCol{&s.DriftAt}, &s.Target,
		&s.Source, &s.Path, timeCol{&s.UpdatedAt})
	return s, err
}
