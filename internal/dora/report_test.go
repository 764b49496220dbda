package dora

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// history is two apps over the test window: web deploys often and fails
// once, db deploys once; a third app only had syncs before the window.
func history() []store.SyncRecord {
	return []store.SyncRecord{
		ok("old", "z", -30),
		ok("web", "a", 24, committed(23)),
		ok("web", "b", 48, committed(46), health(plumb.HealthDegraded)),
		ok("web", "a", 49, committed(23), trigger(plumb.TriggerRollback)),
		ok("web", "a", 50, trigger(plumb.TriggerDrift), driftOnly),
		failed("db", "x", 100, committed(99)),
		ok("db", "x", 101, committed(99), trigger(plumb.TriggerInterval)),
	}
}

func TestComputePerAppAndOverall(t *testing.T) {
	rep := Compute(history(), from, to)
	m := time.Minute
	want := Report{From: from, To: to, Days: 10, Apps: []AppReport{
		{App: "db", Measures: Measures{
			Deployments: 1, DeploymentsPerDay: 0.1, LeadTime: dur(1, hours(2)+m, hours(2)+m),
			Attempts: 2, FailedAttempts: 1, ChangeFailureRate: 0.5, TimeToRestore: dur(1, hours(1), hours(1)),
		}},
		{App: "web", Measures: Measures{
			Deployments: 3, DeploymentsPerDay: 0.3, LeadTime: dur(2, hours(1.5)+m, hours(1.9)+m),
			Attempts: 3, FailedAttempts: 1, ChangeFailureRate: float64(1) / 3, TimeToRestore: dur(1, hours(1), hours(1)),
		}},
	}}
	want.Overall = Measures{
		Deployments: 4, DeploymentsPerDay: 0.4, LeadTime: dur(3, hours(2)+m, hours(2)+m),
		Attempts: 5, FailedAttempts: 2, ChangeFailureRate: 0.4, TimeToRestore: dur(2, hours(1), hours(1)),
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("got  %+v\nwant %+v", rep, want)
	}
	if a, found := rep.App("web"); !found || a.Deployments != 3 {
		t.Errorf("App(web) = %+v, %v", a, found)
	}
	if a, found := rep.App("old"); found || a.App != "old" || a.Deployments != 0 {
		t.Errorf("App(old) = %+v, %v; want zero measures, false", a, found)
	}
}

// TestReportJSON pins the JSON the API serves (testdata/report.json).
func TestReportJSON(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Compute(history(), from, to)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", buf.Bytes())
	empty, err := json.Marshal(Compute(nil, from, to))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(empty, []byte(`"apps":[]`)) {
		t.Errorf("an empty report must list apps as [], got %s", empty)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
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

func TestPercentile(t *testing.T) {
	s := []time.Duration{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0, 10}, {0.5, 55}, {0.9, 91}, {1, 100}} {
		if got := Percentile(s, c.p); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile([]time.Duration{7}, 0.9); got != 7 {
		t.Errorf("Percentile of one sample = %v, want 7", got)
	}
}

func TestHuman(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {1500 * time.Millisecond, "1s"}, {59 * time.Second, "59s"},
		{time.Minute, "1m"}, {12*time.Minute + 5*time.Second, "12m5s"},
		{time.Hour, "1h"}, {3*time.Hour + 4*time.Minute + 59*time.Second, "3h4m"},
		{24 * time.Hour, "1d"}, {51 * time.Hour, "2d3h"}, {40 * 24 * time.Hour, "40d"},
	} {
		if got := Human(c.d); got != c.want {
			t.Errorf("Human(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
