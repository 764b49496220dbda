package api_test

import (
	"context"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/engine"
)

// Resources completes fakeEngine for the resources route.
func (f *fakeEngine) Resources(_ context.Context, app string) ([]plumb.Resource, error) {
	return []plumb.Resource{{Object: app + "/file", Sync: plumb.SyncSynced, Health: plumb.HealthHealthy}}, nil
}

// DiffLocal completes fakeEngine for the local diff route.
func (f *fakeEngine) DiffLocal(_ context.Context, app string, _ engine.Source) (plumb.Plan, error) {
	return plumb.Plan{App: plumb.AppRef{Name: app}}, nil
}
