package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"plumb.dev/plumb/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n got  %s\n want %s", name, path, got, want)
	}
}

func embeddedMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// rawDB opens path without any of the store's machinery.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenEmptyMigratesToLatest(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	v, err := d.SchemaVersion(ctx)
	if err != nil || v != len(embeddedMigrations(t)) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(embeddedMigrations(t)))
	}
	if v < 2 {
		t.Fatalf("only %d migrations embedded, want at least 2", v)
	}
	pragmas := []struct {
		pool       *sql.DB
		name, want string
	}{
		{d.w, "journal_mode", "wal"}, {d.w, "synchronous", "1"}, {d.w, "foreign_keys", "1"},
		{d.r, "query_only", "1"}, {d.r, "busy_timeout", "10000"}, {d.w, "busy_timeout", "10000"},
	}
	for _, p := range pragmas {
		var got string
		if err := p.pool.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil || got != p.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", p.name, got, err, p.want)
		}
	}
}

func TestReadPoolIsReadOnly(t *testing.T) {
	d, _ := openTest(t)
	_, err := d.r.ExecContext(context.Background(), "DELETE FROM app_status")
	if err == nil {
		t.Fatal("a write through the read pool succeeded")
	}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path, c := dbPath(t), newClock()
	d := openAt(t, path, c)
	if err := d.PutStatus(ctx, fullStatus("web")); err != nil {
		t.Fatal(err)
	}
	rec := fullSync("web", "abc", store.ResultSucceeded)
	if err := d.StartSync(ctx, &rec); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	c.Set(t0.AddDate(0, 0, 1))
	d2 := openAt(t, path, c)
	got, err := d2.GetStatus(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "status after reopen", got, fullStatus("web"))
	if _, err := d2.GetSync(ctx, rec.ID); err != nil {
		t.Errorf("sync after reopen: %v", err)
	}
	var n, applied int64
	row := d2.r.QueryRowContext(ctx, "SELECT count(*), max(applied_at) FROM schema_migrations")
	if err := row.Scan(&n, &applied); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(embeddedMigrations(t)) || applied != t0.UnixNano() {
		t.Errorf("schema_migrations: %d rows, last applied %d; want %d rows applied at the first open", n, applied, len(embeddedMigrations(t)))
	}
}

func TestMigrateOlderDatabaseForward(t *testing.T) {
	ctx := context.Background()
	path, c := dbPath(t), newClock()
	old := &DB{path: path, now: c.Now}
	if err := old.openWith(ctx, embeddedMigrations(t)[:1]); err != nil {
		t.Fatalf("open at version 1: %v", err)
	}
	if err := old.PutStatus(ctx, fullStatus("web")); err != nil {
		t.Fatal(err)
	}
	rec := fullSync("web", "abc", store.ResultSucceeded)
	if err := old.StartSync(ctx, &rec); err != nil {
		t.Fatal(err)
	}
	if v, err := old.SchemaVersion(ctx); err != nil || v != 1 {
		t.Fatalf("old SchemaVersion = %d, %v; want 1", v, err)
	}
	var indexes int
	if err := old.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'syncs_app_id'").Scan(&indexes); err != nil || indexes != 0 {
		t.Fatalf("version 1 already has index syncs_app_id (%d, %v)", indexes, err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	d := openAt(t, path, c)
	if v, err := d.SchemaVersion(ctx); err != nil || v != len(embeddedMigrations(t)) {
		t.Fatalf("SchemaVersion after migrating = %d, %v", v, err)
	}
	if err := d.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'syncs_app_id'").Scan(&indexes); err != nil || indexes != 1 {
		t.Errorf("index syncs_app_id after migrating: %d, %v", indexes, err)
	}
	got, err := d.GetStatus(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "status after migrating", got, fullStatus("web"))
	syncs, err := d.ListSyncs(ctx, "web", 0, 0)
	if err != nil || len(syncs) != 1 || syncs[0].ID != rec.ID {
		t.Errorf("syncs after migrating = %+v, %v", syncs, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	d := openAt(t, path, newClock())
	if err := d.PutStatus(ctx, fullStatus("web")); err != nil {
		t.Fatal(err)
	}
	d.Close()
	future := len(embeddedMigrations(t)) + 5
	raw := rawDB(t, path)
	if _, err := raw.Exec("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 1)", future); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	_, err := Open(ctx, path)
	var tooNew *SchemaTooNewError
	if !errors.As(err, &tooNew) {
		t.Fatalf("Open of a newer database = %v, want a SchemaTooNewError", err)
	}
	if tooNew.Version != future || tooNew.Supported != len(embeddedMigrations(t)) {
		t.Errorf("SchemaTooNewError = %+v", tooNew)
	}
	golden(t, "schema_too_new", strings.ReplaceAll(err.Error(), path, "$DB"))

	// The refused database is untouched and still opens as version future.
	raw = rawDB(t, path)
	var v int
	if err := raw.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != future {
		t.Errorf("schema version after refusal = %d, %v; want %d", v, err, future)
	}
}

func TestLoadMigrationsRejectsBadSets(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	cases := []struct {
		name string
		fsys fstest.MapFS
	}{
		{name: "gap", fsys: fstest.MapFS{"migrations/0001_a.sql": file("SELECT 1"), "migrations/0003_c.sql": file("SELECT 1")}},
		{name: "duplicate", fsys: fstest.MapFS{"migrations/0001_a.sql": file("SELECT 1"), "migrations/001_b.sql": file("SELECT 1")}},
		{name: "bad_name", fsys: fstest.MapFS{"migrations/init.sql": file("SELECT 1")}},
		{name: "zero", fsys: fstest.MapFS{"migrations/0000_init.sql": file("SELECT 1")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadMigrations(tc.fsys)
			if err == nil {
				t.Fatal("loadMigrations succeeded, want an error")
			}
			golden(t, "migrations_"+tc.name, err.Error())
		})
	}
}

func TestFailedMigrationLeavesDatabaseAtOldVersion(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	ms := append(embeddedMigrations(t)[:1:1], migration{version: 2, name: "0002_broken", sql: "CREATE INDEX x ON no_such_table (a)"})
	d := &DB{path: path, now: newClock().Now}
	err := d.openWith(ctx, ms)
	d.Close()
	if err == nil || !strings.Contains(err.Error(), "0002_broken") {
		t.Fatalf("open with a broken migration = %v, want an error naming it", err)
	}
	var n int
	if err := rawDB(t, path).QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'app_status'").Scan(&n); err != nil || n != 0 {
		t.Errorf("after a failed migration app_status exists (%d, %v): the batch was not rolled back", n, err)
	}
}
