package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

func TestSyncRoundTrip(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	rec := &store.SyncRecord{App: "web", Trigger: plumb.TriggerManual, Reason: "sync requested", Actor: "ada",
		Result: store.ResultFailed}
	if err := d.StartSync(ctx, rec); err != nil {
		t.Fatalf("StartSync: %v", err)
	}
	if rec.ID == 0 || rec.Result != store.ResultRunning || !rec.StartedAt.Equal(c.Now()) {
		t.Fatalf("StartSync left ID %d, Result %q, StartedAt %v", rec.ID, rec.Result, rec.StartedAt)
	}
	got, err := d.GetSync(ctx, rec.ID)
	if err != nil {
		t.Fatalf("GetSync: %v", err)
	}
	mustEqual(t, "running sync", got, *rec)

	done := fullSync("web", "abc123", store.ResultSucceeded)
	done.ID, done.StartedAt, done.FinishedAt = rec.ID, rec.StartedAt, time.Time{}
	c.Set(t0.Add(3 * time.Second))
	if err := d.FinishSync(ctx, &done); err != nil {
		t.Fatalf("FinishSync: %v", err)
	}
	if !done.FinishedAt.Equal(c.Now()) {
		t.Errorf("FinishedAt = %v, want the clock's %v", done.FinishedAt, c.Now())
	}
	got, err = d.GetSync(ctx, rec.ID)
	if err != nil {
		t.Fatalf("GetSync: %v", err)
	}
	mustEqual(t, "finished sync", got, done)
	if got.Duration() != 3*time.Second {
		t.Errorf("Duration = %v, want 3s", got.Duration())
	}
}

func TestSyncErrors(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	running := addSync(t, d, "web", "abc", store.ResultRunning)
	cases := []struct {
		name     string
		run      func() error
		notFound bool
	}{
		{name: "start without app", run: func() error { return d.StartSync(ctx, &store.SyncRecord{}) }},
		{name: "finish unknown id", notFound: true, run: func() error {
			return d.FinishSync(ctx, &store.SyncRecord{ID: 999, App: "web", Result: store.ResultSucceeded})
		}},
		{name: "finish still running", run: func() error {
			r := running
			return d.FinishSync(ctx, &r)
		}},
		{name: "finish without result", run: func() error {
			r := running
			r.Result = ""
			return d.FinishSync(ctx, &r)
		}},
		{name: "get unknown id", notFound: true, run: func() error { _, err := d.GetSync(ctx, 999); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if errors.Is(err, store.ErrNotFound) != tc.notFound {
				t.Errorf("error %v: errors.Is(ErrNotFound) = %v, want %v", err, !tc.notFound, tc.notFound)
			}
		})
	}
}

func TestListSyncsPagination(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	byApp := map[string][]int64{}
	var all []int64
	for i := range 5 {
		for _, app := range []string{"web", "api", "db"} {
			r := addSync(t, d, app, strings.Repeat(string(rune('a'+i)), 40), store.ResultSucceeded)
			byApp[app] = append([]int64{r.ID}, byApp[app]...)
			all = append([]int64{r.ID}, all...)
		}
	}
	var paged []int64
	before := int64(0)
	for {
		page, err := d.ListSyncs(ctx, "web", 2, before)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, limit 2", len(page))
		}
		paged = append(paged, ids(page, syncID)...)
		before = page[len(page)-1].ID
	}
	mustEqual(t, "web pages, newest first", paged, byApp["web"])

	everything, err := d.ListSyncs(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "every app, newest first", ids(everything, syncID), all)
	none, err := d.ListSyncs(ctx, "nope", 10, 0)
	if err != nil || len(none) != 0 {
		t.Errorf("ListSyncs(nope) = %v, %v; want none", none, err)
	}
}

