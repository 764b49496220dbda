package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/source/git"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/store/sqlite"
	"plumb.dev/plumb/internal/target"

	_ "plumb.dev/plumb/internal/target/files"
)

// world runs an engine in process on real parts: a Git repo served over
// HTTP, the files driver on a temp dir, and a SQLite file.
type world struct {
	t    *testing.T
	repo *gittest.Repo
	srv  *gittest.Server
	live string
	db   *sqlite.DB
	eng  *engine.Engine
}

func newWorld(t *testing.T) *world {
	t.Helper()
	repo := gittest.NewRepo(t)
	repo.WriteFile("web/index.html", "v1\n")
	repo.WriteFile("api/conf.txt", "c1\n")
	repo.Commit("initial")
	w := &world{t: t, repo: repo, srv: gittest.Serve(t, repo), live: t.TempDir()}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	mirrors := t.TempDir()
	w.eng, err = engine.New(engine.Options{
		Store: db,
		NewSource: func(_ context.Context, s *config.Source) (engine.Source, error) {
			return git.New(s.Name, *s.Git, filepath.Join(mirrors, s.Name))
		},
		NewTarget: func(ctx context.Context, tc *config.Target) (target.Target, error) {
			return target.New(ctx, tc, t.TempDir())
		},
		BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, HealthPoll: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) config(apps ...*config.App) *config.Config {
	return w.configPolling(200*time.Millisecond, apps...)
}

// configPolling is config with the source polled every poll.
func (w *world) configPolling(poll time.Duration, apps ...*config.App) *config.Config {
	src := &config.Source{Name: "site", Git: &config.GitSource{URL: w.srv.URL(), Branch: "main", Interval: config.Duration{Duration: poll}}}
	tgt := &config.Target{Name: "local", Kind: "files", Files: &config.FilesTarget{Root: w.live, CheckInterval: config.Duration{Duration: time.Second}}}
	for _, a := range apps {
		a.Source, a.Target = "site", "local"
	}
	return &config.Config{Sources: []*config.Source{src}, Targets: []*config.Target{tgt}, Apps: apps}
}

func (w *world) run(cfg *config.Config) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := w.eng.SetConfig(ctx, cfg); err != nil {
		w.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = w.eng.Run(ctx); close(done) }()
	w.t.Cleanup(func() { cancel(); <-done })
}

func (w *world) status(app string) store.AppStatus {
	st, _ := w.db.GetStatus(context.Background(), app)
	return st
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (w *world) liveIs(rel, want string) {
	w.t.Helper()
	waitUntil(w.t, rel+" = "+want, func() bool {
		b, err := os.ReadFile(filepath.Join(w.live, rel))
		return err == nil && string(b) == want
	})
}

func TestManualSyncReturnsTheRecord(t *testing.T) {
	w := newWorld(t)
	w.run(w.configPolling(time.Hour, &config.App{Name: "web", Path: "web", Prune: true, SelfHeal: true}))
	w.liveIs("index.html", "v1\n")

	w.repo.WriteFile("web/index.html", "v2\n")
	rev := w.repo.Commit("v2")
	w.repo.Push()
	rec, err := w.eng.Sync(context.Background(), "web", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Revision != rev || rec.Actor != "alice" || rec.Result != store.ResultSucceeded {
		t.Fatalf("record: rev %s actor %q result %s", rec.Revision, rec.Actor, rec.Result)
	}
	if len(rec.Actions) != 1 || rec.Actions[0].Reason != plumb.ReasonChangedInGit {
		t.Fatalf("actions: %+v", rec.Actions)
	}
	// Nothing left to do: a second sync is a no-op and says so.
	rec, err = w.eng.Sync(context.Background(), "web", "alice")
	if err != nil || rec.Result != store.ResultNoop {
		t.Fatalf("second sync: %v %s", err, rec.Result)
	}
}

func TestConcurrentSyncsCoalesce(t *testing.T) {
	w := newWorld(t)
	w.run(w.config(&config.App{Name: "web", Path: "web"}))
	w.liveIs("index.html", "v1\n")
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			if _, err := w.eng.Sync(context.Background(), "web", "bob"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	recs, err := w.db.ListSyncs(context.Background(), "web", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	manual := 0
	for _, r := range recs {
		if r.Trigger == plumb.TriggerManual {
			manual++
		}
	}
	if manual == 0 || manual >= 10 {
		t.Fatalf("10 concurrent syncs made %d manual reconciles, want them coalesced into fewer", manual)
	}
}

func TestRenderFailureKeepsStateAndRetries(t *testing.T) {
	w := newWorld(t)
	w.run(w.config(&config.App{Name: "web", Path: "web", Prune: true}))
	w.liveIs("index.html", "v1\n")

	w.repo.Remove("web/index.html") // the app's path disappears from Git
	w.repo.Commit("remove the whole app path")
	w.repo.Push()
	waitUntil(t, "a failure and retries", func() bool {
		st := w.status("web")
		return st.Sync == plumb.SyncFailed && st.Failures >= 2 && strings.Contains(st.LastError, "web")
	})
	if b, err := os.ReadFile(filepath.Join(w.live, "index.html")); err != nil || string(b) != "v1\n" {
		t.Fatalf("a failed render pruned or changed the target: %q %v", b, err)
	}
}

func TestRemovedAppIsPruned(t *testing.T) {
	w := newWorld(t)
	cfg := w.config(&config.App{Name: "web", Path: "web", Prune: true}, &config.App{Name: "api", Path: "api", Prune: false})
	w.run(cfg)
	w.liveIs("index.html", "v1\n")
	w.liveIs("conf.txt", "c1\n")

	if err := w.eng.SetConfig(context.Background(), w.config()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "web's files pruned", func() bool {
		_, err := os.Stat(filepath.Join(w.live, "index.html"))
		return os.IsNotExist(err)
	})
	if _, err := os.Stat(filepath.Join(w.live, "conf.txt")); err != nil {
		t.Fatalf("api had prune off, yet its file went: %v", err)
	}
	waitUntil(t, "web's status to go", func() bool {
		_, err := w.db.GetStatus(context.Background(), "web")
		return errors.Is(err, store.ErrNotFound)
	})
}

func TestSuspendedAppIgnoresRevisions(t *testing.T) {
	w := newWorld(t)
	w.run(w.config(&config.App{Name: "web", Path: "web", SelfHeal: true}))
	w.liveIs("index.html", "v1\n")
	if _, err := w.eng.Suspend(context.Background(), "web", "carol"); err != nil {
		t.Fatal(err)
	}
	w.repo.WriteFile("web/index.html", "v2\n")
	rev := w.repo.Commit("v2")
	w.repo.Push()
	if _, err := w.eng.Sync(context.Background(), "web", "carol"); !errors.Is(err, engine.ErrSuspended) {
		t.Fatalf("sync of a suspended app: %v, want ErrSuspended", err)
	}
	waitUntil(t, "the source to see v2", func() bool {
		c, _ := w.eng.FetchSource(context.Background(), "site", plumb.TriggerManual)
		return c.Revision == rev
	})
	if b, _ := os.ReadFile(filepath.Join(w.live, "index.html")); string(b) != "v1\n" {
		t.Fatalf("a suspended app followed a new revision: %q", b)
	}
	if _, err := w.eng.Resume(context.Background(), "web", "carol"); err != nil {
		t.Fatal(err)
	}
	w.liveIs("index.html", "v2\n")
}
