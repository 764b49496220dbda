package helm

import (
	"context"
	"fmt"
	"path"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"

	"plumb.dev/plumb/internal/config"
)

// dependencies adds the chart's dependencies that charts/ does not carry:
// from a chart repository, an OCI registry, or (for a chart in the source)
// a file:// directory of the source. It returns a digest of what it added.
func (r *Renderer) dependencies(ctx context.Context, q Request, ch *chart.Chart) (string, error) {
	dir := ""
	if q.Chart.Repo == "" && q.Chart.OCI == "" {
		dir = repoPath(q.AppPath, q.Chart.Chart)
	}
	return r.addDependencies(ctx, q, ch, dir, q.Chart, 0)
}

// addDependencies does dependencies for ch, which lives in directory dir
// of the source ("" for a downloaded chart); parent is where ch came from.
func (r *Renderer) addDependencies(ctx context.Context, q Request, ch *chart.Chart, dir string, parent *config.HelmChart, depth int) (string, error) {
	if depth > 5 {
		return "", fmt.Errorf("chart %s: dependencies nest deeper than 5 levels", ch.Name())
	}
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	h := newDigester()
	for _, dep := range ch.Metadata.Dependencies {
		if have[dep.Name] {
			continue
		}
		sub, dig, subDir, err := r.dependency(ctx, q, dep, dir, parent)
		if err != nil {
			return "", fmt.Errorf("chart %s: dependency %s: %w", ch.Name(), dep.Name, err)
		}
		more, err := r.addDependencies(ctx, q, sub, subDir, parent, depth+1)
		if err != nil {
			return "", err
		}
		h.add(dep.Name, []byte(dig+more))
		ch.AddDependency(sub)
		have[dep.Name] = true
	}
	return h.sum(), nil
}

// dependency loads one dependency from where its repository says.
func (r *Renderer) dependency(ctx context.Context, q Request, dep *chart.Dependency, dir string, parent *config.HelmChart) (*chart.Chart, string, string, error) {
	repo := dep.Repository
	switch {
	case strings.HasPrefix(repo, "file://"):
		if dir == "" {
			return nil, "", "", fmt.Errorf("repository %s: a downloaded chart must carry its file:// dependencies in charts/", repo)
		}
		sub := path.Join(dir, strings.TrimPrefix(repo, "file://"))
		if sub == ".." || strings.HasPrefix(sub, "../") {
			return nil, "", "", fmt.Errorf("repository %s: outside the source", repo)
		}
		ch, dig, err := loadLocal(q.Root, sub)
		return ch, dig, sub, err
	case strings.HasPrefix(repo, "https://"), strings.HasPrefix(repo, "http://"):
		spec := &config.HelmChart{Repo: repo, Chart: dep.Name, Version: dep.Version}
		if parent.Repo != "" && sameHost(parent.Repo, repo) {
			spec.Credentials = parent.Credentials
		}
		ch, dig, err := r.loadRemote(ctx, spec)
		return ch, dig, "", err
	case strings.HasPrefix(repo, "oci://"):
		spec := &config.HelmChart{OCI: strings.TrimSuffix(repo, "/") + "/" + dep.Name, Version: dep.Version}
		if parent.OCI != "" && ociHost(parent.OCI) == ociHost(repo) {
			spec.Credentials = parent.Credentials
		}
		ch, dig, err := r.loadRemote(ctx, spec)
		return ch, dig, "", err
	case repo == "":
		return nil, "", "", fmt.Errorf("not in charts/ and no repository given")
	default:
		return nil, "", "", fmt.Errorf("repository %q: use a URL (https://, oci:// or file://); named repositories are not supported", repo)
	}
}

func ociHost(oci string) string {
	host, _, _ := strings.Cut(strings.TrimPrefix(oci, "oci://"), "/")
	return host
}
