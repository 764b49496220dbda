package sqlite

import (
	"context"
	"errors"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

func TestStatusRoundTrip(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	cases := []struct {
		name string
		in   store.AppStatus
		want store.AppStatus
	}{
		{name: "every field", in: fullStatus("web"), want: fullStatus("web")},
		{name: "zero fields get UpdatedAt", in: store.AppStatus{App: "bare"},
			want: store.AppStatus{App: "bare", UpdatedAt: c.Now()}},
		{name: "empty drift stays empty", in: store.AppStatus{App: "empty", Drift: []plumb.Drift{}, UpdatedAt: t0},
			want: store.AppStatus{App: "empty", Drift: []plumb.Drift{}, UpdatedAt: t0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.PutStatus(ctx, tc.in); err != nil {
				t.Fatalf("PutStatus: %v", err)
			}
			got, err := d.GetStatus(ctx, tc.in.App)
			if err != nil {
				t.Fatalf("GetStatus: %v", err)
			}
			mustEqual(t, "status", got, tc.want)
		})
	}
}

func TestPutStatusReplaces(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	if err := d.PutStatus(ctx, fullStatus("web")); err != nil {
		t.Fatal(err)
	}
	next := store.AppStatus{App: "web", Sync: plumb.SyncSynced, Health: plumb.HealthHealthy, UpdatedAt: t0}
	if err := d.PutStatus(ctx, next); err != nil {
		t.Fatal(err)
	}
	got, err := d.GetStatus(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "replaced status", got, next)
}

func TestGetStatusNotFound(t *testing.T) {
	d, _ := openTest(t)
	_, err := d.GetStatus(context.Background(), "nope")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetStatus(nope) = %v, want ErrNotFound", err)
	}
}

func TestPutStatusRejectsEmptyApp(t *testing.T) {
	d, _ := openTest(t)
	if err := d.PutStatus(context.Background(), store.AppStatus{}); err == nil {
		t.Fatal("PutStatus with no app name succeeded")
	}
}

func TestListAndDeleteStatus(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	for _, app := range []string{"web", "api", "zeta", "db"} {
		if err := d.PutStatus(ctx, fullStatus(app)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.DeleteStatus(ctx, "db"); err != nil {
		t.Fatalf("DeleteStatus(db): %v", err)
	}
	if err := d.DeleteStatus(ctx, "never-existed"); err != nil {
		t.Fatalf("DeleteStatus of an absent app: %v", err)
	}
	list, err := d.ListStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.App)
	}
	mustEqual(t, "apps", names, []string{"api", "web", "zeta"})
	mustEqual(t, "list entry", list[1], fullStatus("web"))
}

func TestListStatusEmpty(t *testing.T) {
	d, _ := openTest(t)
	list, err := d.ListStatus(context.Background())
	if err != nil || len(list) != 0 {
		t.Fatalf("ListStatus on an empty store = %v, %v; want none", list, err)
	}
}
