// Package quickstart lays out plumb's embedded demo: a local Git repository
// holding an example site and plumb's own config, and a live directory that
// plumb keeps in step with it.
package quickstart

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed example
var example embed.FS

// Layout is where the quickstart put things.
type Layout struct {
	Dir   string // the quickstart directory
	Repo  string // the Git work repository (desired state)
	Live  string // the live directory (the target)
	State string // plumb's state (SQLite, mirrors)
	// Created is false when an existing quickstart directory was reused.
	Created bool
}

// ConfigRepo is the URL of the config repository.
func (l Layout) ConfigRepo() string { return "file://" + l.Repo }

// ConfigPath is the path of plumb's config inside the repository.
const ConfigPath = "plumb"

// Setup creates the quickstart in dir, or reuses it when it exists.
func Setup(ctx context.Context, dir string) (Layout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Layout{}, err
	}
	l := Layout{Dir: abs, Repo: filepath.Join(abs, "repo"), Live: filepath.Join(abs, "live"), State: filepath.Join(abs, "state")}
	if _, err := os.Stat(filepath.Join(l.Repo, ".git")); err == nil {
		return l, nil
	}
	for _, d := range []string{l.Repo, l.Live, l.State} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Layout{}, fmt.Errorf("quickstart: %w", err)
		}
	}
	if err := writeExample(l); err != nil {
		return Layout{}, err
	}
	if err := initRepo(ctx, l.Repo); err != nil {
		return Layout{}, err
	}
	l.Created = true
	return l, nil
}

// writeExample copies the embedded example into the repo, expanding the
// config templates with the layout's paths.
func writeExample(l Layout) error {
	return fs.WalkDir(example, "example", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := example.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "example/")
		if strings.HasSuffix(rel, ".tmpl") {
			if b, err = expand(b, l); err != nil {
				return fmt.Errorf("quickstart template %s: %w", rel, err)
			}
			rel = strings.TrimSuffix(rel, ".tmpl")
		}
		dst := filepath.Join(l.Repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

func expand(b []byte, l Layout) ([]byte, error) {
	t, err := template.New("t").Parse(string(b))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = t.Execute(&out, l)
	return out.Bytes(), err
}

// initRepo makes the first commit. The repo gets a local identity when the
// user has none, so that the commits the quickstart suggests just work.
func initRepo(ctx context.Context, repo string) error {
	steps := [][]string{{"init", "-q", "-b", "main"}}
	if out, _ := exec.CommandContext(ctx, "git", "config", "user.email").Output(); len(bytes.TrimSpace(out)) == 0 {
		steps = append(steps, []string{"config", "user.name", "plumb quickstart"}, []string{"config", "user.email", "quickstart@plumb.invalid"})
	}
	steps = append(steps, []string{"add", "-A"}, []string{"commit", "-q", "-m", "Example site and plumb config"})
	for _, s := range steps {
		cmd := exec.CommandContext(ctx, "git", s...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("quickstart: git %s: %w: %s", strings.Join(s, " "), err, bytes.TrimSpace(out))
		}
	}
	return nil
}
