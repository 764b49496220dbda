package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppRenderGolden loads the cases under testdata/app-render (Helm,
// decryption and substitution settings of Apps) like TestGolden does.
func TestAppRenderGolden(t *testing.T) {
	cases := []struct{ dir, about string }{
		{"valid/helm", "charts from the source, a repo and OCI; values, keys, substitution"},
		{"invalid/helm", "chart sources, versions, paths, credentials, keys and variables"},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "app-render", tc.dir)
			cfg, err := Load(dir)
			if strings.HasPrefix(tc.dir, "valid/") {
				if err != nil {
					t.Fatalf("Load: unexpected error:\n%v", err)
				}
				checkGolden(t, filepath.Join(dir, "config.golden"), render(t, cfg))
				return
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Load: got %v, want an ErrorList", err)
			}
			checkGolden(t, filepath.Join(dir, "errors.golden"), err.Error()+"\n")
			checkWantMarkers(t, dir, list)
		})
	}
}

// TestAppRenderEqual: values and variables take part in App.Equal and
// App.Hash, so a changed value re-renders the app.
func TestAppRenderEqual(t *testing.T) {
	a := &App{Name: "a", Helm: &HelmChart{Chart: "c", Values: Values{"x": float64(1)}}, Substitute: &Substitute{Vars: Vars{"A": "1"}}}
	b := &App{Name: "a", Helm: &HelmChart{Chart: "c", Values: Values{"x": float64(1)}}, Substitute: &Substitute{Vars: Vars{"A": "1"}}}
	if !a.Equal(b) || a.Hash() != b.Hash() {
		t.Fatal("equal apps compare different")
	}
	b.Helm.Values["x"] = float64(2)
	if a.Equal(b) || a.Hash() == b.Hash() {
		t.Error("a changed value leaves the app equal")
	}
	b.Helm.Values["x"] = float64(1)
	b.Substitute.Vars["A"] = "2"
	if a.Equal(b) || a.Hash() == b.Hash() {
		t.Error("a changed variable leaves the app equal")
	}
}
