package generate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"

	"plumb.dev/plumb/internal/automation/forge"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/source/git"
)

// Mirrors fetches the Sources generators read, each into its own bare
// mirror under a directory.
type Mirrors struct{ Dir string }

// repo returns the mirror of a source's repository, following its ref.
func (m Mirrors) repo(s *config.Source) (*git.Repo, error) {
	if s == nil || s.Git == nil {
		return nil, fmt.Errorf("not a git source")
	}
	return git.New(s.Name, *s.Git, m.dirOf(s.Git.URL))
}

func (m Mirrors) dirOf(url string) string {
	return m.Dir + "/" + shortHash(url) + shortHash("plumb:"+url)
}

// gitLines runs a read-only git command in a mirror and splits its NUL-
// or newline-separated output.
func gitLines(ctx context.Context, gitDir string, args ...string) ([]string, error) {
	x := exec.CommandContext(ctx, "git", append([]string{"--git-dir=" + gitDir}, args...)...)
	x.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "LC_ALL=C", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0"}
	var stdout, stderr bytes.Buffer
	x.Stdout, x.Stderr = &stdout, &stderr
	if err := x.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	var out []string
	for l := range strings.FieldsFuncSeq(stdout.String(), func(r rune) bool { return r == 0 || r == '\n' }) {
		out = append(out, l)
	}
	return out, nil
}

// directories lists the directories of a source matching a glob.
type directories struct {
	spec    *config.DirectoryGenerator
	source  *config.Source
	mirrors Mirrors
}

// Items lists the matching directories at the source's ref; each item's
// name is the directory's base name ({{.path}} is the full path).
func (d directories) Items(ctx context.Context) ([]Item, error) {
	repo, err := d.mirrors.repo(d.source)
	if err != nil {
		return nil, err
	}
	c, err := repo.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	dirs, err := gitLines(ctx, repo.Dir(), "ls-tree", "-r", "-d", "-z", "--name-only", "--full-tree", c.Revision)
	if err != nil {
		return nil, fmt.Errorf("list directories of %s: %w", d.source.Name, err)
	}
	var items []Item
	for _, dir := range dirs {
		if ok, _ := path.Match(d.spec.Glob, dir); !ok || excluded(d.spec.Exclude, dir) {
			continue
		}
		name := Slug(path.Base(dir), 63)
		items = append(items, Item{Name: name, Values: map[string]string{"name": name, "path": dir, "source": d.source.Name}})
	}
	return unique(items, func(it Item) string { return it.Values["path"] }), nil
}

func excluded(globs []string, p string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, p); ok {
			return true
		}
	}
	return false
}

// branches lists the branches of a source's repository matching a glob.
type branches struct {
	spec    *config.BranchGenerator
	source  *config.Source
	mirrors Mirrors
}

// Items lists the matching branches; an item's name is the branch's slug.
func (b branches) Items(ctx context.Context) ([]Item, error) {
	repo, err := b.mirrors.repo(b.source)
	if err != nil {
		return nil, err
	}
	var notFound *git.RefNotFoundError
	if _, err := repo.Fetch(ctx); err != nil && !errors.As(err, &notFound) {
		return nil, err // the source's own ref may be gone; its branches were fetched
	}
	refs, err := gitLines(ctx, repo.Dir(), "for-each-ref", "--format=%(refname:strip=2)", "refs/heads")
	if err != nil {
		return nil, fmt.Errorf("list branches of %s: %w", b.source.Name, err)
	}
	slices.Sort(refs)
	var items []Item
	for _, br := range refs {
		if ok, _ := path.Match(b.spec.Glob, br); !ok {
			continue
		}
		name := Slug(br, 63)
		items = append(items, Item{Name: name, Branch: br, Values: map[string]string{"name": name, "branch": br}})
	}
	return unique(items, func(it Item) string { return it.Branch }), nil
}

// pullRequests lists the open pull requests of a source's repository.
type pullRequests struct {
	spec   *config.PullRequestGenerator
	source *config.Source
	client forge.Client
}

func newPullRequests(spec *config.PullRequestGenerator, src *config.Source, hc *http.Client) (pullRequests, error) {
	kind, api := forge.GitHub, spec.GitHub
	if spec.GitLab != nil {
		kind, api = forge.GitLab, spec.GitLab
	}
	c, err := forge.New(kind, *api, src.Git.URL, hc)
	if err != nil {
		return pullRequests{}, err
	}
	return pullRequests{spec: spec, source: src, client: c}, nil
}

// Items lists the open pull requests with every wanted label and a
// matching head branch; an item is named pr-NUMBER. A pull request from
// the repository itself follows its branch, one from a fork its commit.
func (p pullRequests) Items(ctx context.Context) ([]Item, error) {
	prs, err := p.client.PullRequests(ctx)
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, pr := range prs {
		if !hasAll(pr.Labels, p.spec.Labels) {
			continue
		}
		if ok, _ := path.Match(p.spec.Branch, pr.Branch); p.spec.Branch != "" && !ok {
			continue
		}
		n := strconv.Itoa(pr.Number)
		it := Item{Name: "pr-" + n, Values: map[string]string{"name": "pr-" + n, "number": n, "branch": pr.Branch, "sha": pr.SHA, "title": pr.Title}}
		if pr.SameRepo {
			it.Branch = pr.Branch
		} else {
			it.Commit = pr.SHA
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b Item) int { return strings.Compare(a.Name, b.Name) })
	return items, nil
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
