package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// parseErrors parses files and returns the ErrorList, failing the test
// when there is none.
func parseErrors(t *testing.T, files ...File) ErrorList {
	t.Helper()
	cfg, err := Parse(files)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse: got (%v, %v), want an ErrorList", cfg, err)
	}
	return list
}

func yamlFile(name string, lines ...string) File {
	return File{Name: name, Data: []byte(strings.Join(lines, "\n") + "\n")}
}

func TestParseErrorFields(t *testing.T) {
	list := parseErrors(t, yamlFile("git:clusters/prod.yaml",
		"apiVersion: plumb.dev/v1alpha1",
		"kind: App",
		"metadata: {name: web}",
		"spec:",
		"  source: site",
		"  target: local",
		"  path: web",
		"  prun: true",
	))
	want := []*Error{
		{Pos: Pos{File: "git:clusters/prod.yaml", Line: 5}, Object: `App "web"`, Field: "spec.source", Msg: `Source "site" not found (no Source is defined)`},
		{Pos: Pos{File: "git:clusters/prod.yaml", Line: 6}, Object: `App "web"`, Field: "spec.target", Msg: `Target "local" not found (no Target is defined)`},
		{Pos: Pos{File: "git:clusters/prod.yaml", Line: 8}, Object: `App "web"`, Field: "spec.prun", Msg: `unknown field (did you mean "prune"?)`},
	}
	if !reflect.DeepEqual([]*Error(list), want) {
		t.Errorf("got\n%v\nwant\n%v", list, ErrorList(want))
	}
	var one *Error
	if !errors.As(error(list), &one) || one != list[0] {
		t.Errorf("errors.As(list, *Error) = %v, want the first error", one)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{Pos{"a.yaml", 3}, `App "web"`, "spec.prune", "bad"}, `a.yaml:3: App "web": spec.prune: bad`},
		{Error{Pos{"a.yaml", 3}, "", "", "invalid YAML: x"}, `a.yaml:3: invalid YAML: x`},
		{Error{Pos{"a.yaml", 0}, "App", "", "bad"}, `a.yaml: App: bad`},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestParseReportsEveryError checks that nothing stops at the first
// error, within a file and across files, and that the list is sorted by
// file then line whatever the order of the input.
func TestParseReportsEveryError(t *testing.T) {
	var files []File
	for f := 3; f > 0; f-- {
		var lines []string
		for i := range 10 {
			lines = append(lines, "---",
				"apiVersion: plumb.dev/v1alpha1",
				"kind: Target",
				fmt.Sprintf("metadata: {name: t%d-%d}", f, i),
				"spec: {files: {root: /srv, chekInterval: 5s}}")
		}
		files = append(files, yamlFile(fmt.Sprintf("f%d.yaml", f), lines...))
	}
	list := parseErrors(t, files...)
	if len(list) != 30 {
		t.Fatalf("got %d errors, want 30:\n%v", len(list), list)
	}
	sorted := slices.IsSortedFunc(list, func(a, b *Error) int {
		return strings.Compare(fmt.Sprintf("%s:%04d", a.Pos.File, a.Pos.Line), fmt.Sprintf("%s:%04d", b.Pos.File, b.Pos.Line))
	})
	if !sorted || list[0].Pos != (Pos{"f1.yaml", 5}) || list[29].Pos != (Pos{"f3.yaml", 50}) {
		t.Errorf("errors not sorted by file and line:\n%v", list)
	}
	for _, e := range list {
		if e.Msg != `unknown field (did you mean "checkInterval"?)` {
			t.Errorf("unexpected error %v", e)
		}
	}
}

func TestParseFileOrderDoesNotMatter(t *testing.T) {
	files := []File{
		yamlFile("b.yaml", "apiVersion: plumb.dev/v1alpha1", "kind: App", "metadata: {name: b}",
			"spec: {source: s, target: t, path: b, dependsOn: [a]}"),
		yamlFile("a.yaml", "apiVersion: plumb.dev/v1alpha1", "kind: App", "metadata: {name: a}",
			"spec: {source: s, target: t, path: a}",
			"---", "apiVersion: plumb.dev/v1alpha1", "kind: Source", "metadata: {name: s}",
			"spec: {git: {url: 'https://example.com/r.git'}}",
			"---", "apiVersion: plumb.dev/v1alpha1", "kind: Target", "metadata: {name: t}",
			"spec: {files: {root: /srv}}"),
	}
	one, err := Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	two, err := Parse([]File{files[1], files[0]})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, two) {
		t.Errorf("configs differ by file order:\n%+v\n%+v", one, two)
	}
	if got := one.Apps[1].Pos; got != (Pos{"b.yaml", 1}) {
		t.Errorf("App b Pos = %v, want b.yaml:1", got)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, files := range [][]File{nil, {{Name: "empty.yaml"}}, {yamlFile("c.yaml", "# only a comment", "---", "...")}} {
		cfg, err := Parse(files)
		if err != nil || cfg == nil || len(cfg.Sources)+len(cfg.Targets)+len(cfg.Apps) != 0 {
			t.Errorf("Parse(%v) = %+v, %v; want an empty config", files, cfg, err)
		}
	}
}

// TestErrorsDoNotEchoSecrets checks that credentials written into config
// by mistake do not reach error messages.
func TestErrorsDoNotEchoSecrets(t *testing.T) {
	doc := func(name, git string) []string {
		return []string{"---", "apiVersion: plumb.dev/v1alpha1", "kind: Source",
			"metadata: {name: " + name + "}", "spec: {git: " + git + "}"}
	}
	var lines []string
	lines = append(lines, doc("a", `{url: "https://deploy:SECRET1@example.com/r.git"}`)...)
	lines = append(lines, doc("b", `{url: "https://SECRET2@example.com/r.git"}`)...)
	lines = append(lines, doc("c", `{url: "ftp://u:SECRET3@example.com/r.git"}`)...)
	lines = append(lines, doc("d", `{url: "https://x:SECRET4@exa mple.com/r.git"}`)...)
	lines = append(lines, doc("e", `{url: "https://example.com/r.git", auth: {password: SECRET5}}`)...)
	lines = append(lines, doc("f", `{url: "https://example.com/r.git", auth: {passwordFile: 12345}}`)...)
	lines = append(lines, doc("g", `{url: 987654321}`)...)
	lines = append(lines, doc("h", `{url: "https://example.com/r.git", auth: {username: true}}`)...)
	list := parseErrors(t, yamlFile("secrets.yaml", lines...))
	if len(list) != 8 {
		t.Errorf("got %d errors, want 8:\n%v", len(list), list)
	}
	for _, secret := range []string{"SECRET", "12345", "987654321", "true"} {
		if strings.Contains(list.Error(), secret) {
			t.Errorf("errors echo %q:\n%v", secret, list)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]File{yamlFile("d.yaml",
		"apiVersion: plumb.dev/v1alpha1", "kind: Source", "metadata: {name: s}",
		"spec: {git: {url: 'https://example.com/r.git'}}",
		"---", "apiVersion: plumb.dev/v1alpha1", "kind: Target", "metadata: {name: t}",
		"spec: {files: {root: /srv/x/, afterApply: {command: 'true'}, healthCheck: {command: 'true'}}}",
		"---", "apiVersion: plumb.dev/v1alpha1", "kind: Target", "metadata: {name: k}",
		"spec: {kubernetes: {}}",
		"---", "apiVersion: plumb.dev/v1alpha1", "kind: App", "metadata: {name: a}",
		"spec: {source: s, target: t, path: ./x/}",
	)})
	if err != nil {
		t.Fatal(err)
	}
	g, f, k, a := cfg.Source("s").Git, cfg.Target("t").Files, cfg.Target("k").Kubernetes, cfg.App("a")
	checks := []struct {
		name      string
		got, want any
	}{
		{"source interval", g.Interval.Duration, DefaultSourceInterval},
		{"branch", g.Branch, DefaultBranch},
		{"target kinds", cfg.Target("t").Kind + "," + cfg.Target("k").Kind, "files,kubernetes"},
		{"files root", f.Root, "/srv/x"},
		{"check interval", f.CheckInterval.Duration, DefaultCheckInterval},
		{"afterApply timeout", f.AfterApply.Timeout.Duration, DefaultHookTimeout},
		{"healthCheck timeout", f.HealthCheck.Timeout.Duration, DefaultHookTimeout},
		{"inventory namespace", k.InventoryNamespace, DefaultInventoryNamespace},
		{"concurrency", k.Concurrency, DefaultConcurrency},
		{"app interval", a.Interval.Duration, DefaultAppInterval},
		{"app timeout", a.Timeout.Duration, DefaultAppTimeout},
		{"app path", a.Path, "x"},
		{"hook timeout constant", DefaultHookTimeout, 30 * time.Second},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestParseNestedMerges parses a document whose merge keys would expand
// to 10^20 fields if each merge were expanded every time it is reached.
func TestParseNestedMerges(t *testing.T) {
	lines := []string{"apiVersion: plumb.dev/v1alpha1", "kind: Target", "metadata: {name: t}",
		"anchors:", "  m0: &m0 {root: /srv}"}
	for i := 1; i <= 20; i++ {
		refs := strings.Repeat(fmt.Sprintf("*m%d, ", i-1), 10)
		lines = append(lines, fmt.Sprintf("  m%d: &m%d {<<: [%s]}", i, i, strings.TrimSuffix(refs, ", ")))
	}
	lines = append(lines, "spec: {files: {<<: *m20}}")
	list := parseErrors(t, yamlFile("merge.yaml", lines...))
	want := `merge.yaml:4: Target "t": anchors: unknown field (known: apiVersion, kind, metadata, spec)`
	if list.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", list, want)
	}
}
