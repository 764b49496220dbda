// Package forge talks to the GitHub and GitLab REST APIs for plumb's
// automation: it lists open pull (merge) requests, page by page, for the
// pull request generator, and sets commit statuses and upserts a pull
// request comment for pull request feedback. Tokens are read from files at
// each call, sent only in headers, never followed through redirects, and
// scrubbed from every error.
package forge

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"plumb.dev/plumb/internal/config"
)

// PullRequest is an open pull (merge) request.
type PullRequest struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	// Branch is the head (source) branch; SHA its commit.
	Branch string `json:"branch"`
	SHA    string `json:"sha"`
	// Base is the branch it merges into.
	Base   string   `json:"base"`
	Labels []string `json:"labels,omitempty"`
	// SameRepo says the head branch lives in the repository itself (not
	// a fork).
	SameRepo bool   `json:"sameRepo"`
	URL      string `json:"url,omitempty"`
}

// State is a commit status state.
type State string

// The commit status states, mapped to each forge's words.
const (
	StatePending State = "pending"
	StateSuccess State = "success"
	StateFailure State = "failure"
	StateError   State = "error"
)

// Status is a commit status.
type Status struct {
	State       State
	Context     string
	Description string
	TargetURL   string
}

// Client is a forge API for one repository.
type Client interface {
	// PullRequests lists every open pull request; a nil error means the
	// list is complete.
	PullRequests(ctx context.Context) ([]PullRequest, error)
	// SetStatus sets a commit status on sha.
	SetStatus(ctx context.Context, sha string, st Status) error
	// Comment creates, or updates in place, the comment of number that
	// holds marker (an HTML comment), with body.
	Comment(ctx context.Context, number int, marker, body string) error
}

// Kind names a forge.
type Kind string

// The forges.
const (
	GitHub Kind = "github"
	GitLab Kind = "gitlab"
)

// New returns the client of kind for the repository of a Git URL, with
// api's token file, base URL and repository override.
func New(kind Kind, api config.ForgeAPI, gitURL string, client HTTPDoer) (Client, error) {
	repo := api.Repository
	host, scheme := "", "https"
	if u, err := parseRepository(gitURL); err == nil {
		host, scheme = u.host, u.scheme
		if repo == "" {
			repo = u.path
		}
	}
	if repo == "" || !strings.Contains(repo, "/") {
		return nil, fmt.Errorf("%s: no OWNER/REPO: set repository, or use a source URL like https://HOST/OWNER/REPO", kind)
	}
	base, err := baseURL(kind, api.BaseURL, scheme, host)
	if err != nil {
		return nil, err
	}
	tok := tokenFile(api.TokenFile)
	switch kind {
	case GitHub:
		return &githubClient{api: newAPI(client, base, tok, "github"), repo: repo}, nil
	case GitLab:
		return &gitlabClient{api: newAPI(client, base, tok, "gitlab"), project: repo}, nil
	}
	return nil, fmt.Errorf("unknown forge %q", kind)
}

// baseURL is the API root: the given one, or GitHub's for github.com,
// https://HOST/api/v3 for GitHub Enterprise, https://HOST for GitLab.
func baseURL(kind Kind, raw, scheme, host string) (*url.URL, error) {
	if raw != "" {
		u, err := url.Parse(strings.TrimSuffix(raw, "/"))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s: base URL is not an http:// or https:// URL", kind)
		}
		return u, nil
	}
	if host == "" {
		return nil, fmt.Errorf("%s: no API host: set baseURL", kind)
	}
	switch {
	case kind == GitHub && (host == "github.com" || host == "www.github.com"):
		return &url.URL{Scheme: "https", Host: "api.github.com"}, nil
	case kind == GitHub:
		return &url.URL{Scheme: scheme, Host: host, Path: "/api/v3"}, nil
	}
	return &url.URL{Scheme: scheme, Host: host}, nil
}

// tokenFile reads an API token at each call.
type tokenFile string

func (f tokenFile) read() (string, error) {
	if f == "" {
		return "", errors.New("no token file set")
	}
	b, err := os.ReadFile(string(f))
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("token file is empty")
	}
	return tok, nil
}

// repository is a repository found in a Git URL.
type repository struct{ scheme, host, path string }

// parseRepository finds the host and OWNER/REPO path in a Git URL
// (https://, ssh://, git@host:path).
func parseRepository(gitURL string) (repository, error) {
	var r repository
	if !strings.Contains(gitURL, "://") {
		at := strings.Index(gitURL, "@")
		host, p, ok := strings.Cut(gitURL[at+1:], ":")
		if !ok || host == "" {
			return r, errors.New("not a repository URL")
		}
		r = repository{scheme: "https", host: host, path: p}
	} else {
		u, err := url.Parse(gitURL)
		if err != nil || u.Host == "" {
			return r, errors.New("not a repository URL")
		}
		r = repository{scheme: u.Scheme, host: u.Host, path: u.Path}
		if u.Scheme != "https" && u.Scheme != "http" {
			r.scheme, r.host = "https", u.Hostname()
		}
	}
	r.path = strings.TrimSuffix(strings.Trim(r.path, "/"), ".git")
	return r, nil
}
