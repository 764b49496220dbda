package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"plumb.dev/plumb/internal/store"
)

// ListSyncs returns the syncs of app ("" for every app), newest first, at
// most limit (all when limit <= 0), with ID below beforeID when beforeID > 0.
func (d *DB) ListSyncs(ctx context.Context, app string, limit int, beforeID int64) ([]store.SyncRecord, error) {
	q, args := listSyncsQuery(app, limit, beforeID)
	list, err := d.querySyncs(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list syncs of app %q: %w", app, err)
	}
	return list, nil
}

func listSyncsQuery(app string, limit int, beforeID int64) (string, []any) {
	var where []string
	var args []any
	if app != "" {
		where, args = append(where, "app = ?"), append(args, app)
	}
	if beforeID > 0 {
		where, args = append(where, "id < ?"), append(args, beforeID)
	}
	q := "SELECT " + syncColumns + " FROM syncs"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + " ORDER BY id DESC LIMIT ?", append(args, limitArg(limit))
}

const (
	listAllSyncsQuery = "SELECT " + syncColumns + " FROM syncs WHERE started_at >= ? ORDER BY started_at, id"
	findSyncQuery     = "SELECT " + syncColumns + ` FROM syncs WHERE app = ? AND result = ? AND substr(revision, 1, ?) = ?
		ORDER BY id DESC LIMIT 1`
)

// ListAllSyncs returns every sync started at or after since, oldest first.
func (d *DB) ListAllSyncs(ctx context.Context, since time.Time) ([]store.SyncRecord, error) {
	list, err := d.querySyncs(ctx, listAllSyncsQuery, sinceArg(since))
	if err != nil {
		return nil, fmt.Errorf("list syncs since %s: %w", since.Format(time.RFC3339), err)
	}
	return list, nil
}

// sinceArg stores a lower time bound; the zero time means "from the start".
func sinceArg(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FindSync returns the newest succeeded sync of app whose revision starts
// with revisionPrefix (an empty prefix finds the newest succeeded sync), or
// an error wrapping store.ErrNotFound.
func (d *DB) FindSync(ctx context.Context, app, revisionPrefix string) (store.SyncRecord, error) {
	row := d.r.QueryRowContext(ctx, findSyncQuery, app, string(store.ResultSucceeded),
		utf8.RuneCountInString(revisionPrefix), revisionPrefix)
	rec, err := scanSync(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.SyncRecord{}, fmt.Errorf("find succeeded sync of app %q at revision %q: %w", app, revisionPrefix, err)
	}
	return rec, nil
}

// AppliedRevisions returns, newest first, the newest succeeded sync of each
// distinct revision app has had applied, at most limit (all when limit <= 0).
func (d *DB) AppliedRevisions(ctx context.Context, app string, limit int) ([]store.SyncRecord, error) {
	q := "SELECT " + syncColumns + ` FROM syncs WHERE id IN (
			SELECT max(id) FROM syncs WHERE app = ? AND result = ? GROUP BY revision)
		ORDER BY id DESC LIMIT ?`
	list, err := d.querySyncs(ctx, q, app, string(store.ResultSucceeded), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("applied revisions of app %q: %w", app, err)
	}
	return list, nil
}

func (d *DB) querySyncs(ctx context.Context, q string, args ...any) ([]store.SyncRecord, error) {
	rows, err := d.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSync)
}
