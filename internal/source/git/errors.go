package git

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"plumb.dev/plumb"
)

// The kinds of fetch failure; a *FetchError matches one with errors.Is.
var (
	ErrAuth        = errors.New("authentication failed")
	ErrHostKey     = errors.New("host key verification failed")
	ErrUnreachable = errors.New("unreachable")
	ErrNotFound    = errors.New("repository not found")
	ErrFetch       = errors.New("fetch failed")
)

// FetchError is a failed fetch of a source. Detail is git's trimmed,
// credential-free explanation.
type FetchError struct {
	Source string
	URL    string // with any userinfo redacted
	Kind   error  // one of ErrAuth, ErrHostKey, ErrUnreachable, ErrNotFound, ErrFetch
	Detail string
	Err    error
}

func (e *FetchError) Error() string {
	msg := fmt.Sprintf("fetch %s (%s): %v", e.Source, e.URL, e.Kind)
	if e.Detail != "" && !restates(e.Detail, e.Kind.Error()) {
		msg += ": " + e.Detail
	}
	return msg
}

var quoted = regexp.MustCompile(`'[^']*'`)

// restates reports whether git's detail says no more than the kind, once
// quoted URLs are left out ("repository '<url>' not found").
func restates(detail, kind string) bool {
	d := strings.Join(strings.Fields(quoted.ReplaceAllString(strings.ToLower(detail), "")), " ")
	return strings.Contains(d, kind)
}

// Unwrap returns the kind and the underlying error.
func (e *FetchError) Unwrap() []error { return []error{e.Kind, e.Err} }

// RefNotFoundError says the configured ref does not exist in the mirror.
type RefNotFoundError struct {
	Source string
	Ref    string // e.g. `branch "main"`, `semver ">=1.0 <2"`
}

func (e *RefNotFoundError) Error() string {
	return fmt.Sprintf("source %s: %s not found", e.Source, e.Ref)
}

// RevisionNotFoundError says a revision is not a commit in the mirror.
type RevisionNotFoundError struct {
	Source string
	Rev    string
}

func (e *RevisionNotFoundError) Error() string {
	return fmt.Sprintf("source %s: revision %q not found", e.Source, e.Rev)
}

// PathNotFoundError says a path does not exist at a revision.
type PathNotFoundError struct {
	Source string
	Path   string
	Rev    string // short
}

func (e *PathNotFoundError) Error() string {
	return fmt.Sprintf("source %s: path %q not found at %s", e.Source, e.Path, plumb.Short(e.Rev))
}

// kindPatterns map lowercase git/curl/ssh messages to a kind; the first
// match wins.
var kindPatterns = []struct {
	kind     error
	patterns []string
}{
	{ErrHostKey, []string{"has changed and you have requested strict checking", "host key is known",
		"host key verification failed", "remote host identification has changed"}},
	{ErrAuth, []string{"authentication failed", "could not read username", "could not read password",
		"permission denied", "returned error: 401", "returned error: 403", "access denied",
		"invalid username or password", "invalid credentials"}},
	{ErrUnreachable, []string{"connection refused", "failed to connect", "couldn't connect",
		"could not resolve", "timed out", "network is unreachable", "no route to host",
		"connection reset", "connection closed", "empty reply from server", "ssl", "tls"}},
	{ErrNotFound, []string{"repository not found", "not found", "returned error: 404",
		"does not appear to be a git repository", "no such file or directory"}},
}

// classify turns a failed git fetch into a *FetchError, scrubbing secrets.
func (r *Repo) classify(err error, secrets []string) *FetchError {
	fe := &FetchError{Source: r.name, URL: redactURL(r.spec.URL), Kind: ErrFetch}
	var ge *gitError
	stderr := ""
	if errors.As(err, &ge) {
		stderr = scrub(ge.Stderr, secrets)
		fe.Err = &gitError{Sub: ge.Sub, Err: ge.Err, Stderr: stderr}
	} else {
		fe.Err = errors.New(scrub(err.Error(), secrets))
	}
	lines := strings.Split(stderr, "; ")
	for _, kp := range kindPatterns {
		if line, ok := findLine(lines, kp.patterns); ok {
			fe.Kind, fe.Detail = kp.kind, cleanLine(line)
			return fe
		}
	}
	fe.Detail = cleanLine(lastFatal(lines))
	if fe.Detail == "" && ge != nil {
		fe.Detail = ge.Err.Error()
	}
	return fe
}

// findLine returns the first line holding the first pattern that any line
// holds: patterns are in order of preference.
func findLine(lines, patterns []string) (string, bool) {
	for _, p := range patterns {
		for _, l := range lines {
			if strings.Contains(strings.ToLower(l), p) {
				return l, true
			}
		}
	}
	return "", false
}

func lastFatal(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "fatal:") || strings.HasPrefix(lines[i], "error:") {
			return lines[i]
		}
	}
	if len(lines) > 0 {
		return lines[len(lines)-1]
	}
	return ""
}

var unableToAccess = regexp.MustCompile(`^unable to access '[^']*': `)

// noCredentials is git's answer when the server asks for credentials that
// the source does not have.
const noCredentials = "terminal prompts disabled"

// cleanLine drops git's "fatal: unable to access '<url>': " preamble.
func cleanLine(l string) string {
	if strings.Contains(l, noCredentials) {
		return "the server requires credentials and the source has none (set auth.username and auth.passwordFile)"
	}
	l = strings.TrimPrefix(strings.TrimPrefix(l, "fatal: "), "error: ")
	return strings.TrimSuffix(unableToAccess.ReplaceAllString(l, ""), ".")
}

var (
	userinfo   = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s']+@`)
	authHeader = regexp.MustCompile(`(?i)(authorization:\s*\w+\s+)\S+`)
)

// scrub removes every secret, URL userinfo and Authorization header value.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	s = userinfo.ReplaceAllString(s, "${1}***@")
	return authHeader.ReplaceAllString(s, "${1}***")
}
