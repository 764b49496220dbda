package render_test

import (
	"context"
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"plumb.dev/plumb/internal/render"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		path, want, wantErr string
	}{
		{"plain", "yaml", ""},
		{"kust", "kustomize", ""},
		{"", "yaml", ""},
		{"nope", "", "app path nope: no such directory in the repository"},
		{"plain/cm.yaml", "", "app path plain/cm.yaml: not a directory"},
		{"../x", "", `app path "../x": must be relative and inside the repository`},
	}
	for _, tt := range tests {
		got, err := render.Detect(render.Input{Root: "testdata/repo", Path: tt.path})
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Detect(%q) error = %v, want %q", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Detect(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

// TestRenderUnregistered: this test binary links no renderer, so Render
// must say which import is missing rather than fall back silently.
func TestRenderUnregistered(t *testing.T) {
	_, err := render.Render(context.Background(), render.Input{Root: "testdata/repo", Path: "kust"})
	if !errors.Is(err, render.ErrNoRenderer) {
		t.Fatalf("error = %v, want ErrNoRenderer", err)
	}
	want := `render kust: renderer not registered: "kustomize" (import plumb.dev/plumb/internal/render/kustomize)`
	if err.Error() != want {
		t.Errorf("error = %q\nwant %q", err, want)
	}
}

func TestCleanPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "."}, {".", "."}, {"apps/web/", "apps/web"}, {"apps/../web", "web"}, {`apps\web`, "apps/web"},
	}
	for _, tt := range tests {
		if got, err := render.CleanPath(tt.in); err != nil || got != tt.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"/etc", "..", "../x", "a/../../x"} {
		if _, err := render.CleanPath(bad); err == nil {
			t.Errorf("CleanPath(%q) succeeded", bad)
		}
	}
}

func TestOrigins(t *testing.T) {
	a := newObj("v1", "ConfigMap", "a", "")
	b := newObj("v1", "ConfigMap", "b", "")
	b.SetAnnotations(map[string]string{"keep": "me"})
	render.SetOrigin(a, "apps/web/cm.yaml", 2)
	render.SetOrigin(b, "apps/web/kustomization.yaml", 0)
	if got := render.Origin(a); got != "apps/web/cm.yaml#2" {
		t.Errorf("Origin(a) = %q", got)
	}
	if got := render.Origin(b); got != "apps/web/kustomization.yaml" {
		t.Errorf("Origin(b) = %q", got)
	}
	render.StripOrigins([]*unstructured.Unstructured{a, b})
	if _, found, _ := unstructured.NestedFieldNoCopy(a.Object, "metadata", "annotations"); found {
		t.Errorf("a keeps an annotations map: %v", a.Object["metadata"])
	}
	if got := b.GetAnnotations(); len(got) != 1 || got["keep"] != "me" {
		t.Errorf("b annotations = %v, want only keep=me", got)
	}
}

func TestSetDefaultNamespace(t *testing.T) {
	objs := []*unstructured.Unstructured{
		newObj("v1", "ConfigMap", "cm", ""),
		newObj("v1", "ConfigMap", "other", "elsewhere"),
		newObj("v1", "Namespace", "ns", ""),
	}
	namespaced := func(gvk schema.GroupVersionKind) (bool, error) { return gvk.Kind != "Namespace", nil }
	if err := render.SetDefaultNamespace(objs, "app", namespaced); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"app", "elsewhere", ""} {
		if got := objs[i].GetNamespace(); got != want {
			t.Errorf("%s namespace = %q, want %q", objs[i].GetName(), got, want)
		}
	}
	failing := func(schema.GroupVersionKind) (bool, error) { return false, errors.New("no discovery") }
	err := render.SetDefaultNamespace([]*unstructured.Unstructured{newObj("x/v1", "Thing", "t", "")}, "app", failing)
	if err == nil || err.Error() != "scope of Thing t: no discovery" {
		t.Errorf("error = %v", err)
	}
}

func newObj(apiVersion, kind, name, ns string) *unstructured.Unstructured {
	o := &unstructured.Unstructured{}
	o.SetAPIVersion(apiVersion)
	o.SetKind(kind)
	o.SetName(name)
	o.SetNamespace(ns)
	return o
}
