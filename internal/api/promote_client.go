package api

import (
	"context"
	"net/http"

	"plumb.dev/plumb/internal/automation/promote"
)

// Promote writes a promotion of app (from) to Git.
func (c *Client) Promote(ctx context.Context, app string, req PromoteRequest) (promote.Result, error) {
	var out promote.Result
	return out, c.do(ctx, http.MethodPost, appPath(app, "/promote"), req, &out)
}
