package api

import (
	"context"
	"net/http"
	"net/url"

	"plumb.dev/plumb/internal/dora"
)

// DORA returns the DORA measures of the window ending now (a length like
// "30d"; "" for the daemon's default of 30 days), of app or, when app is
// "", of every app the caller may read.
func (c *Client) DORA(ctx context.Context, app, window string) (dora.Report, error) {
	q := url.Values{}
	if app != "" {
		q.Set("app", app)
	}
	if window != "" {
		q.Set("window", window)
	}
	p := "/api/v1/dora"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	var out dora.Report
	return out, c.do(ctx, http.MethodGet, p, nil, &out)
}
