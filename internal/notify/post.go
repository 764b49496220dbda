package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// userAgent is sent with every request.
const userAgent = "plumb-notify/1"

// request is one HTTP request a provider makes.
type request struct {
	provider string
	url      *url.URL
	header   http.Header
	body     []byte
	// secrets are removed from every error the request returns.
	secrets []string
	// accept, when set, may declare a non-2xx answer a success (GitLab
	// answers 400 when a status is set to the state it already has).
	accept func(status int, body string) bool
}

// post sends r as a POST and reads the answer. Errors never hold the URL
// (only its origin) nor any of r.secrets.
func post(ctx context.Context, client *http.Client, r request) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url.String(), bytes.NewReader(r.body))
	if err != nil {
		return Permanent(fmt.Errorf("%s: build request for %s", r.provider, origin(r.url)))
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", userAgent)
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := noRedirects(client).Do(req)
	if err != nil {
		return sendError(r, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	body := oneLine(scrub(string(snippet), r.secrets...), 300)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case r.accept != nil && r.accept(resp.StatusCode, string(snippet)):
		return nil
	}
	he := &HTTPError{Provider: r.provider, Status: resp.StatusCode, Body: body, RetryAfter: waitOf(resp.Header)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		he.Body = "redirects are not followed"
		return Permanent(he)
	}
	return he
}

// noRedirects returns a copy of client that does not follow redirects:
// a redirect would carry the token headers to wherever it points.
func noRedirects(client *http.Client) *http.Client {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// sendError describes a failed round trip without the URL's path, query
// or any secret.
func sendError(r request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s %s: %w", ue.Op, origin(r.url), ue.Err)
	}
	msg := scrub(fmt.Sprintf("%s: %v", r.provider, err), r.secrets...)
	return &scrubbedError{msg: msg, err: err}
}

// waitOf reads how long a server asked to wait: Retry-After in seconds
// or as an HTTP date, or the reset time of an exhausted rate limit
// (X-RateLimit-Remaining: 0 with X-RateLimit-Reset in Unix seconds, as
// GitHub sends). It returns 0 when the server did not say.
func waitOf(h http.Header) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(time.Until(t), 0)
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(reset, 0)), time.Second)
		}
	}
	return 0
}

// encodeJSON encodes v without escaping <, > and &, which chat services
// read as they are.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, Permanent(fmt.Errorf("encode message: %w", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// oneLine folds s onto one line of at most max runes.
func oneLine(s string, max int) string {
	return truncate(strings.Join(strings.Fields(s), " "), max)
}
