package yaml_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/render"
	"plumb.dev/plumb/internal/render/rendertest"
	"plumb.dev/plumb/internal/render/yaml"
)

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name, root, path string
	}{
		{"web", "testdata/basic", "apps/web"},
		{"whole-repo", "testdata/basic", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := yaml.Renderer{}.Render(context.Background(), render.Input{Root: tt.root, Path: tt.path})
			if err != nil {
				t.Fatal(err)
			}
			rendertest.Golden(t, filepath.Join("testdata", tt.name+".golden.yaml"), rendertest.Dump(t, objs))
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name, path string
	}{
		{"malformed", "apps/malformed"},
		{"missing-name", "apps/missing"},
		{"not-a-mapping", "apps/notmap"},
		{"duplicate-key", "apps/dupkey"},
		{"duplicate-object", "apps/dupobj"},
		{"nested-kustomization", "apps/nested"},
		{"no-such-path", "apps/nope"},
		{"path-is-a-file", "apps/file/cm.yaml"},
		{"path-escapes", "apps/../../x"},
		{"absolute-path", "/etc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := yaml.Renderer{}.Render(context.Background(), render.Input{Root: "testdata/errors", Path: tt.path})
			if err == nil {
				t.Fatal("Render succeeded, want an error")
			}
			rendertest.Golden(t, filepath.Join("testdata", "errors."+tt.name+".golden"), []byte(err.Error()+"\n"))
		})
	}
}

// TestRenderSymlinks checks that symlinks inside the repository are read and
// symlinks that leave it are refused.
func TestRenderSymlinks(t *testing.T) {
	outside := t.TempDir()
	rendertest.WriteFiles(t, outside, map[string]string{
		"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n",
	})
	tests := []struct {
		name, target, wantErr string
	}{
		{"inside", "../other/cm.yaml", ""},
		{"outside-file", filepath.Join(outside, "secret.yaml"), "apps/web/link.yaml: path escapes from parent"},
		{"outside-relative", "../../../../../../../../../../.." + filepath.Join(outside, "secret.yaml"), "apps/web/link.yaml: path escapes from parent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := rendertest.CopyTree(t, "testdata/basic")
			if err := os.Symlink(tt.target, filepath.Join(root, "apps/web/link.yaml")); err != nil {
				t.Fatal(err)
			}
			objs, err := yaml.Renderer{}.Render(context.Background(), render.Input{Root: root, Path: "apps/web"})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !hasOrigin(objs, "apps/web/link.yaml#1") {
				t.Errorf("no object from the in-repo symlink")
			}
		})
	}
}

// TestRenderSymlinkedAppDir refuses an app path that is a symlink out of the
// repository.
func TestRenderSymlinkedAppDir(t *testing.T) {
	root := rendertest.CopyTree(t, "testdata/basic")
	if err := os.Symlink(t.TempDir(), filepath.Join(root, "apps/escape")); err != nil {
		t.Fatal(err)
	}
	_, err := yaml.Renderer{}.Render(context.Background(), render.Input{Root: root, Path: "apps/escape"})
	if err == nil || !strings.Contains(err.Error(), "app path apps/escape: path escapes from parent") {
		t.Fatalf("error = %v, want the app path refused", err)
	}
}

func TestDecodeLines(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"syntax in second document", "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nb: [1\nc: 2\n", "f.yaml: line 5: did not find expected ',' or ']'"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", "f.yaml: line 3: did not find expected key"},
		{"unclosed flow mapping", "a: {b: 1\n", "f.yaml: line 2: did not find expected ',' or '}'"},
		{"mapping in scalar", "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\na: b: c\n", "f.yaml: line 5: mapping values are not allowed in this context"},
		{"unknown anchor", "a: *nope\n", "f.yaml: unknown anchor 'nope' referenced"},
		{"tab", "a: 1\n\tb: 2\n", "f.yaml: line 2: found a tab character that violates indentation"},
		{"duplicate key", "apiVersion: v1\nkind: A\nkind: B\n", "f.yaml: document 1: line 3: mapping key \"kind\" already defined"},
		{"infinity", "apiVersion: v1\nkind: A\nmetadata: {name: a}\nx: .inf\n", "f.yaml: document 1: line 4: .inf cannot be represented in JSON"},
		{"missing all", "---\nfoo: bar\n", "f.yaml: document 1: line 2: missing apiVersion, kind, metadata.name"},
		{"scalar", "just text\n", "f.yaml: document 1: line 1: a manifest must be a mapping, found the scalar \"just text\""},
		{"bad list item", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: A\n", "f.yaml: document 1: line 1: List item 1: missing metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := yaml.Decode("f.yaml", []byte(tt.data))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	objs, err := yaml.Decode("v.yaml", []byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: v}
spec:
  str: yes
  int: 42
  hex: 0x1f
  neg: -7
  float: 1.5
  huge: 123456789012345678901234567890
  null: ~
  ts: 2001-12-14t21:59:43.10-05:00
  quoted: "42"
`))
	if err != nil {
		t.Fatal(err)
	}
	spec := objs[0].Object["spec"].(map[string]any)
	want := map[string]any{
		"str": "yes", "int": int64(42), "hex": int64(31), "neg": int64(-7), "float": 1.5,
		"huge": 1.2345678901234568e+29, "null": nil, "ts": "2001-12-14t21:59:43.10-05:00", "quoted": "42",
	}
	for k, w := range want {
		if got := spec[k]; got != w {
			t.Errorf("%s = %#v (%T), want %#v (%T)", k, got, got, w, w)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	in := render.Input{Root: "testdata/basic", Path: "apps/web"}
	first, err := yaml.Renderer{}.Render(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := yaml.Renderer{}.Render(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if string(rendertest.Dump(t, again)) != string(rendertest.Dump(t, first)) {
			t.Fatal("two renders of the same tree differ")
		}
	}
}

func TestRenderCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := yaml.Renderer{}.Render(ctx, render.Input{Root: "testdata/basic", Path: "apps/web"})
	if err != context.Canceled {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func hasOrigin(objs []*unstructured.Unstructured, origin string) bool {
	for _, o := range objs {
		if render.Origin(o) == origin {
			return true
		}
	}
	return false
}
