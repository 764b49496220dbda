package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// writeHistory does what one engine worker does for n reconciles of app.
func writeHistory(ctx context.Context, d *DB, app string, n int) error {
	for i := range n {
		rec := &store.SyncRecord{App: app, Revision: fmt.Sprintf("rev-%d", i), Trigger: plumb.TriggerInterval}
		if err := d.StartSync(ctx, rec); err != nil {
			return err
		}
		rec.Result = store.ResultSucceeded
		if err := d.FinishSync(ctx, rec); err != nil {
			return err
		}
		s := fullStatus(app)
		s.Failures = i
		if err := d.PutStatus(ctx, s); err != nil {
			return err
		}
		if err := d.AddEvent(ctx, &store.Event{App: app, Type: "Synced", Message: rec.Revision}); err != nil {
			return err
		}
		if err := d.AddAudit(ctx, store.AuditEntry{Actor: app, Action: "sync"}); err != nil {
			return err
		}
	}
	return nil
}

// readHistory reads what the API reads, n times.
func readHistory(ctx context.Context, d *DB, n int) error {
	for range n {
		if _, err := d.ListStatus(ctx); err != nil {
			return err
		}
		if _, err := d.ListSyncs(ctx, "", 20, 0); err != nil {
			return err
		}
		if _, err := d.ListEvents(ctx, "", 0, 50); err != nil {
			return err
		}
	}
	return nil
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	const writers, perWriter, readers = 8, 25, 4
	ctx := context.Background()
	path := dbPath(t)
	// Two handles on one file stand for the daemon and a CLI process.
	dbs := []*DB{openAt(t, path, newClock()), openAt(t, path, newClock())}
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for w := range writers {
		wg.Go(func() { errs <- writeHistory(ctx, dbs[w%2], fmt.Sprintf("app-%d", w), perWriter) })
	}
	for r := range readers {
		wg.Go(func() { errs <- readHistory(ctx, dbs[r%2], 20) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkCounts(t, dbs[0], writers, perWriter)
}

func checkCounts(t *testing.T, d *DB, writers, perWriter int) {
	t.Helper()
	ctx := context.Background()
	statuses, err := d.ListStatus(ctx)
	if err != nil || len(statuses) != writers {
		t.Fatalf("ListStatus = %d, %v; want %d", len(statuses), err, writers)
	}
	for _, s := range statuses {
		if s.Failures != perWriter-1 {
			t.Errorf("status of %s holds write %d, want the last, %d", s.App, s.Failures, perWriter-1)
		}
	}
	syncs, err := d.ListSyncs(ctx, "", 0, 0)
	if err != nil || len(syncs) != writers*perWriter {
		t.Fatalf("ListSyncs = %d, %v; want %d", len(syncs), err, writers*perWriter)
	}
	for _, s := range syncs {
		if s.Result != store.ResultSucceeded {
			t.Errorf("sync %d is %s", s.ID, s.Result)
		}
	}
	events, err := d.ListEvents(ctx, "", 0, 0)
	if err != nil || len(events) != writers*perWriter {
		t.Errorf("ListEvents = %d, %v; want %d", len(events), err, writers*perWriter)
	}
	audit, err := d.ListAudit(ctx, 0)
	if err != nil || len(audit) != writers*perWriter {
		t.Errorf("ListAudit = %d, %v; want %d", len(audit), err, writers*perWriter)
	}
}
