// Package sqlite implements store.Store on an embedded SQLite database file,
// using the pure-Go modernc.org/sqlite driver (no cgo).
//
// The database runs in WAL mode. Writes go through a single connection, so
// writers in this process queue in Go instead of fighting over SQLite's lock,
// while reads use a separate pool of read-only connections that WAL lets run
// alongside the writer. The schema is versioned: Open applies the embedded
// migrations a database lacks and refuses a database written by a newer plumb.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"plumb.dev/plumb/internal/store"
)

var _ store.Store = (*DB)(nil)

// busyTimeout is how long a statement waits for a lock held by another
// process (a CLI opening the same file) before failing.
const busyTimeout = 10 * time.Second

// DB is a store.Store backed by one SQLite file. It is safe for concurrent
// use.
type DB struct {
	path string
	w    *sql.DB // one connection: every write
	r    *sql.DB // read-only pool
	now  func() time.Time
}

// Option configures Open.
type Option func(*DB)

// WithClock makes the store read the time from now (for tests); the default
// is time.Now.
func WithClock(now func() time.Time) Option {
	return func(d *DB) { d.now = now }
}

// Open opens (creating it when absent) the database file at path, brings its
// schema up to date and returns it. A database whose schema is newer than
// this build knows fails with a *SchemaTooNewError.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	d := &DB{path: path, now: time.Now}
	for _, o := range opts {
		o(d)
	}
	if err := d.open(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return d, nil
}

func (d *DB) open(ctx context.Context) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	return d.openWith(ctx, ms)
}

// openWith opens both pools and applies migrations ms.
func (d *DB) openWith(ctx context.Context, ms []migration) error {
	var err error
	if d.w, err = sql.Open("sqlite", dsn(d.path, writerPragmas)); err != nil {
		return err
	}
	d.w.SetMaxOpenConns(1)
	d.w.SetMaxIdleConns(1)
	d.w.SetConnMaxIdleTime(0)
	if err := d.checkWAL(ctx); err != nil {
		return err
	}
	if err := migrate(ctx, d.w, ms, d.now()); err != nil {
		return err
	}
	if d.r, err = sql.Open("sqlite", dsn(d.path, readerPragmas)); err != nil {
		return err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	d.r.SetMaxOpenConns(n)
	d.r.SetMaxIdleConns(n)
	return d.r.PingContext(ctx)
}

// checkWAL makes sure the journal mode took (it cannot on some filesystems).
func (d *DB) checkWAL(ctx context.Context) error {
	var mode string
	if err := d.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	return nil
}

var (
	writerPragmas = []string{"journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"}
	readerPragmas = []string{"foreign_keys(1)", "query_only(1)"}
)

// dsn builds the driver's connection string. synchronous=NORMAL in WAL mode
// survives a crash of plumb; a power loss may lose the last transactions,
// which the next reconcile recomputes from Git and the targets.
func dsn(path string, pragmas []string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// Path returns the database file's path.
func (d *DB) Path() string { return d.path }

// Close closes the database. It is safe to call on a partly opened DB.
func (d *DB) Close() error {
	var errs []error
	for _, p := range []*sql.DB{d.r, d.w} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", d.path, err)
	}
	return nil
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (d *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
