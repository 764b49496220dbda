package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// GitHub sets a commit status "plumb/<app>" on the revision of each
// message, in the GitHub repository of the app's Git source.
type GitHub struct {
	token  secretFile
	base   *url.URL
	client *http.Client
}

var _ Provider = (*GitHub)(nil)

// githubStates maps event types to commit status states.
var githubStates = map[string]string{
	"sync.succeeded": "success", "sync.failed": "failure",
	"health.degraded": "failure", "health.recovered": "success",
	"drift.detected": "error", "drift.corrected": "success",
	"app.rollback": "pending",
}

// githubDescriptionMax is GitHub's limit on a status description.
const githubDescriptionMax = 140

// NewGitHub returns a GitHub provider reading its API token from
// tokenFile. baseURL is the REST API root; "" derives it from the source
// URL's host (https://api.github.com for github.com, https://HOST/api/v3
// for GitHub Enterprise Server).
func NewGitHub(tokenFile, baseURL string, client *http.Client) (*GitHub, error) {
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	return &GitHub{token: secretFile{path: tokenFile, what: "GitHub token"}, base: base, client: client}, nil
}

// githubStatus is the body of POST /repos/{owner}/{repo}/statuses/{sha}.
type githubStatus struct {
	State       string `json:"state"`
	TargetURL   string `json:"target_url,omitempty"`
	Description string `json:"description"`
	Context     string `json:"context"`
}

// Send sets the commit status. A message without a revision, or of an
// event type with no state, has no status to set and is skipped.
func (g *GitHub) Send(ctx context.Context, msg Message) error {
	state, ok := githubStates[msg.Event]
	if !ok || msg.Revision == "" {
		return nil
	}
	repo, err := parseRepository(msg.SourceURL)
	if err != nil {
		return Permanent(fmt.Errorf("github: app %s: %w", msg.App, err))
	}
	owner, name, _ := strings.Cut(repo.path, "/")
	if strings.Contains(name, "/") {
		return Permanent(fmt.Errorf("github: app %s: the Git source URL's path has more than OWNER/REPO", msg.App))
	}
	token, err := g.token.read()
	if err != nil {
		return err
	}
	body, err := encodeJSON(githubStatus{
		State: state, TargetURL: msg.Link, Context: "plumb/" + msg.App,
		Description: statusDescription(msg, githubDescriptionMax),
	})
	if err != nil {
		return err
	}
	u := g.api(repo).JoinPath("repos", owner, name, "statuses", msg.Revision)
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", "2022-11-28")
	return post(ctx, g.client, request{provider: "github", url: u, header: h, body: body, secrets: []string{token}})
}

// api returns the REST API root for repo.
func (g *GitHub) api(repo repository) *url.URL {
	switch {
	case g.base != nil:
		return g.base
	case repo.host == "github.com" || repo.host == "www.github.com":
		return &url.URL{Scheme: "https", Host: "api.github.com"}
	default:
		return &url.URL{Scheme: repo.scheme, Host: repo.host, Path: "/api/v3"}
	}
}

// parseBase parses an optional API base URL, never echoing it.
func parseBase(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("base URL is not an http:// or https:// URL")
	}
	return u, nil
}

// statusDescription says what happened in at most max characters, like
// "sync failed: apply web at 1a2b3c4: ...".
func statusDescription(msg Message, max int) string {
	d := msg.What()
	if text := oneLine(msg.Text, max); text != "" {
		d += ": " + text
	}
	return truncate(d, max)
}
