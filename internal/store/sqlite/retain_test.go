package sqlite

import (
	"context"
	"testing"
	"time"

	"plumb.dev/plumb/internal/store"
)

// history is a set of syncs, one per day, each app's list oldest first.
type history map[string][]store.SyncResult

// seed adds h's syncs, one day apart ending at t0 (apps interleaved), and
// returns each app's sync IDs oldest first.
func seed(t *testing.T, d *DB, c *clock, h history, apps []string) map[string][]int64 {
	t.Helper()
	got := map[string][]int64{}
	days := 0
	for _, app := range apps {
		days = max(days, len(h[app]))
	}
	for day := range days {
		c.Set(t0.Add(time.Duration(day-days+1) * 24 * time.Hour))
		for _, app := range apps {
			if day < len(h[app]) {
				got[app] = append(got[app], addSync(t, d, app, "rev", h[app][day]).ID)
			}
		}
	}
	c.Set(t0)
	return got
}

func TestRetainSyncs(t *testing.T) {
	const (
		ok      = store.ResultSucceeded
		failed  = store.ResultFailed
		running = store.ResultRunning
	)
	cases := []struct {
		name   string
		h      history
		keep   int
		maxAge time.Duration
		later  time.Duration // advance the clock by this before Retain
		// want is the index (oldest first) of each app's syncs left.
		want map[string][]int
	}{
		{name: "no limits keeps everything", h: history{"web": {ok, ok, ok}},
			want: map[string][]int{"web": {0, 1, 2}}},
		{name: "count per app", keep: 2, h: history{"web": {ok, ok, ok, ok}, "api": {ok, ok}, "db": {ok}},
			want: map[string][]int{"web": {2, 3}, "api": {0, 1}, "db": {0}}},
		{name: "count keeps the newest succeeded", keep: 2, h: history{"web": {ok, ok, failed, failed, failed}},
			want: map[string][]int{"web": {1, 3, 4}}},
		{name: "count keeps running syncs", keep: 1, h: history{"web": {running, ok, ok}},
			want: map[string][]int{"web": {0, 2}}},
		{name: "age", maxAge: 36 * time.Hour, h: history{"web": {ok, ok, ok, ok}, "api": {failed, ok, failed, failed}},
			want: map[string][]int{"web": {2, 3}, "api": {1, 2, 3}}},
		{name: "age keeps the newest succeeded", maxAge: time.Hour, h: history{"web": {ok, failed, failed}},
			want: map[string][]int{"web": {0, 2}}},
		{name: "age keeps an idle app's newest syncs", maxAge: time.Hour, later: 240 * time.Hour,
			h:    history{"web": {ok, ok, failed}, "api": {failed, failed}},
			want: map[string][]int{"web": {1, 2}, "api": {1}}},
		{name: "count and age", keep: 3, maxAge: 48*time.Hour + time.Hour, h: history{"web": {ok, ok, ok, ok, ok}},
			want: map[string][]int{"web": {2, 3, 4}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d, c := openTest(t)
			apps := []string{"web", "api", "db"}
			seeded := seed(t, d, c, tc.h, apps)
			wantDeleted := 0
			for _, app := range apps {
				wantDeleted += len(seeded[app]) - len(tc.want[app])
			}
			c.Set(t0.Add(tc.later))
			n, err := d.Retain(ctx, tc.keep, tc.maxAge)
			if err != nil || n != wantDeleted {
				t.Fatalf("Retain = %d, %v; want %d deleted", n, err, wantDeleted)
			}
			for _, app := range apps {
				left, err := d.ListSyncs(ctx, app, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				want := []int64{}
				for i := len(tc.want[app]) - 1; i >= 0; i-- {
					want = append(want, seeded[app][tc.want[app][i]])
				}
				mustEqual(t, app+" syncs left", ids(left, syncID), want)
			}
		})
	}
}

func TestRetainEventsAndAudit(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	var webIDs []int64
	for i := range 2*EventsPerSync + 5 {
		c.Set(t0.Add(time.Duration(i) * time.Minute))
		e := store.Event{App: "web", Type: "Synced", Message: "synced"}
		if err := d.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
		webIDs = append(webIDs, e.ID)
	}
	c.Set(t0.Add(-72 * time.Hour))
	old := store.Event{App: "api", Type: "Synced", Message: "long ago"}
	if err := d.AddEvent(ctx, &old); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{t0.Add(-72 * time.Hour), t0} {
		if err := d.AddAudit(ctx, store.AuditEntry{Time: at, Actor: "ada", Action: "sync"}); err != nil {
			t.Fatal(err)
		}
	}
	c.Set(t0.Add(time.Hour))
	n, err := d.Retain(ctx, 2, 24*time.Hour)
	// 5 web events over the cap of 2*EventsPerSync, the old api event, the old audit entry.
	if err != nil || n != 7 {
		t.Fatalf("Retain = %d, %v; want 7 deleted", n, err)
	}
	left, err := d.ListEvents(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "events left", ids(left, eventID), webIDs[5:])
	audit, err := d.ListAudit(ctx, 0)
	if err != nil || len(audit) != 1 || !audit[0].Time.Equal(t0) {
		t.Errorf("audit left = %+v, %v; want the recent entry", audit, err)
	}
}
