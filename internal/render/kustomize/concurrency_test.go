package kustomize_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"plumb.dev/plumb/internal/render"
	"plumb.dev/plumb/internal/render/kustomize"
	"plumb.dev/plumb/internal/render/rendertest"
)

// TestSchemaDoesNotLeak renders an app with a custom openapi schema (its
// list merges by key) and then the same resources and patch without one:
// the second must use the default schema (the list is replaced). Kustomize
// alone keeps the custom schema globally, so the second render would merge.
func TestSchemaDoesNotLeak(t *testing.T) {
	for _, app := range []string{"openapi", "no-openapi"} {
		objs, err := renderApp(t, "testdata/repo", app)
		if err != nil {
			t.Fatal(err)
		}
		items := objs[0].Object["spec"].(map[string]any)["items"].([]any)
		want := map[string]int{"openapi": 2, "no-openapi": 1}[app]
		if len(items) != want {
			t.Errorf("%s: %d items, want %d: %v", app, len(items), want, items)
		}
	}
}

// TestConcurrentRenders renders every test app from many goroutines at once
// (run with -race) and checks each result equals its serial render.
func TestConcurrentRenders(t *testing.T) {
	all := append(append([]string{}, apps...), "no-openapi")
	want := map[string]string{}
	for _, app := range all {
		objs, err := renderApp(t, "testdata/repo", app)
		if err != nil {
			t.Fatal(err)
		}
		want[app] = string(rendertest.Dump(t, objs))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(all))
	for range 4 {
		for _, app := range all {
			wg.Go(func() {
				objs, err := kustomize.Renderer{}.Render(context.Background(), render.Input{Root: "testdata/repo", Path: "apps/" + app})
				if err != nil {
					errs <- fmt.Errorf("%s: %w", app, err)
					return
				}
				if got := string(rendertest.Dump(t, objs)); got != want[app] {
					errs <- fmt.Errorf("%s: concurrent render differs from serial render\n%s", app, got)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// benchApps writes n independent apps (a base and an overlay each, with a
// generator, a patch and 20 resources) into one repository.
func benchApps(b *testing.B, n int) string {
	b.Helper()
	root := b.TempDir()
	files := map[string]string{}
	for i := range n {
		base := fmt.Sprintf("apps/app%d/base", i)
		res := ""
		for j := range 10 {
			files[fmt.Sprintf("%s/deploy%d.yaml", base, j)] = fmt.Sprintf(
				"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d%d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.27\n", j)
			files[fmt.Sprintf("%s/svc%d.yaml", base, j)] = fmt.Sprintf(
				"apiVersion: v1\nkind: Service\nmetadata:\n  name: s%d\nspec:\n  ports:\n  - port: 80\n", j)
			res += fmt.Sprintf("- deploy%d.yaml\n- svc%d.yaml\n", j, j)
		}
		files[base+"/kustomization.yaml"] = "labels:\n- pairs: {app: demo}\n  includeSelectors: true\nresources:\n" + res
		files[fmt.Sprintf("apps/app%d/prod/kustomization.yaml", i)] = "namespace: prod\nnamePrefix: prod-\n" +
			"resources:\n- ../base\nimages:\n- name: nginx\n  newTag: \"1.28\"\n" +
			"configMapGenerator:\n- name: cfg\n  literals: [A=1, B=2]\n" +
			"patches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n"
	}
	rendertest.WriteFiles(b, root, files)
	return root
}

func renderAll(b *testing.B, root string, n int, concurrent bool) {
	var wg sync.WaitGroup
	for i := range n {
		run := func() {
			objs, err := kustomize.Renderer{}.Render(context.Background(), render.Input{Root: root, Path: filepath.ToSlash(fmt.Sprintf("apps/app%d/prod", i))})
			if err != nil || len(objs) != 21 {
				b.Errorf("app%d: %d objects, %v", i, len(objs), err)
			}
		}
		if concurrent {
			wg.Go(run)
		} else {
			run()
		}
	}
	wg.Wait()
}

// BenchmarkRender8 renders 8 kustomize apps one after another and all at
// once; on a machine with several cores the concurrent run takes a fraction
// of the serial one, which shows builds do not serialise on a lock.
func BenchmarkRender8(b *testing.B) {
	root := benchApps(b, 8)
	for _, mode := range []struct {
		name       string
		concurrent bool
	}{{"serial", false}, {"concurrent", true}} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				renderAll(b, root, 8, mode.concurrent)
			}
		})
	}
}
