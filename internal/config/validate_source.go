package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// validateSource checks a Source's Git URL, ref and auth.
func validateSource(d *document, s *Source) {
	if s.Git == nil {
		d.require("spec.git", "")
		return
	}
	g := s.Git
	if d.require("spec.git.url", g.URL) {
		if msg := checkGitURL(g.URL); msg != "" {
			d.errorf("spec.git.url", "%s", msg)
		}
	}
	checkRef(d, g)
	if g.Auth != nil {
		checkAuth(d, g.Auth)
	}
}

var scpLike = regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:.+$`)

// checkGitURL returns what is wrong with a Git URL, or "". It never
// echoes the URL, which may hold credentials.
func checkGitURL(raw string) string {
	if !strings.Contains(raw, "://") {
		if scpLike.MatchString(raw) {
			return ""
		}
		return "must be a URL (file://, http://, https://, ssh://) or an scp-like address (git@host:path)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "not a valid URL"
	}
	switch {
	case !slices.Contains([]string{"file", "http", "https", "ssh", "git"}, u.Scheme):
		return fmt.Sprintf("unsupported scheme %q (want file, http, https, ssh or git@host:path)", truncate(u.Scheme))
	case hasPassword(u):
		return "must not hold a password: put it in a file and set spec.git.auth.passwordFile"
	case u.User != nil && u.Scheme != "ssh":
		return "must not hold credentials: set spec.git.auth.username or usernameFile instead"
	case u.Scheme == "file" && (u.Path == "" || (u.Host != "" && u.Host != "localhost")):
		return "a file URL needs an absolute path, like file:///srv/git/repo.git"
	case u.Scheme != "file" && u.Host == "":
		return "needs a host"
	}
	return ""
}

func hasPassword(u *url.URL) bool {
	_, ok := u.User.Password()
	return ok
}

// checkRef validates the ref fields: at most one, each well formed.
func checkRef(d *document, g *GitSource) {
	refs := []struct{ key, value string }{
		{"branch", g.Branch}, {"tag", g.Tag}, {"semver", g.Semver}, {"commit", g.Commit},
	}
	var set []string
	for _, r := range refs {
		field := "spec.git." + r.key
		if !d.has(field) {
			continue
		}
		set = append(set, r.key)
		if d.require(field, r.value) {
			if msg := checkRefValue(r.key, r.value); msg != "" {
				d.errorf(field, "%s", msg)
			}
		}
	}
	if len(set) > 1 {
		d.errorf("spec.git."+set[1], "only one of branch, tag, semver and commit may be set, got %s",
			andList(set))
	}
}

var commitRE = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// checkRefValue returns what is wrong with one ref value, or "".
func checkRefValue(key, value string) string {
	switch key {
	case "semver":
		if _, err := semver.NewConstraint(value); err != nil {
			return fmt.Sprintf("invalid semver constraint %q: %v", truncate(value), err)
		}
	case "commit":
		if !commitRE.MatchString(value) {
			return fmt.Sprintf("invalid commit %q: want a hexadecimal commit hash of 7 to 64 digits", truncate(value))
		}
	default:
		if why := badRefName(value); why != "" {
			return fmt.Sprintf("invalid %s name %q: %s", key, truncate(value), why)
		}
	}
	return ""
}

// badRefName says why name is not a valid Git ref name (after the rules
// of git check-ref-format), or returns "".
func badRefName(name string) string {
	switch {
	case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "must not contain spaces or control characters"
	case strings.ContainsAny(name, "~^:?*[\\"):
		return `must not contain any of ~ ^ : ? * [ \`
	case strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//"):
		return `must not contain "..", "@{" or "//"`
	case name == "@" || strings.HasPrefix(name, "-") || strings.HasPrefix(name, "/"):
		return `must not be "@" or start with "-" or "/"`
	case strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, ".lock"):
		return `must not end with "/", "." or ".lock"`
	case strings.HasPrefix(name, ".") || strings.Contains(name, "/."):
		return `no part may start with "."`
	}
	return ""
}

// checkAuth validates credentials. The files themselves are read (and
// their paths resolved) by the source driver when it fetches.
func checkAuth(d *document, a *GitAuth) {
	if a.Username != "" && a.UsernameFile != "" {
		d.errorf("spec.git.auth.usernameFile", "set username or usernameFile, not both")
	}
}
