package sqlite

import (
	"context"
	"fmt"

	"plumb.dev/plumb/internal/store"
)

// AddAudit appends e to the audit log; a zero e.Time is set to now.
func (d *DB) AddAudit(ctx context.Context, e store.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = d.now()
	}
	_, err := d.w.ExecContext(ctx, `INSERT INTO audit (time, actor, action, app, detail, result)
		VALUES (?, ?, ?, ?, ?, ?)`, nanos(e.Time), e.Actor, e.Action, e.App, e.Detail, e.Result)
	if err != nil {
		return fmt.Errorf("add audit entry %q by %q: %w", e.Action, e.Actor, err)
	}
	return nil
}

// ListAudit returns the newest audit entries first, at most limit (all when
// limit <= 0).
func (d *DB) ListAudit(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT id, time, actor, action, app, detail, result FROM audit
		ORDER BY id DESC LIMIT ?`, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	list, err := collect(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return list, nil
}

func scanAudit(s scanner) (store.AuditEntry, error) {
	var e store.AuditEntry
	err := s.Scan(&e.ID, timeCol{&e.Time}, &e.Actor, &e.Action, &e.App, &e.Detail, &e.Result)
	return e, err
}
