package config

import (
	"fmt"
	"path"
	"slices"
	"text/template"
	"time"
)

// ImageUpdate writes the tags its ImagePolicies chose back to Git: it
// checks out Branch of Source's repository, sets every field under Paths
// that carries an $imagepolicy marker, and commits and pushes the change
// (to Branch, or to Push.Branch for a pull request). The commit then flows
// through the normal sync. Nothing is committed when nothing changed.
type ImageUpdate struct {
	Name string `json:"name"`
	// Source names the Source whose repository is updated (its URL and
	// credentials are used for the push).
	Source string `json:"source"`
	// Branch is checked out (default: the Source's branch).
	Branch string `json:"branch,omitempty"`
	// Paths are the directories or files to update, relative to the
	// repository root (default: the whole repository).
	Paths []string `json:"paths,omitempty"`
	// Policies limits the update to these ImagePolicies (default: every
	// policy a marker names).
	Policies []string `json:"policies,omitempty"`
	// Push.Branch, when set, receives the commit instead of Branch (it is
	// reset to Branch plus the update at every run).
	Push *PushSpec `json:"push,omitempty"`
	// Commit sets the author and message.
	Commit CommitSpec `json:"commit,omitzero"`
	// Interval is how often the markers are checked against the policies
	// (default 1m; a policy's new tag is also applied at once).
	Interval Duration `json:"interval,omitzero"`
	// Suspend stops the updates.
	Suspend bool `json:"suspend,omitempty"`
	Pos     Pos  `json:"-"`
}

// PushSpec names the branch commits are pushed to.
type PushSpec struct {
	Branch string `json:"branch"`
}

// CommitSpec is the author and message template of automated commits.
type CommitSpec struct {
	Author CommitAuthor `json:"author,omitzero"`
	// Message is a Go text/template; see internal/automation/image for
	// the data it gets (.Changes, .Images, .Files, .Name).
	Message string `json:"message,omitempty"`
}

// CommitAuthor is the name and email commits are made with.
type CommitAuthor struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Defaults of an ImageUpdate.
const (
	DefaultImageUpdateInterval = time.Minute
	DefaultAuthorName          = "plumb"
	DefaultAuthorEmail         = "plumb@localhost"
	// DefaultImageUpdateMessage lists every image changed, old → new.
	DefaultImageUpdateMessage = `Update images ({{.Name}})
{{range .Images}}
- {{.Old}} → {{.New}}{{end}}
`
)

// ImageUpdate returns the image update named name, or nil.
func (c *Config) ImageUpdate(name string) *ImageUpdate {
	for _, u := range c.ImageUpdates {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// Equal reports whether u and o define the same update, ignoring where
// they were declared.
func (u *ImageUpdate) Equal(o *ImageUpdate) bool { return equalIgnoringPos(u, o) }

// setDefaults fills the branch from the source, the paths, the author,
// the message and the interval.
func (u *ImageUpdate) setDefaults(c *Config) {
	if s := c.Source(u.Source); u.Branch == "" && s != nil && s.Git != nil {
		u.Branch = s.Git.Branch
	}
	if len(u.Paths) == 0 {
		u.Paths = []string{"."}
	}
	for i, p := range u.Paths {
		u.Paths[i] = path.Clean(p)
	}
	if u.Commit.Author.Name == "" {
		u.Commit.Author.Name = DefaultAuthorName
	}
	if u.Commit.Author.Email == "" {
		u.Commit.Author.Email = DefaultAuthorEmail
	}
	if u.Commit.Message == "" {
		u.Commit.Message = DefaultImageUpdateMessage
	}
	orDefault(&u.Interval, DefaultImageUpdateInterval)
}

// validateImageUpdate checks an ImageUpdate's own fields; its source and
// policies are checked once every document is read.
func validateImageUpdate(d *document, u *ImageUpdate) {
	d.require("spec.source", u.Source)
	checkBranchName(d, "spec.branch", u.Branch)
	for i, p := range u.Paths {
		field := fmt.Sprintf("spec.paths[%d]", i)
		if !d.require(field, p) {
			continue
		}
		if msg := checkAppPath(p); msg != "" {
			d.errorf(field, "%s", msg)
		}
	}
	for i, p := range u.Policies {
		field := fmt.Sprintf("spec.policies[%d]", i)
		if d.require(field, p) && slices.Index(u.Policies, p) != i {
			d.errorf(field, "ImagePolicy %q is listed twice", p)
		}
	}
	if u.Push != nil && d.require("spec.push.branch", u.Push.Branch) {
		checkBranchName(d, "spec.push.branch", u.Push.Branch)
	}
	if u.Commit.Message != "" {
		if _, err := template.New("message").Option("missingkey=error").Parse(u.Commit.Message); err != nil {
			d.errorf("spec.commit.message", "invalid template: %s", TemplateError(err))
		}
	}
}

// checkBranchName checks an optional branch name.
func checkBranchName(d *document, field, branch string) {
	if branch == "" {
		return
	}
	if why := badRefName(branch); why != "" {
		d.errorf(field, "invalid branch name %q: %s", truncate(branch), why)
	}
}

// checkImageUpdateRefs reports references to a missing Source or
// ImagePolicy, and a Source that follows no branch when Branch is unset.
func checkImageUpdateRefs(d *document, u *ImageUpdate, byKind map[string]map[string]*document) {
	if s := checkRef1(d, "spec.source", "Source", u.Source, byKind["Source"]); s != nil && u.Branch == "" {
		src := s.obj.(*Source)
		if src.Git != nil && (src.Git.Tag != "" || src.Git.Semver != "" || src.Git.Commit != "") {
			d.errorf("spec.branch", "required: Source %q follows a tag or commit, not a branch", u.Source)
		}
	}
	for i, p := range u.Policies {
		if i == slices.Index(u.Policies, p) {
			checkRef1(d, fmt.Sprintf("spec.policies[%d]", i), "ImagePolicy", p, byKind["ImagePolicy"])
		}
	}
}
