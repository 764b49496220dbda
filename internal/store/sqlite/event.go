package sqlite

import (
	"context"
	"fmt"
	"strings"

	"plumb.dev/plumb/internal/store"
)

// AddEvent appends e to the event stream and sets e.ID (and e.Time to now
// when zero).
func (d *DB) AddEvent(ctx context.Context, e *store.Event) error {
	if e.Time.IsZero() {
		e.Time = d.now()
	}
	detail, err := jsonText(e.Detail)
	if err != nil {
		return fmt.Errorf("add %s event of app %q: %w", e.Type, e.App, err)
	}
	res, err := d.w.ExecContext(ctx, `INSERT INTO events (time, app, type, message, revision, detail_json)
		VALUES (?, ?, ?, ?, ?, ?)`, nanos(e.Time), e.App, e.Type, e.Message, e.Revision, detail)
	if err != nil {
		return fmt.Errorf("add %s event of app %q: %w", e.Type, e.App, err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("add %s event of app %q: %w", e.Type, e.App, err)
	}
	return nil
}

// ListEvents returns the events of app ("" for every app) with ID above
// afterID, oldest first, at most limit (all when limit <= 0).
func (d *DB) ListEvents(ctx context.Context, app string, afterID int64, limit int) ([]store.Event, error) {
	q, args := listEventsQuery(app, afterID, limit)
	rows, err := d.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list events of app %q: %w", app, err)
	}
	list, err := collect(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("list events of app %q: %w", app, err)
	}
	return list, nil
}

func listEventsQuery(app string, afterID int64, limit int) (string, []any) {
	where, args := []string{"id > ?"}, []any{afterID}
	if app != "" {
		where, args = append(where, "app = ?"), append(args, app)
	}
	q := `SELECT id, time, app, type, message, revision, detail_json FROM events WHERE ` +
		strings.Join(where, " AND ") + " ORDER BY id LIMIT ?"
	return q, append(args, limitArg(limit))
}

func scanEvent(s scanner) (store.Event, error) {
	var e store.Event
	err := s.Scan(&e.ID, timeCol{&e.Time}, &e.App, &e.Type, &e.Message, &e.Revision, jsonCol{&e.Detail})
	return e, err
}
