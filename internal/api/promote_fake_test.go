package api_test

import (
	"context"

	"plumb.dev/plumb/internal/automation/promote"
)

// Promote completes fakeEngine for the promote route.
func (f *fakeEngine) Promote(_ context.Context, req promote.Request) (promote.Result, error) {
	f.record("Promote " + req.From + " to " + req.To + " by " + req.Actor)
	return promote.Result{From: req.From, To: req.To, Mode: promote.ModeImages}, nil
}
