package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// DefaultServer is where the daemon listens and the CLI looks by default.
const DefaultServer = "http://127.0.0.1:7070"

// Client talks to a plumb daemon's API.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// NewClient returns a client for server: an http(s):// URL, a host:port,
// or unix:///path/to/socket.
func NewClient(server, token string) (*Client, error) { return NewClientCA(server, token, "") }

// NewClientCA is NewClient trusting the CA certificates in caFile (PEM)
// for an https server, e.g. a self-signed daemon certificate.
func NewClientCA(server, token, caFile string) (*Client, error) {
	if server == "" {
		server = DefaultServer
	}
	c := &Client{token: token, http: &http.Client{}}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("CA certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA certificate %s: no PEM certificate in it", caFile)
		}
		c.http.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	switch {
	case strings.HasPrefix(server, "unix://"):
		sock := strings.TrimPrefix(server, "unix://")
		c.base = "http://unix"
		c.http.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}
	case strings.Contains(server, "://"):
		c.base = strings.TrimRight(server, "/")
	default:
		c.base = "http://" + strings.TrimRight(server, "/")
	}
	if _, err := url.Parse(c.base); err != nil {
		return nil, fmt.Errorf("server address %q: %w", server, err)
	}
	return c, nil
}

// APIError is an error answer from the daemon.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return e.Message }

// IsNotFound reports whether err is a 404 from the daemon.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out)
}

// send performs req with the client's token and decodes a JSON answer into
// out (nil to ignore it).
func (c *Client) send(req *http.Request, out any) error {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	method, path := req.Method, req.URL.Path
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the plumb daemon at %s (is `plumb serve` running? set --server or PLUMB_SERVER): %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e Error
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

func appPath(app, suffix string) string { return "/api/v1/apps/" + url.PathEscape(app) + suffix }

// Apps lists apps; query holds filters (sync, health, target, q, limit, offset).
func (c *Client) Apps(ctx context.Context, query url.Values) (AppList, error) {
	var out AppList
	p := "/api/v1/apps"
	if len(query) > 0 {
		p += "?" + query.Encode()
	}
	return out, c.do(ctx, http.MethodGet, p, nil, &out)
}

// App returns one app.
func (c *Client) App(ctx context.Context, app string) (App, error) {
	var out App
	return out, c.do(ctx, http.MethodGet, appPath(app, ""), nil, &out)
}

// History returns the newest syncs of app.
func (c *Client) History(ctx context.Context, app string, limit int) ([]store.SyncRecord, error) {
	var out []store.SyncRecord
	return out, c.do(ctx, http.MethodGet, appPath(app, fmt.Sprintf("/history?limit=%d", limit)), nil, &out)
}

// Events returns the events of app ("" for all) after the given ID.
func (c *Client) Events(ctx context.Context, app string, after int64, limit int) ([]store.Event, error) {
	var out []store.Event
	p := fmt.Sprintf("/api/v1/events?after=%d&limit=%d&app=%s", after, limit, url.QueryEscape(app))
	return out, c.do(ctx, http.MethodGet, p, nil, &out)
}

// Diff returns what a sync of app would do now.
func (c *Client) Diff(ctx context.Context, app string) (Diff, error) {
	var out Diff
	return out, c.do(ctx, http.MethodGet, appPath(app, "/diff"), nil, &out)
}

// Resources lists the objects app owns with sync state and health.
func (c *Client) Resources(ctx context.Context, app string) ([]plumb.Resource, error) {
	var out []plumb.Resource
	return out, c.do(ctx, http.MethodGet, appPath(app, "/resources"), nil, &out)
}

// Render returns what app would apply.
func (c *Client) Render(ctx context.Context, app string) (Rendered, error) {
	var out Rendered
	return out, c.do(ctx, http.MethodGet, appPath(app, "/render"), nil, &out)
}

// Sync fetches and syncs app, returning when it has finished.
func (c *Client) Sync(ctx context.Context, app string) (SyncAnswer, error) {
	var out SyncAnswer
	return out, c.do(ctx, http.MethodPost, appPath(app, "/sync"), struct{}{}, &out)
}

// Rollback applies app at revision and pins it there.
func (c *Client) Rollback(ctx context.Context, app, revision string) (SyncAnswer, error) {
	var out SyncAnswer
	return out, c.do(ctx, http.MethodPost, appPath(app, "/rollback"), RollbackRequest{Revision: revision}, &out)
}

// Suspend stops automatic reconciles of app.
func (c *Client) Suspend(ctx context.Context, app string) (store.AppStatus, error) {
	var out store.AppStatus
	return out, c.do(ctx, http.MethodPost, appPath(app, "/suspend"), struct{}{}, &out)
}

// Resume lifts a suspension or rollback pin of app.
func (c *Client) Resume(ctx context.Context, app string) (store.AppStatus, error) {
	var out store.AppStatus
	return out, c.do(ctx, http.MethodPost, appPath(app, "/resume"), struct{}{}, &out)
}

// Version returns the daemon's version.
func (c *Client) Version(ctx context.Context) (string, error) {
	var out map[string]string
	err := c.do(ctx, http.MethodGet, "/api/v1/version", nil, &out)
	return out["version"], err
}

// DiffLocal sends a tar.gz of the repository checkout in dir and returns
// what a sync of app from it would change.
func (c *Client) DiffLocal(ctx context.Context, app, dir string) (Diff, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(TarDir(dir, pw)) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+appPath(app, "/diff"), pr)
	if err != nil {
		return Diff{}, err
	}
	req.Header.Set("Content-Type", "application/gzip")
	var out Diff
	return out, c.send(req, &out)
}