func TestListAllSyncsSince(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	var want []int64
	for i := range 6 {
		c.Set(t0.Add(time.Duration(i) * time.Hour))
		r := addSync(t, d, []string{"web", "api"}[i%2], "rev", store.ResultSucceeded)
		if i >= 2 {
			want = append(want, r.ID)
		}
	}
	got, err := d.ListAllSyncs(ctx, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "syncs since 2h, oldest first", ids(got, syncID), want)
	got, err = d.ListAllSyncs(ctx, time.Time{})
	if err != nil || len(got) != 6 {
		t.Errorf("ListAllSyncs(zero) = %d syncs, %v; want 6", len(got), err)
	}
}

func TestFindSync(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	old := addSync(t, d, "web", "aaaa1111", store.ResultSucceeded)
	addSync(t, d, "web", "bbbb2222", store.ResultFailed)
	newer := addSync(t, d, "web", "aaaa3333", store.ResultSucceeded)
	addSync(t, d, "api", "cccc4444", store.ResultSucceeded)
	addSync(t, d, "web", "dddd5555", store.ResultRunning)
	cases := []struct {
		prefix string
		want   int64 // 0: not found
	}{
		{prefix: "aaaa1111", want: old.ID},
		{prefix: "aaaa", want: newer.ID},
		{prefix: "aaaa1", want: old.ID},
		{prefix: "", want: newer.ID},
		{prefix: "bbbb", want: 0},      // failed only
		{prefix: "cccc", want: 0},      // another app
		{prefix: "dddd", want: 0},      // still running
		{prefix: "a%", want: 0},        // no LIKE wildcards
		{prefix: "aaaa1111x", want: 0}, // longer than the revision
	}
	for _, tc := range cases {
		t.Run(tc.prefix, func(t *testing.T) {
			got, err := d.FindSync(ctx, "web", tc.prefix)
			if tc.want == 0 {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("FindSync = %d, %v; want ErrNotFound", got.ID, err)
				}
				return
			}
			if err != nil || got.ID != tc.want {
				t.Fatalf("FindSync = %d, %v; want %d", got.ID, err, tc.want)
			}
		})
	}
}

func TestAppliedRevisions(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	addSync(t, d, "web", "A", store.ResultSucceeded)
	b := addSync(t, d, "web", "B", store.ResultSucceeded)
	addSync(t, d, "web", "C", store.ResultFailed)
	addSync(t, d, "web", "B", store.ResultNoop)
	a2 := addSync(t, d, "web", "A", store.ResultSucceeded) // rolled back to A
	addSync(t, d, "api", "Z", store.ResultSucceeded)
	got, err := d.AppliedRevisions(ctx, "web", 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "applied revisions", ids(got, syncID), []int64{a2.ID, b.ID})
	got, err = d.AppliedRevisions(ctx, "web", 1)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "limit 1", ids(got, syncID), []int64{a2.ID})
}

func TestMarkInterrupted(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	r1 := addSync(t, d, "web", "a", store.ResultRunning)
	done := addSync(t, d, "web", "b", store.ResultSucceeded)
	r2 := addSync(t, d, "api", "c", store.ResultRunning)
	c.Set(t0.Add(time.Minute))
	n, err := d.MarkInterrupted(ctx)
	if err != nil || n != 2 {
		t.Fatalf("MarkInterrupted = %d, %v; want 2", n, err)
	}
	for _, id := range []int64{r1.ID, r2.ID} {
		got, err := d.GetSync(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Result != store.ResultInterrupted || got.Error != interruptedError || !got.FinishedAt.Equal(c.Now()) {
			t.Errorf("sync %d after MarkInterrupted: result %q, error %q, finished %v", id, got.Result, got.Error, got.FinishedAt)
		}
	}
	got, err := d.GetSync(ctx, done.ID)
	if err != nil || got.Result != store.ResultSucceeded {
		t.Errorf("finished sync became %q (%v)", got.Result, err)
	}
	if n, err := d.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Errorf("second MarkInterrupted = %d, %v; want 0", n, err)
	}
}
