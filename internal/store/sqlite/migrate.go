package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step, read from migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// SchemaTooNewError is returned by Open for a database written by a newer
// plumb: this build cannot know what the newer schema means, so it refuses
// to touch it.
type SchemaTooNewError struct {
	Version   int // the database's schema version
	Supported int // the newest version this build knows
}

// Error says which versions disagree and what to do.
func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than version %d, the newest this plumb knows: "+
		"run a plumb at least as new as the one that wrote it", e.Version, e.Supported)
}

// loadMigrations reads migrations/*.sql from fsys, ordered by version. The
// versions must run 1, 2, 3... without gaps or duplicates.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	ms := make([]migration, 0, len(names))
	for _, name := range names {
		m, err := readMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if i > 0 && m.version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same version %d", ms[i-1].name, m.name, m.version)
		}
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (versions run 1, 2, 3... without gaps)", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

func readMigration(fsys fs.FS, name string) (migration, error) {
	base := path.Base(name)
	num, _, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v < 1 {
		return migration{}, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, fmt.Errorf("read migration %s: %w", name, err)
	}
	return migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)}, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`

// migrate applies, in one transaction, every migration of ms the database
// lacks. Two processes migrating at once are serialised by the immediate
// transaction: the second finds nothing left to do.
func migrate(ctx context.Context, db *sql.DB, ms []migration, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	cur, err := currentVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cur > len(ms) {
		return &SchemaTooNewError{Version: cur, Supported: len(ms)}
	}
	for _, m := range ms[cur:] {
		if err := apply(ctx, tx, m, now); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

func currentVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var v int
	err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func apply(ctx context.Context, tx *sql.Tx, m migration, now time.Time) error {
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, now.UnixNano())
	if err != nil {
		return fmt.Errorf("migration %s: record: %w", m.name, err)
	}
	return nil
}

// SchemaVersion returns the database's schema version.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := d.r.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", d.path, err)
	}
	return v, nil
}
