package helm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"

	"plumb.dev/plumb/internal/config"
)

// loaded is a chart ready to render, with a digest of its content
// (dependencies included).
type loaded struct {
	chart  *chart.Chart
	digest string
}

// load loads the request's chart and fetches dependencies it does not
// carry in charts/.
func (r *Renderer) load(ctx context.Context, q Request) (*loaded, error) {
	var (
		ch  *chart.Chart
		dig string
		err error
	)
	if q.Chart.Repo == "" && q.Chart.OCI == "" {
		ch, dig, err = loadLocal(q.Root, repoPath(q.AppPath, q.Chart.Chart))
	} else {
		ch, dig, err = r.loadRemote(ctx, q.Chart)
	}
	if err != nil {
		return nil, fmt.Errorf("helm %s: %w", q.Chart, err)
	}
	deps, err := r.dependencies(ctx, q, ch)
	if err != nil {
		return nil, fmt.Errorf("helm %s: %w", q.Chart, err)
	}
	return &loaded{chart: ch, digest: digest([]byte(dig + deps))}, nil
}

// loadRemote resolves and loads a chart from a repository or registry.
func (r *Renderer) loadRemote(ctx context.Context, spec *config.HelmChart) (*chart.Chart, string, error) {
	res, err := r.Resolve(ctx, spec)
	if err != nil {
		return nil, "", err
	}
	data, err := r.fetch(ctx, spec, res)
	if err != nil {
		return nil, "", err
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("load %s %s: %w", res.Chart, res.Version, err)
	}
	return ch, digest(data), nil
}

// loadLocal loads the chart in directory dir of the tree at root. Files are
// read through an os.Root, so symlinks cannot reach outside the tree;
// .helmignore is honoured.
func loadLocal(root, dir string) (*chart.Chart, string, error) {
	files, err := readChartDir(root, dir)
	if err != nil {
		return nil, "", err
	}
	h := newDigester()
	for _, f := range files {
		h.add(f.Name, f.Data)
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, "", fmt.Errorf("load chart %s: %w", dir, err)
	}
	return ch, h.sum(), nil
}

// readChartDir reads the files of a chart directory, sorted by name.
func readChartDir(root, dir string) ([]*archive.BufferedFile, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repository tree: %w", err)
	}
	defer r.Close()
	if fi, err := r.Stat(path.Join(dir, "Chart.yaml")); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("chart %s: no Chart.yaml in that directory of the source", dir)
	}
	rules, err := ignoreRules(r, dir)
	if err != nil {
		return nil, err
	}
	var files []*archive.BufferedFile
	fsys := r.FS()
	err = fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(name, dir), "/")
		if rel == "" {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if rules.Ignore(rel, fi) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, unwrapPath(err))
		}
		files = append(files, &archive.BufferedFile{Name: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// ignoreRules reads the chart's .helmignore, with Helm's defaults.
func ignoreRules(r *os.Root, dir string) (*ignore.Rules, error) {
	rules := ignore.Empty()
	data, err := r.ReadFile(path.Join(dir, ignore.HelmIgnore))
	if err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("chart %s: .helmignore: %w", dir, err)
		}
	}
	rules.AddDefaults()
	return rules, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// digester hashes named contents in order.
type digester struct{ b bytes.Buffer }

func newDigester() *digester { return &digester{} }

func (d *digester) add(name string, data []byte) {
	fmt.Fprintf(&d.b, "%s\x00%d\x00%s\x00", name, len(data), digest(data))
}

func (d *digester) sum() string { return digest(d.b.Bytes()) }
