package forgetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// GitLab starts a fake GitLab REST API (v4) for project ("group/name"),
// accepting only "PRIVATE-TOKEN: <token>".
func GitLab(t testing.TB, token, project string) *Server {
	t.Helper()
	return newServer(t, token, project, serveGitLab)
}

var (
	glMRs      = regexp.MustCompile(`^/api/v4/projects/([^/]+)/merge_requests$`)
	glStatuses = regexp.MustCompile(`^/api/v4/projects/([^/]+)/statuses/([0-9a-f]+)$`)
	glNotes    = regexp.MustCompile(`^/api/v4/projects/([^/]+)/merge_requests/([0-9]+)/notes$`)
	glNote     = regexp.MustCompile(`^/api/v4/projects/([^/]+)/merge_requests/([0-9]+)/notes/([0-9]+)$`)
)

func serveGitLab(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get("PRIVATE-TOKEN") != s.token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	p := r.URL.EscapedPath()
	project := func(re *regexp.Regexp) bool {
		m := re.FindStringSubmatch(p)
		if m == nil {
			return false
		}
		id, err := url.PathUnescape(m[1])
		return err == nil && id == s.repo && strings.Contains(m[1], "%2F")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && project(glMRs):
		if r.URL.Query().Get("state") != "opened" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "want state=opened"})
			return
		}
		items, n, more := page(s.prs, r.URL.RawQuery, s.pageSize)
		w.Header().Set("X-Page", strconv.Itoa(n))
		w.Header().Set("X-Next-Page", "")
		if more {
			w.Header().Set("X-Next-Page", strconv.Itoa(n+1))
		}
		out := make([]map[string]any, 0, len(items))
		for _, pr := range items {
			src := 7
			if pr.Fork {
				src = 99
			}
			labels := pr.Labels
			if labels == nil {
				labels = []string{}
			}
			base := pr.Base
			if base == "" {
				base = "main"
			}
			out = append(out, map[string]any{"id": 1000 + pr.Number, "iid": pr.Number, "title": pr.Title, "state": "opened",
				"source_branch": pr.Branch, "target_branch": base, "sha": pr.SHA, "labels": labels,
				"source_project_id": src, "target_project_id": 7, "project_id": 7,
				"web_url": fmt.Sprintf("https://gitlab.example/%s/-/merge_requests/%d", s.repo, pr.Number)})
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodPost && project(glStatuses):
		var st map[string]any
		if json.Unmarshal(body, &st) != nil || st["state"] == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "state is missing"})
			return
		}
		sha := glStatuses.FindStringSubmatch(p)[2]
		s.statuses[sha] = append(s.statuses[sha], st)
		writeJSON(w, http.StatusCreated, st)
	case project(glNotes):
		n, _ := strconv.Atoi(glNotes.FindStringSubmatch(p)[2])
		if r.Method == http.MethodGet {
			items, pg, more := page(s.comments[n], r.URL.RawQuery, s.pageSize)
			w.Header().Set("X-Next-Page", "")
			if more {
				w.Header().Set("X-Next-Page", strconv.Itoa(pg+1))
			}
			out := []map[string]any{}
			for _, c := range items {
				out = append(out, map[string]any{"id": c.ID, "body": c.Body, "system": false})
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
		var c struct{ Body string }
		_ = json.Unmarshal(body, &c)
		s.nextID++
		s.comments[n] = append(s.comments[n], comment{ID: s.nextID, Body: c.Body})
		writeJSON(w, http.StatusCreated, map[string]any{"id": s.nextID, "body": c.Body})
	case r.Method == http.MethodPut && project(glNote):
		m := glNote.FindStringSubmatch(p)
		n, _ := strconv.Atoi(m[2])
		id, _ := strconv.ParseInt(m[3], 10, 64)
		var c struct{ Body string }
		_ = json.Unmarshal(body, &c)
		for i := range s.comments[n] {
			if s.comments[n][i].ID == id {
				s.comments[n][i].Body = c.Body
				writeJSON(w, http.StatusOK, map[string]any{"id": id, "body": c.Body})
				return
			}
		}
		notFound(w, r)
	default:
		notFound(w, r)
	}
}
