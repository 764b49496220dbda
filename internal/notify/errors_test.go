package notify

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSecretFileErrors checks that unreadable, empty and malformed
// secret files fail for good, naming the file but never its content.
func TestSecretFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent")
	tests := []struct {
		name, file, want string
	}{
		{"missing", missing, "read Slack webhook URL file: open " + missing},
		{"empty", writeSecret(t, "  "), "Slack webhook URL file "},
		{"not a URL", writeSecret(t, "xoxb-S3CR3T-not-a-url"), "Slack webhook URL in "},
		{"not http", writeSecret(t, "ftp://hooks.example.com/S3CR3T"), "is not an http:// or https:// URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := NewSlack(tc.file, http.DefaultClient).Send(context.Background(), sampleMessage())
			if err == nil || Retryable(err) {
				t.Fatalf("Send = %v, want a permanent error", err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "S3CR3T") {
				t.Errorf("error %q: want it to contain %q and no secret", err, tc.want)
			}
		})
	}
}

// TestRetryable checks which failures are worth another try.
func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&HTTPError{Status: 500}, true},
		{&HTTPError{Status: 502}, true},
		{&HTTPError{Status: 429}, true},
		{&HTTPError{Status: 408}, true},
		{&HTTPError{Status: 403, RetryAfter: time.Minute}, true},
		{&HTTPError{Status: 403}, false},
		{&HTTPError{Status: 400}, false},
		{&HTTPError{Status: 401}, false},
		{&HTTPError{Status: 404}, false},
		{Permanent(&HTTPError{Status: 500}), false},
		{Permanent(errors.New("no file")), false},
		{errors.New("connection refused"), true},
		{nil, false},
	}
	for _, tc := range tests {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
}

// TestWaitOf checks the waits servers ask for.
func TestWaitOf(t *testing.T) {
	future := time.Now().Add(time.Hour)
	tests := []struct {
		name   string
		header map[string]string
		min    time.Duration
		max    time.Duration
	}{
		{"seconds", map[string]string{"Retry-After": "30"}, 30 * time.Second, 30 * time.Second},
		{"fraction", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond, 1500 * time.Millisecond},
		{"date", map[string]string{"Retry-After": future.UTC().Format(http.TimeFormat)}, 58 * time.Minute, time.Hour},
		{"github reset", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(future.Unix(), 10)}, 58 * time.Minute, time.Hour},
		{"remaining", map[string]string{"X-RateLimit-Remaining": "10", "X-RateLimit-Reset": "1"}, 0, 0},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, 0},
		{"none", nil, 0, 0},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		if got := waitOf(h); got < tc.min || got > tc.max {
			t.Errorf("%s: waitOf = %s, want between %s and %s", tc.name, got, tc.min, tc.max)
		}
	}
}

// TestNoSecretInProviderErrors makes each provider fail in ways that
// could leak its secret — an answer echoing it, a network error, a
// redirect — and checks that the error never holds it.
func TestNoSecretInProviderErrors(t *testing.T) {
	const (
		pathToken = "services/T01/B02/PaTh-S3CR3T-t0k3n"
		apiToken  = "ghp_Ap1-S3CR3T-t0k3n"
		hmacKey   = "HmAc-S3CR3T-k3y"
		query     = "token=QuErY-S3CR3T"
	)
	echo := newRecorder(t, answer{status: http.StatusForbidden, body: "invalid token", echo: true})
	closed := newRecorder(t)
	closed.Close()
	redirect := newRecorder(t, answer{status: http.StatusFound, header: map[string]string{"Location": echo.URL + "/elsewhere"}})
	client := http.DefaultClient
	tok := writeSecret(t, apiToken)
	mk := func(base string) []Provider {
		w, _ := NewWebhook(base+"/hook?"+query, writeSecret(t, hmacKey), client)
		g, _ := NewGitHub(tok, base, client)
		l, _ := NewGitLab(tok, base, client)
		url := writeSecret(t, base+"/"+pathToken)
		return []Provider{NewSlack(url, client), NewTeams(url, client), NewDiscord(url, client), w, g, l}
	}
	for _, base := range []string{echo.URL, closed.URL, redirect.URL} {
		for _, p := range mk(base) {
			err := p.Send(context.Background(), sampleMessage())
			if err == nil {
				t.Errorf("%T to %s: no error", p, base)
				continue
			}
			if strings.Contains(err.Error(), "S3CR3T") {
				t.Errorf("%T: error holds a secret: %v", p, err)
			}
		}
	}
	if n := echo.count(); n != 6 {
		t.Errorf("echo server got %d requests, want 6 (redirects must not be followed)", n)
	}
}
