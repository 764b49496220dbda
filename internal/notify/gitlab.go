package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// GitLab sets a commit status "plumb/<app>" on the revision of each
// message, in the GitLab project of the app's Git source.
type GitLab struct {
	token  secretFile
	base   *url.URL
	client *http.Client
}

var _ Provider = (*GitLab)(nil)

// gitlabStates maps event types to commit status states.
var gitlabStates = map[string]string{
	"sync.succeeded": "success", "sync.failed": "failed",
	"health.degraded": "failed", "health.recovered": "success",
	"drift.detected": "failed", "drift.corrected": "success",
	"app.rollback": "running",
}

// gitlabDescriptionMax is GitLab's limit on a status description.
const gitlabDescriptionMax = 255

// NewGitLab returns a GitLab provider reading its API token from
// tokenFile. baseURL is the GitLab server's URL, under which /api/v4
// lives; "" derives it from the source URL's host.
func NewGitLab(tokenFile, baseURL string, client *http.Client) (*GitLab, error) {
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return &GitLab{token: secretFile{path: tokenFile, what: "GitLab token"}, base: base, client: client}, nil
}

// gitlabStatus is the body of POST /api/v4/projects/{id}/statuses/{sha}.
type gitlabStatus struct {
	State       string `json:"state"`
	Name        string `json:"name"`
	TargetURL   string `json:"target_url,omitempty"`
	Description string `json:"description"`
}

// Send sets the commit status. A message without a revision, or of an
// event type with no state, has no status to set and is skipped.
func (g *GitLab) Send(ctx context.Context, msg Message) error {
	state, ok := gitlabStates[msg.Event]
	if !ok || msg.Revision == "" {
		return nil
	}
	repo, err := parseRepository(msg.SourceURL)
	if err != nil {
		return Permanent(fmt.Errorf("gitlab: app %s: %w", msg.App, err))
	}
	token, err := g.token.read()
	if err != nil {
		return err
	}
	body, err := encodeJSON(gitlabStatus{
		State: state, Name: "plumb/" + msg.App, TargetURL: msg.Link,
		Description: statusDescription(msg, gitlabDescriptionMax),
	})
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set("PRIVATE-TOKEN", token)
	return post(ctx, g.client, request{
		provider: "gitlab", url: g.statusURL(repo, msg.Revision), header: h, body: body,
		secrets: []string{token}, accept: sameState,
	})
}

// statusURL is /api/v4/projects/{url-encoded path}/statuses/{sha} on the
// server. A server path prefix (https://host/gitlab) is not part of the
// project path.
func (g *GitLab) statusURL(repo repository, sha string) *url.URL {
	base := g.base
	if base == nil {
		base = &url.URL{Scheme: repo.scheme, Host: repo.host}
	}
	project := repo.path
	if prefix := strings.Trim(base.Path, "/"); prefix != "" {
		project = strings.TrimPrefix(project, prefix+"/")
	}
	u := *base
	u.Path = base.Path + "/api/v4/projects/" + project + "/statuses/" + sha
	u.RawPath = base.EscapedPath() + "/api/v4/projects/" + url.PathEscape(project) + "/statuses/" + url.PathEscape(sha)
	return &u
}

// sameState accepts GitLab's answer to setting a status to the state it
// already has ("Cannot transition status via :run from :running"): the
// status is as wanted.
func sameState(status int, body string) bool {
	return status == http.StatusBadRequest && strings.Contains(body, "Cannot transition status")
}
