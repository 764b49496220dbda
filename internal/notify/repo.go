package notify

import (
	"fmt"
	"net/url"
	"strings"
)

// repository is a repository on a Git host, found in a Git URL.
type repository struct {
	// scheme and host are where the host's web and API live: the URL's
	// own for http(s) URLs, https and the host name for SSH URLs.
	scheme, host string
	// path is the repository's path without ".git", like "owner/repo"
	// or "group/subgroup/project".
	path string
}

// errNoRepository says what Git URLs a commit status needs.
const errNoRepository = "want https://HOST/OWNER/REPO, ssh://git@HOST/OWNER/REPO or git@HOST:OWNER/REPO"

// parseRepository finds the host and repository path in a Git URL. Its
// errors never echo the URL.
func parseRepository(gitURL string) (repository, error) {
	if gitURL == "" {
		return repository{}, fmt.Errorf("the app's Git source URL is not known")
	}
	var r repository
	if !strings.Contains(gitURL, "://") {
		at := strings.Index(gitURL, "@")
		host, path, ok := strings.Cut(gitURL[at+1:], ":")
		if !ok || host == "" {
			return repository{}, fmt.Errorf("the app's Git source URL names no repository on a host: %s", errNoRepository)
		}
		r = repository{scheme: "https", host: host, path: path}
	} else {
		u, err := url.Parse(gitURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "ssh" && u.Scheme != "git") {
			return repository{}, fmt.Errorf("the app's Git source URL names no repository on a host: %s", errNoRepository)
		}
		r = repository{scheme: u.Scheme, host: u.Host, path: u.Path}
		if u.Scheme != "https" && u.Scheme != "http" {
			r.scheme, r.host = "https", u.Hostname()
		}
	}
	r.path = strings.TrimSuffix(strings.Trim(r.path, "/"), ".git")
	if !strings.Contains(r.path, "/") {
		return repository{}, fmt.Errorf("the app's Git source URL names no repository on a host: %s", errNoRepository)
	}
	return r, nil
}
