package notify

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// HTTPError is an answer from a provider's server that is not a success.
type HTTPError struct {
	// Provider names the provider, like "slack".
	Provider string
	// Status is the HTTP status code.
	Status int
	// Body is the start of the answer's body, secrets removed.
	Body string
	// RetryAfter is how long the server asked to wait (Retry-After, or
	// a rate limit reset), 0 when it did not say.
	RetryAfter time.Duration
}

// Error says which provider answered what.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d %s", e.Provider, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Temporary reports whether trying again later may succeed: server
// errors, timeouts, rate limits (429, and 403 with a wait, as GitHub
// answers when its secondary rate limit is hit).
func (e *HTTPError) Temporary() bool {
	switch {
	case e.Status >= 500, e.Status == http.StatusTooManyRequests,
		e.Status == http.StatusRequestTimeout, e.Status == http.StatusTooEarly:
		return true
	case e.Status == http.StatusForbidden:
		return e.RetryAfter > 0
	}
	return false
}

// permanentError marks an error that trying again cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot fix (a missing secret
// file, a repository that cannot be found in a Git URL). Permanent(nil)
// is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// Retryable reports whether a failed Send may succeed when tried again:
// temporary HTTP errors and network errors, not permanent errors or
// other HTTP answers.
func Retryable(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary()
	}
	return err != nil
}

// retryAfter returns the wait a server asked for, or 0.
func retryAfter(err error) time.Duration {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.RetryAfter
	}
	return 0
}

// scrubbedError is an error whose text had secrets removed; it unwraps to
// the original so that it can still be classified.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
