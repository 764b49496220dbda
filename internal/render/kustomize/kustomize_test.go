package kustomize_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"plumb.dev/plumb/internal/render"
	"plumb.dev/plumb/internal/render/kustomize"
	"plumb.dev/plumb/internal/render/rendertest"
	_ "plumb.dev/plumb/internal/render/yaml"
)

// apps are the kustomizations under testdata/repo/apps with a golden output.
var apps = []string{"prod", "capital", "yml", "user-origin", "openapi", "transformer"}

func renderApp(t testing.TB, root, app string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	return kustomize.Renderer{}.Render(context.Background(), render.Input{Root: root, Path: "apps/" + app})
}

func TestRenderGolden(t *testing.T) {
	for _, app := range apps {
		t.Run(app, func(t *testing.T) {
			objs, err := renderApp(t, "testdata/repo", app)
			if err != nil {
				t.Fatal(err)
			}
			rendertest.Golden(t, filepath.Join("testdata", app+".golden.yaml"), rendertest.Dump(t, objs))
		})
	}
}

// TestRenderMatchesKustomize checks that origin tracking and the confined
// file system change nothing: with origins stripped, the output equals a
// plain kustomize build of the same directory.
func TestRenderMatchesKustomize(t *testing.T) {
	for _, app := range apps {
		t.Run(app, func(t *testing.T) {
			objs, err := renderApp(t, "testdata/repo", app)
			if err != nil {
				t.Fatal(err)
			}
			got := string(rendertest.Dump(t, render.StripOrigins(objs)))
			if want := plainBuild(t, "testdata/repo/apps/"+app); got != want {
				t.Errorf("render differs from kustomize build\n--- kustomize\n%s\n--- render\n%s", want, got)
			}
		})
	}
}

func plainBuild(t *testing.T, dir string) string {
	t.Helper()
	o := krusty.MakeDefaultOptions()
	o.Reorder = krusty.ReorderOptionUnspecified
	o.LoadRestrictions = types.LoadRestrictionsNone
	m, err := krusty.MakeKustomizer(o).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var objs []*unstructured.Unstructured
	for _, res := range m.Resources() {
		data, err := res.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(data); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, obj)
	}
	return string(rendertest.Dump(t, objs))
}

func TestRenderErrors(t *testing.T) {
	tests := []string{
		"remote-https", "remote-github", "remote-scp", "remote-forced", "remote-file", "remote-in-base",
		"remote-plugin", "escape-resource", "escape-file", "absolute", "helm", "missing-resource",
		"bad-patch", "malformed", "exec-plugin", "external-plugin", "no-kustomization-here",
	}
	for _, name := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := renderApp(t, "testdata/errors", name)
			if err == nil {
				t.Fatal("Render succeeded, want an error")
			}
			rendertest.Golden(t, filepath.Join("testdata", "errors."+name+".golden"), []byte(err.Error()+"\n"))
		})
	}
	if _, err := os.Stat("/tmp/plumb-kustomize-exec-ran"); err == nil {
		t.Error("an exec function ran")
	}
}

// TestRenderSymlinks builds kustomizations whose references are symlinks:
// inside the repository they work, leading out of it they are refused.
func TestRenderSymlinks(t *testing.T) {
	outside := t.TempDir()
	rendertest.WriteFiles(t, outside, map[string]string{
		"kustomization.yaml": "resources:\n- secret.yaml\n",
		"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n",
		"passwd":             "root:x:0:0\n",
	})
	tests := []struct {
		name, kustomization, link, target, want string
	}{
		{"base inside", "resources:\n- link\n", "link", "../../bases/web", ""},
		{"base outside", "resources:\n- link\n", "link", outside,
			`apps/s/kustomization.yaml: resources entry "link" is a symlink leading outside the repository`},
		{"file outside", "configMapGenerator:\n- name: c\n  files:\n  - link\n", "link", filepath.Join(outside, "passwd"),
			`apps/s/kustomization.yaml: configMapGenerator entry "link" is a symlink leading outside the repository`},
		{"kustomization itself", "", "kustomization.yaml", filepath.Join(outside, "kustomization.yaml"),
			`app path apps/s: no kustomization file (kustomization.yaml, kustomization.yml, Kustomization)`},
		{"app dir", "", "", outside, `app path apps/s: path escapes from parent`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := rendertest.CopyTree(t, "testdata/repo")
			app := filepath.Join(root, "apps/s")
			if tt.link == "" {
				if err := os.Symlink(tt.target, app); err != nil {
					t.Fatal(err)
				}
			} else {
				if tt.kustomization != "" {
					rendertest.WriteFiles(t, app, map[string]string{"kustomization.yaml": tt.kustomization})
				} else if err := os.MkdirAll(app, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(tt.target, filepath.Join(app, tt.link)); err != nil {
					t.Fatal(err)
				}
			}
			objs, err := renderApp(t, root, "s")
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(objs) != 2 {
					t.Fatalf("got %d objects, want the 2 of bases/web", len(objs))
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestRepoFSConfinement loads a file through a path that leaves the
// repository from inside kustomize (not caught by the scanner: a patch named
// by a plugin config), to prove the file system refuses it.
func TestRepoFSConfinement(t *testing.T) {
	root := rendertest.CopyTree(t, "testdata/repo")
	rendertest.WriteFiles(t, root, map[string]string{
		"apps/s/kustomization.yaml": "resources:\n- ../capital/cm.yaml\ntransformers:\n- t.yaml\n",
		"apps/s/t.yaml": "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\n" +
			"path: ../../../../../../../../../../etc/hostname\n",
	})
	_, err := renderApp(t, root, "s")
	var outside *kustomize.OutsideError
	if !errors.As(err, &outside) {
		t.Fatalf("error = %v, want an OutsideError", err)
	}
	if !strings.HasPrefix(err.Error(), "kustomize build apps/s/kustomization.yaml: ") || !strings.Contains(err.Error(), "/etc/hostname is outside the repository") {
		t.Errorf("error = %v", err)
	}
}

func TestRemote(t *testing.T) {
	tests := []struct {
		ref  string
		want bool
	}{
		{"https://github.com/org/repo", true},
		{"HTTP://example.com/x.yaml", true},
		{"ssh://git@example.com/org/repo.git", true},
		{"file:///srv/repo.git", true},
		{"git@github.com:org/repo.git", true},
		{"git::https://example.com/repo.git", true},
		{"github.com/org/repo/base?ref=v1", true},
		{"GitHub.com:org/repo", true},
		{"../base", false},
		{"deployment.yaml", false},
		{"github.company.internal/base", false},
		{"overlays/github.com", false},
	}
	for _, tt := range tests {
		if got := kustomize.Remote(tt.ref); got != tt.want {
			t.Errorf("Remote(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		path, renderer string
	}{
		{"apps/prod", "kustomize"},
		{"apps/capital", "kustomize"},
		{"apps/yml", "kustomize"},
		{"bases/web/..", "yaml"},
	}
	for _, tt := range tests {
		got, err := render.Detect(render.Input{Root: "testdata/repo", Path: tt.path})
		if err != nil || got != tt.renderer {
			t.Errorf("Detect(%s) = %q, %v; want %q", tt.path, got, err, tt.renderer)
		}
	}
	objs, err := render.Render(context.Background(), render.Input{Root: "testdata/repo", Path: "apps/prod"})
	if err != nil {
		t.Fatal(err)
	}
	if render.Origin(objs[0]) != "apps/prod/namespace.yaml" {
		t.Errorf("first object from %q, want the kustomize output (apps/prod/namespace.yaml)", render.Origin(objs[0]))
	}
}
