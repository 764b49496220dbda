package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/dora"
	"plumb.dev/plumb/internal/store"
)

// doraUpdate is -update; if another test file of this package defines the
// flag too, keep one definition.
var doraUpdate = flag.Bool("update", false, "rewrite golden files")

// doraReport is a report over two apps: web deployed three times (one
// ended Degraded and was rolled back), db failed once before deploying.
func doraReport(app string, window time.Duration) dora.Report {
	to := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	at := func(days float64) time.Time { return to.Add(-time.Duration(days * 24 * float64(time.Hour))) }
	change := []plumb.ActionResult{{Action: plumb.Action{Type: plumb.ActionUpdate, Object: "web", Reason: plumb.ReasonChangedInGit}}}
	rec := func(app, rev string, start time.Time, lead time.Duration, res store.SyncResult, h plumb.HealthStatus, tr plumb.Trigger) store.SyncRecord {
		r := store.SyncRecord{App: app, Revision: rev, Trigger: tr, StartedAt: start, FinishedAt: start.Add(time.Minute),
			Result: res, Health: h, Commit: plumb.Commit{Revision: rev, Time: start.Add(-lead)}}
		if res == store.ResultSucceeded {
			r.Actions = change
		}
		return r
	}
	recs := []store.SyncRecord{
		rec("web", "a", at(10), time.Hour, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerRevision),
		rec("web", "b", at(3), 26*time.Hour, store.ResultSucceeded, plumb.HealthDegraded, plumb.TriggerRevision),
		rec("web", "a", at(3).Add(45*time.Minute), 0, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerRollback),
		rec("db", "x", at(20), 0, store.ResultFailed, "", plumb.TriggerRevision),
	}
	var keep []store.SyncRecord
	for _, r := range recs {
		if app == "" || r.App == app {
			keep = append(keep, r)
		}
	}
	return dora.Compute(keep, to.Add(-window), to)
}

// serveDora answers GET /api/v1/dora as the daemon would, and records the
// query it was asked.
func serveDora(t *testing.T, asked *url.Values) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/dora" {
			http.NotFound(w, r)
			return
		}
		*asked = r.URL.Query()
		window, err := api.ParseWindow(asked.Get("window"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doraReport(asked.Get("app"), window))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// runDora runs `plumb dora args...` against server and returns its output.
func runDora(t *testing.T, server, output string, args ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	cmd := newDora(&globals{server: server, output: output})
	cmd.SetArgs(append([]string{}, args...)) // never nil: cobra would read os.Args
	cmd.SetOut(&out)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("plumb dora %v: %v", args, err)
	}
	return out.Bytes()
}

func TestDoraCommandTable(t *testing.T) {
	var asked url.Values
	server := serveDora(t, &asked)
	for _, c := range []struct {
		golden string
		args   []string
		query  url.Values
	}{
		{"dora.golden", nil, url.Values{"window": {"30d"}}},
		{"dora-app.golden", []string{"--app", "web", "--window", "2w"}, url.Values{"app": {"web"}, "window": {"2w"}}},
		{"dora-app-idle.golden", []string{"--app", "db", "--window", "7d"}, url.Values{"app": {"db"}, "window": {"7d"}}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			got := runDora(t, server, "table", c.args...)
			if !reflect.DeepEqual(asked, c.query) {
				t.Errorf("asked the daemon %v, want %v", asked, c.query)
			}
			doraGolden(t, c.golden, got)
		})
	}
}

func TestDoraCommandJSON(t *testing.T) {
	var asked url.Values
	got := runDora(t, serveDora(t, &asked), "json")
	var rep dora.Report
	if err := json.Unmarshal(got, &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if want := doraReport("", dora.DefaultWindow); !reflect.DeepEqual(rep, want) {
		t.Errorf("JSON output decodes to\n%+v\nwant\n%+v", rep, want)
	}
}

func doraGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *doraUpdate {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}
