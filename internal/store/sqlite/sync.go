package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"plumb.dev/plumb/internal/store"
)

// interruptedError is the error recorded on a sync MarkInterrupted closes.
const interruptedError = "interrupted: plumb stopped before the sync finished"

// StartSync records a sync that has begun: it sets rec.Result to running,
// rec.StartedAt to now when zero, and rec.ID.
func (d *DB) StartSync(ctx context.Context, rec *store.SyncRecord) error {
	if rec.App == "" {
		return errors.New("start sync: app name is empty")
	}
	rec.Result = store.ResultRunning
	if rec.StartedAt.IsZero() {
		rec.StartedAt = d.now()
	}
	args, err := syncArgs(*rec)
	if err != nil {
		return fmt.Errorf("start sync of app %q: %w", rec.App, err)
	}
	q := "INSERT INTO syncs (" + syncInsertColumns + ") VALUES (" + placeholders(len(args)) + ")"
	res, err := d.w.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("start sync of app %q: %w", rec.App, err)
	}
	if rec.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("start sync of app %q: %w", rec.App, err)
	}
	return nil
}

// FinishSync records the outcome of sync rec.ID: every field but ID, App and
// StartedAt is written. rec.Result must be final; rec.FinishedAt is set to
// now when zero. An unknown ID gives an error wrapping store.ErrNotFound.
func (d *DB) FinishSync(ctx context.Context, rec *store.SyncRecord) error {
	if !rec.Result.Done() {
		return fmt.Errorf("finish sync %d of app %q: result %q is not final", rec.ID, rec.App, rec.Result)
	}
	if rec.FinishedAt.IsZero() {
		rec.FinishedAt = d.now()
	}
	j, err := encodeSync(*rec)
	if err != nil {
		return fmt.Errorf("finish sync %d of app %q: %w", rec.ID, rec.App, err)
	}
	res, err := d.w.ExecContext(ctx, `UPDATE syncs SET revision = ?, commit_json = ?, input_hash = ?,
		trigger_type = ?, reason = ?, actor = ?, finished_at = ?, result = ?, error = ?, actions_json = ?,
		hooks_json = ?, health = ? WHERE id = ?`,
		rec.Revision, j.commit, rec.InputHash, string(rec.Trigger), rec.Reason, rec.Actor, nanos(rec.FinishedAt),
		string(rec.Result), rec.Error, j.actions, j.hooks, string(rec.Health), rec.ID)
	if err != nil {
		return fmt.Errorf("finish sync %d of app %q: %w", rec.ID, rec.App, err)
	}
	return checkFound(res, fmt.Sprintf("finish sync %d of app %q", rec.ID, rec.App))
}

const markInterruptedQuery = `UPDATE syncs SET result = ?, finished_at = ?,
	error = CASE WHEN error = '' THEN ? ELSE error END WHERE result = ?`

// MarkInterrupted turns every running sync into an interrupted one, finished
// now, and returns how many it changed. Call it once at startup.
func (d *DB) MarkInterrupted(ctx context.Context) (int, error) {
	res, err := d.w.ExecContext(ctx, markInterruptedQuery, string(store.ResultInterrupted), nanos(d.now()),
		interruptedError, string(store.ResultRunning))
	if err != nil {
		return 0, fmt.Errorf("mark interrupted syncs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("mark interrupted syncs: %w", err)
	}
	return int(n), nil
}

// GetSync returns sync id, or an error wrapping store.ErrNotFound.
func (d *DB) GetSync(ctx context.Context, id int64) (store.SyncRecord, error) {
	row := d.r.QueryRowContext(ctx, "SELECT "+syncColumns+" FROM syncs WHERE id = ?", id)
	rec, err := scanSync(row)
	if errors.Is(err, sql.ErrNoRows) {
		return store.SyncRecord{}, fmt.Errorf("sync %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.SyncRecord{}, fmt.Errorf("sync %d: %w", id, err)
	}
	return rec, nil
}

const syncInsertColumns = `app, revision, commit_json, input_hash, trigger_type, reason, actor, started_at,
	finished_at, result, error, actions_json, hooks_json, health`

const syncColumns = "id, " + syncInsertColumns

// syncJSON holds the JSON columns of a sync record.
type syncJSON struct{ commit, actions, hooks string }

func encodeSync(r store.SyncRecord) (syncJSON, error) {
	var j syncJSON
	var err error
	if j.commit, err = jsonText(r.Commit); err != nil {
		return j, err
	}
	if j.actions, err = jsonText(r.Actions); err != nil {
		return j, err
	}
	j.hooks, err = jsonText(r.Hooks)
	return j, err
}

func syncArgs(r store.SyncRecord) ([]any, error) {
	j, err := encodeSync(r)
	if err != nil {
		return nil, err
	}
	return []any{r.App, r.Revision, j.commit, r.InputHash, string(r.Trigger), r.Reason, r.Actor,
		nanos(r.StartedAt), nanos(r.FinishedAt), string(r.Result), r.Error, j.actions, j.hooks,
		string(r.Health)}, nil
}

func scanSync(s scanner) (store.SyncRecord, error) {
	var r store.SyncRecord
	err := s.Scan(&r.ID, &r.App, &r.Revision, jsonCol{&r.Commit}, &r.InputHash, &r.Trigger, &r.Reason,
		&r.Actor, timeCol{&r.StartedAt}, timeCol{&r.FinishedAt}, &r.Result, &r.Error, jsonCol{&r.Actions},
		jsonCol{&r.Hooks}, &r.Health)
	return r, err
}
