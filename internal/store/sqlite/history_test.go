package sqlite

import (
	"context"
	"testing"
	"time"

	"plumb.dev/plumb/internal/store"
)

func TestAuditRoundTripAndOrder(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	entries := []store.AuditEntry{
		{Time: t0.Add(-time.Hour), Actor: "ada", Action: "sync", App: "web", Detail: "manual sync", Result: "ok"},
		{Actor: "bob", Action: "suspend", App: "api", Detail: "maintenance", Result: "ok"},
		{Actor: "ci", Action: "login", Result: "denied"},
	}
	for _, e := range entries {
		if err := d.AddAudit(ctx, e); err != nil {
			t.Fatalf("AddAudit: %v", err)
		}
	}
	got, err := d.ListAudit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("ListAudit = %d entries, want 3", len(got))
	}
	want := entries[0]
	want.ID = got[2].ID
	mustEqual(t, "oldest entry", got[2], want)
	mustEqual(t, "actors newest first", []string{got[0].Actor, got[1].Actor, got[2].Actor}, []string{"ci", "bob", "ada"})
	if !got[0].Time.Equal(c.Now()) {
		t.Errorf("zero Time became %v, want the clock's %v", got[0].Time, c.Now())
	}
	top, err := d.ListAudit(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "limit 2", ids(top, auditID), ids(got[:2], auditID))
}

func TestEventRoundTripAndFollow(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	var added []store.Event
	for i, app := range []string{"web", "api", "web", "", "web"} {
		e := store.Event{App: app, Type: "SyncSucceeded", Message: "synced", Revision: "abc"}
		if i%2 == 0 {
			e.Detail = map[string]string{"actions": "3", "trigger": "revision"}
		}
		if i == 0 {
			e.Time = t0.Add(-time.Hour)
		}
		if err := d.AddEvent(ctx, &e); err != nil {
			t.Fatalf("AddEvent: %v", err)
		}
		if e.ID == 0 || e.Time.IsZero() {
			t.Fatalf("AddEvent left ID %d, Time %v", e.ID, e.Time)
		}
		added = append(added, e)
	}
	if !added[1].Time.Equal(c.Now()) {
		t.Errorf("zero Time became %v, want the clock's %v", added[1].Time, c.Now())
	}
	all, err := d.ListEvents(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "every event, oldest first", all, added)
	web, err := d.ListEvents(ctx, "web", added[0].ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "web after the first, limit 1", web, added[2:3])
	rest, err := d.ListEvents(ctx, "", added[4].ID, 10)
	if err != nil || len(rest) != 0 {
		t.Errorf("ListEvents after the last = %v, %v; want none", rest, err)
	}
}
