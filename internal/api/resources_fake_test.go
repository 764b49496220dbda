package api_test

import (
	"context"

	"plumb.dev/plumb"
)

// Resources completes fakeEngine for the resources route.
func (f *fakeEngine) Resources(_ context.Context, app string) ([]plumb.Resource, error) {
	return []plumb.Resource{{Object: app + "/file", Sync: plumb.SyncSynced, Health: plumb.HealthHealthy}}, nil
}
