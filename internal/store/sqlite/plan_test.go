package sqlite

import (
	"context"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/store"
)

// TestHistoryQueriesUseIndexes checks that per-app history queries do not
// scan whole tables.
func TestHistoryQueriesUseIndexes(t *testing.T) {
	d, _ := openTest(t)
	syncsOfApp, syncsOfAppArgs := listSyncsQuery("web", 10, 5)
	eventsOfApp, eventsOfAppArgs := listEventsQuery("web", 5, 10)
	cases := []struct {
		name, query, index string
		args               []any
	}{
		{name: "syncs of one app", index: "syncs_app_id", query: syncsOfApp, args: syncsOfAppArgs},
		{name: "find sync", index: "syncs_app_id", query: findSyncQuery,
			args: []any{"web", string(store.ResultSucceeded), 3, "abc"}},
		{name: "syncs since", index: "syncs_started_at", query: listAllSyncsQuery, args: []any{0}},
		{name: "running syncs", index: "syncs_running", query: markInterruptedQuery,
			args: []any{"interrupted", 0, "x", "running"}},
		{name: "events of one app", index: "events_app_id", query: eventsOfApp, args: eventsOfAppArgs},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, d, tc.query, tc.args...)
			if !strings.Contains(plan, "INDEX "+tc.index) {
				t.Errorf("plan does not use index %s:\n%s", tc.index, plan)
			}
		})
	}
}

func queryPlan(t *testing.T, d *DB, q string, args ...any) string {
	t.Helper()
	rows, err := d.w.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}
