package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
)

// githubPush is the part of a GitHub (and Gitea, Forgejo) push event plumb
// reads.
type githubPush struct {
	Ref        string `json:"ref"`
	After      string `json:"after"`
	Repository struct {
		CloneURL string `json:"clone_url"`
		SSHURL   string `json:"ssh_url"`
		GitURL   string `json:"git_url"`
		HTMLURL  string `json:"html_url"`
	} `json:"repository"`
}

func parseGitHubLike(h http.Header, body []byte) (Push, error) {
	payload, err := formPayload(h, body)
	if err != nil {
		return Push{}, err
	}
	var p githubPush
	if err := decode(payload, &p); err != nil {
		return Push{}, err
	}
	r := p.Repository
	return Push{Ref: p.Ref, After: p.After, Repositories: nonEmpty(r.CloneURL, r.SSHURL, r.GitURL, r.HTMLURL)}, nil
}

// formPayload returns the JSON of a form-encoded delivery (GitHub's and
// Gitea's "application/x-www-form-urlencoded" content type: payload=...),
// or the body itself.
func formPayload(h http.Header, body []byte) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		return nil, fmt.Errorf("form-encoded delivery without a payload field")
	}
	return []byte(form.Get("payload")), nil
}

// gitlabPush is the part of a GitLab push or tag push event plumb reads.
type gitlabPush struct {
	Ref         string `json:"ref"`
	After       string `json:"after"`
	CheckoutSHA string `json:"checkout_sha"`
	Project     struct {
		GitHTTPURL string `json:"git_http_url"`
		GitSSHURL  string `json:"git_ssh_url"`
		WebURL     string `json:"web_url"`
	} `json:"project"`
	Repository struct {
		GitHTTPURL string `json:"git_http_url"`
		GitSSHURL  string `json:"git_ssh_url"`
		Homepage   string `json:"homepage"`
	} `json:"repository"`
}

func parseGitLab(_ http.Header, body []byte) (Push, error) {
	var p gitlabPush
	if err := decode(body, &p); err != nil {
		return Push{}, err
	}
	after := p.After
	if after == "" {
		after = p.CheckoutSHA
	}
	pr, r := p.Project, p.Repository
	return Push{Ref: p.Ref, After: after,
		Repositories: nonEmpty(pr.GitHTTPURL, pr.GitSSHURL, pr.WebURL, r.GitHTTPURL, r.GitSSHURL, r.Homepage)}, nil
}

// genericPush is the optional JSON body of a generic push.
type genericPush struct {
	Ref        string `json:"ref"`
	After      string `json:"after"`
	Repository string `json:"repository"`
}

// parseGeneric reads an optional JSON object; an empty body is a push
// that says nothing but "fetch".
func parseGeneric(_ http.Header, body []byte) (Push, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return Push{}, nil
	}
	var p genericPush
	if err := decode(body, &p); err != nil {
		return Push{}, err
	}
	return Push{Ref: p.Ref, After: p.After, Repositories: nonEmpty(p.Repository)}, nil
}

// decode reads a JSON object into v.
func decode(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("invalid push payload: %w", err)
	}
	return nil
}

// nonEmpty returns the distinct non-empty strings of s, in order.
func nonEmpty(s ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if v != "" && !seen[v] {
			out = append(out, v)
			seen[v] = true
		}
	}
	return out
}
