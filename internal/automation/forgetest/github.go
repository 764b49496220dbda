package forgetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// GitHub starts a fake GitHub REST API for repo ("owner/name"), accepting
// only "Authorization: Bearer <token>".
func GitHub(t testing.TB, token, repo string) *Server {
	t.Helper()
	return newServer(t, token, repo, serveGitHub)
}

var (
	ghPulls    = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/pulls$`)
	ghStatuses = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/statuses/([0-9a-f]+)$`)
	ghComments = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/issues/([0-9]+)/comments$`)
	ghComment  = regexp.MustCompile(`^/repos/([^/]+/[^/]+)/issues/comments/([0-9]+)$`)
)

func serveGitHub(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "missing GitHub API headers"})
		return
	}
	p := r.URL.Path
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && ghPulls.MatchString(p) && ghPulls.FindStringSubmatch(p)[1] == s.repo:
		if r.URL.Query().Get("state") != "open" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "want state=open"})
			return
		}
		items, n, more := page(s.prs, r.URL.RawQuery, s.pageSize)
		if more {
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/%s/pulls?state=open&per_page=%s&page=%d>; rel="next", <%s/repos/%s/pulls?state=open&page=999>; rel="last"`,
				s.URL, s.repo, r.URL.Query().Get("per_page"), n+1, s.URL, s.repo))
		}
		out := make([]map[string]any, 0, len(items))
		for _, pr := range items {
			out = append(out, s.githubPull(pr))
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodPost && ghStatuses.MatchString(p):
		var st map[string]any
		if json.Unmarshal(body, &st) != nil || st["state"] == nil || st["context"] == nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed"})
			return
		}
		sha := ghStatuses.FindStringSubmatch(p)[2]
		s.statuses[sha] = append(s.statuses[sha], st)
		writeJSON(w, http.StatusCreated, st)
	case ghComments.MatchString(p):
		n, _ := strconv.Atoi(ghComments.FindStringSubmatch(p)[2])
		if r.Method == http.MethodGet {
			items, pg, more := page(s.comments[n], r.URL.RawQuery, s.pageSize)
			if more {
				w.Header().Set("Link", fmt.Sprintf(`<%s/repos/%s/issues/%d/comments?per_page=%s&page=%d>; rel="next"`, s.URL, s.repo, n, r.URL.Query().Get("per_page"), pg+1))
			}
			out := []map[string]any{}
			for _, c := range items {
				out = append(out, map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"login": "plumb-bot"}})
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
		var c struct{ Body string }
		_ = json.Unmarshal(body, &c)
		s.nextID++
		s.comments[n] = append(s.comments[n], comment{ID: s.nextID, Body: c.Body})
		writeJSON(w, http.StatusCreated, map[string]any{"id": s.nextID, "body": c.Body})
	case r.Method == http.MethodPatch && ghComment.MatchString(p):
		id, _ := strconv.ParseInt(ghComment.FindStringSubmatch(p)[2], 10, 64)
		var c struct{ Body string }
		_ = json.Unmarshal(body, &c)
		for n, list := range s.comments {
			for i := range list {
				if list[i].ID == id {
					s.comments[n][i].Body = c.Body
					writeJSON(w, http.StatusOK, map[string]any{"id": id, "body": c.Body})
					return
				}
			}
		}
		notFound(w, r)
	default:
		notFound(w, r)
	}
}

// githubPull renders a PR as GitHub's pull request JSON (the fields plumb
// reads, and a few it does not).
func (s *Server) githubPull(pr PR) map[string]any {
	head := s.repo
	if pr.Fork {
		head = "someone/fork"
	}
	labels := []map[string]any{}
	for i, l := range pr.Labels {
		labels = append(labels, map[string]any{"id": i + 1, "name": l, "color": "ededed"})
	}
	base := pr.Base
	if base == "" {
		base = "main"
	}
	return map[string]any{
		"number": pr.Number, "title": pr.Title, "state": "open", "draft": false,
		"html_url": fmt.Sprintf("https://github.example/%s/pull/%d", s.repo, pr.Number),
		"head":     map[string]any{"ref": pr.Branch, "sha": pr.SHA, "label": "x:" + pr.Branch, "repo": map[string]any{"full_name": head}},
		"base":     map[string]any{"ref": base, "sha": "0000000000000000000000000000000000000000", "repo": map[string]any{"full_name": s.repo}},
		"labels":   labels,
		"user":     map[string]any{"login": "dev"},
	}
}
