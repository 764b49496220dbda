package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"plumb.dev/plumb/internal/store"
)

// EventsPerSync is how many events per kept sync Retain keeps for each app:
// an app keeps at most EventsPerSync*keepPerApp events.
const EventsPerSync = 10

// Retain deletes history and returns how many records it deleted. A limit
// of zero (or less) is off.
//
//   - Syncs: each app keeps its newest keepPerApp syncs; syncs started
//     before now-maxAge go. Running syncs, an app's newest sync and an
//     app's newest succeeded sync (what is deployed, the base of a
//     rollback) are always kept.
//   - Events: each app keeps its newest EventsPerSync*keepPerApp events;
//     events older than maxAge go.
//   - Audit entries older than maxAge go.
func (d *DB) Retain(ctx context.Context, keepPerApp int, maxAge time.Duration) (int, error) {
	cutoff := int64(math.MinInt64) // nothing is older: age limit off
	if maxAge > 0 {
		cutoff = d.now().Add(-maxAge).UnixNano()
	}
	keep := max(keepPerApp, 0)
	var total int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		for _, step := range retainSteps {
			n, err := step.run(ctx, tx, step.args(keep, cutoff))
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retain history (keep %d per app, max age %s): %w", keepPerApp, maxAge, err)
	}
	return int(total), nil
}

// retainStep deletes from one table.
type retainStep struct {
	table string
	query string
	// args gives the query's arguments from the per-app count to keep (0:
	// no count limit) and the age cutoff in Unix nanoseconds.
	args func(keep int, cutoff int64) []any
}

func (s retainStep) run(ctx context.Context, tx *sql.Tx, args []any) (int64, error) {
	res, err := tx.ExecContext(ctx, s.query, args...)
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", s.table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", s.table, err)
	}
	return n, nil
}

var retainSteps = []retainStep{{
	table: "syncs",
	query: `DELETE FROM syncs WHERE id IN (
		SELECT id FROM (
			SELECT id, result, started_at, row_number() OVER (PARTITION BY app ORDER BY id DESC) AS rank
			FROM syncs)
		WHERE rank > 1 AND result != ? AND ((? > 0 AND rank > ?) OR started_at < ?))
		AND id NOT IN (SELECT max(id) FROM syncs WHERE result = ? GROUP BY app)`,
	args: func(keep int, cutoff int64) []any {
		return []any{string(store.ResultRunning), keep, keep, cutoff, string(store.ResultSucceeded)}
	},
}, {
	table: "events",
	query: `DELETE FROM events WHERE id IN (
		SELECT id FROM (
			SELECT id, time, row_number() OVER (PARTITION BY app ORDER BY id DESC) AS rank FROM events)
		WHERE (? > 0 AND rank > ?) OR time < ?)`,
	args: func(keep int, cutoff int64) []any {
		return []any{keep, keep * EventsPerSync, cutoff}
	},
}, {
	table: "audit",
	query: `DELETE FROM audit WHERE time < ?`,
	args:  func(_ int, cutoff int64) []any { return []any{cutoff} },
}}
