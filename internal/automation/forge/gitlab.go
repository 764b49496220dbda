package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// gitlabClient is the GitLab REST API (v4) for one project.
type gitlabClient struct {
	api     *api
	project string // GROUP/PROJECT
}

func gitlabAuth(h http.Header, tok string) { h.Set("PRIVATE-TOKEN", tok) }

// projectPath is /api/v4/projects/{url-encoded path}, without a server
// path prefix (https://host/gitlab) in the project path.
func (g *gitlabClient) projectPath() string {
	project := g.project
	if prefix := strings.Trim(g.api.base.Path, "/"); prefix != "" {
		project = strings.TrimPrefix(project, prefix+"/")
	}
	return "/api/v4/projects/" + url.PathEscape(project)
}

// gitlabMR is the part of a merge request plumb reads.
type gitlabMR struct {
	IID             int      `json:"iid"`
	Title           string   `json:"title"`
	SourceBranch    string   `json:"source_branch"`
	TargetBranch    string   `json:"target_branch"`
	SHA             string   `json:"sha"`
	Labels          []string `json:"labels"`
	SourceProjectID int      `json:"source_project_id"`
	TargetProjectID int      `json:"target_project_id"`
	WebURL          string   `json:"web_url"`
}

// PullRequests lists GET /projects/:id/merge_requests?state=opened,
// following X-Next-Page.
func (g *gitlabClient) PullRequests(ctx context.Context) ([]PullRequest, error) {
	var out []PullRequest
	next := "1"
	for pages := 0; next != ""; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("gitlab: more than %d pages of merge requests", maxPages)
		}
		if _, err := strconv.Atoi(next); err != nil {
			return nil, fmt.Errorf("gitlab: bad X-Next-Page %q", next)
		}
		var mrs []gitlabMR
		h, err := g.api.call(ctx, http.MethodGet, g.projectPath()+"/merge_requests?state=opened&per_page=100&page="+next, nil, &mrs, gitlabAuth)
		if err != nil {
			return nil, err
		}
		for _, m := range mrs {
			out = append(out, PullRequest{Number: m.IID, Title: m.Title, Branch: m.SourceBranch, SHA: m.SHA, Base: m.TargetBranch,
				Labels: m.Labels, SameRepo: m.SourceProjectID == m.TargetProjectID, URL: m.WebURL})
		}
		next = strings.TrimSpace(h.Get("X-Next-Page"))
	}
	return out, nil
}

// gitlabStates maps states to GitLab's.
var gitlabStates = map[State]string{StatePending: "pending", StateSuccess: "success", StateFailure: "failed", StateError: "failed"}

// gitlabStatus is the body of POST /projects/:id/statuses/:sha.
type gitlabStatus struct {
	State       string `json:"state"`
	Name        string `json:"name"`
	TargetURL   string `json:"target_url,omitempty"`
	Description string `json:"description"`
}

// SetStatus posts a commit status (description cut to GitLab's 255). Setting
// the state a status already has is not an error.
func (g *gitlabClient) SetStatus(ctx context.Context, sha string, st Status) error {
	body := gitlabStatus{State: gitlabStates[st.State], Name: st.Context, TargetURL: st.TargetURL, Description: cut(st.Description, 255)}
	_, err := g.api.call(ctx, http.MethodPost, g.projectPath()+"/statuses/"+url.PathEscape(sha), body, nil, gitlabAuth)
	if ae, ok := err.(*APIError); ok && ae.Status == http.StatusBadRequest && strings.Contains(ae.Body, "Cannot transition status") {
		return nil
	}
	return err
}

type gitlabNote struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

// Comment updates the merge request's note holding marker
// (PUT /projects/:id/merge_requests/:iid/notes/:note_id) or creates one
// (POST /projects/:id/merge_requests/:iid/notes).
func (g *gitlabClient) Comment(ctx context.Context, number int, marker, body string) error {
	notes := fmt.Sprintf("%s/merge_requests/%d/notes", g.projectPath(), number)
	next := "1"
	for pages := 0; next != "" && pages < maxPages; pages++ {
		var list []gitlabNote
		h, err := g.api.call(ctx, http.MethodGet, notes+"?per_page=100&page="+url.QueryEscape(next), nil, &list, gitlabAuth)
		if err != nil {
			return err
		}
		for _, n := range list {
			if strings.Contains(n.Body, marker) {
				_, err := g.api.call(ctx, http.MethodPut, fmt.Sprintf("%s/%d", notes, n.ID), map[string]string{"body": body}, nil, gitlabAuth)
				return err
			}
		}
		next = strings.TrimSpace(h.Get("X-Next-Page"))
	}
	_, err := g.api.call(ctx, http.MethodPost, notes, map[string]string{"body": body}, nil, gitlabAuth)
	return err
}
