package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// githubClient is the GitHub REST API for one repository.
type githubClient struct {
	api  *api
	repo string // OWNER/REPO
}

func githubAuth(h http.Header, tok string) {
	h.Set("Authorization", "Bearer "+tok)
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", "2022-11-28")
}

// githubPull is the part of a pull request plumb reads.
type githubPull struct {
	Number  int    `json:"number"`
	Title   string `json:"title"`
	HTMLURL string `json:"html_url"`
	Head    struct {
		Ref  string `json:"ref"`
		SHA  string `json:"sha"`
		Repo *struct {
			FullName string `json:"full_name"`
		} `json:"repo"`
	} `json:"head"`
	Base struct {
		Ref  string `json:"ref"`
		Repo struct {
			FullName string `json:"full_name"`
		} `json:"repo"`
	} `json:"base"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

// PullRequests lists GET /repos/{owner}/{repo}/pulls?state=open, following
// the Link header's rel="next".
func (g *githubClient) PullRequests(ctx context.Context) ([]PullRequest, error) {
	var out []PullRequest
	path := "/repos/" + g.repo + "/pulls?state=open&per_page=100&page=1"
	for page := 0; path != ""; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("github: more than %d pages of pull requests", maxPages)
		}
		var pulls []githubPull
		h, err := g.api.call(ctx, http.MethodGet, path, nil, &pulls, githubAuth)
		if err != nil {
			return nil, err
		}
		for _, p := range pulls {
			out = append(out, p.pullRequest())
		}
		if path, err = nextLink(g.api.base, h.Get("Link")); err != nil {
			return nil, fmt.Errorf("github: %w", err)
		}
	}
	return out, nil
}

func (p githubPull) pullRequest() PullRequest {
	pr := PullRequest{Number: p.Number, Title: p.Title, Branch: p.Head.Ref, SHA: p.Head.SHA, Base: p.Base.Ref, URL: p.HTMLURL}
	pr.SameRepo = p.Head.Repo != nil && p.Head.Repo.FullName == p.Base.Repo.FullName
	for _, l := range p.Labels {
		pr.Labels = append(pr.Labels, l.Name)
	}
	return pr
}

// nextLink returns the path (relative to base) of a Link header's
// rel="next", or "" on the last page. A next page elsewhere is an error.
func nextLink(base *url.URL, link string) (string, error) {
	for part := range strings.SplitSeq(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.Contains(params, `rel="next"`) {
			continue
		}
		u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
		if err != nil || u.Host != base.Host || !strings.HasPrefix(u.Path, base.Path) {
			return "", fmt.Errorf("next page link points outside the API")
		}
		p := strings.TrimPrefix(u.Path, base.Path)
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		return p, nil
	}
	return "", nil
}

// githubStatus is the body of POST /repos/{owner}/{repo}/statuses/{sha}.
type githubStatus struct {
	State       string `json:"state"`
	TargetURL   string `json:"target_url,omitempty"`
	Description string `json:"description"`
	Context     string `json:"context"`
}

// SetStatus posts a commit status (description cut to GitHub's 140).
func (g *githubClient) SetStatus(ctx context.Context, sha string, st Status) error {
	body := githubStatus{State: string(st.State), TargetURL: st.TargetURL, Description: cut(st.Description, 140), Context: st.Context}
	_, err := g.api.call(ctx, http.MethodPost, "/repos/"+g.repo+"/statuses/"+url.PathEscape(sha), body, nil, githubAuth)
	return err
}

type githubComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

// Comment updates the pull request's comment holding marker
// (PATCH /repos/{owner}/{repo}/issues/comments/{id}) or creates one
// (POST /repos/{owner}/{repo}/issues/{number}/comments).
func (g *githubClient) Comment(ctx context.Context, number int, marker, body string) error {
	path := fmt.Sprintf("/repos/%s/issues/%d/comments?per_page=100&page=1", g.repo, number)
	for page := 0; path != ""; page++ {
		if page == maxPages {
			break
		}
		var comments []githubComment
		h, err := g.api.call(ctx, http.MethodGet, path, nil, &comments, githubAuth)
		if err != nil {
			return err
		}
		for _, c := range comments {
			if strings.Contains(c.Body, marker) {
				_, err := g.api.call(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/comments/%d", g.repo, c.ID),
					map[string]string{"body": body}, nil, githubAuth)
				return err
			}
		}
		if path, err = nextLink(g.api.base, h.Get("Link")); err != nil {
			return fmt.Errorf("github: %w", err)
		}
	}
	_, err := g.api.call(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues/%d/comments", g.repo, number),
		map[string]string{"body": body}, nil, githubAuth)
	return err
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
