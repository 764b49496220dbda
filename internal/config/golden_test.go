package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenCases lists every directory under testdata/valid and
// testdata/invalid, with what it covers.
var goldenCases = []struct {
	dir   string
	about string
}{
	{"valid/example", "the documented example, verbatim, plus the App it depends on in a second file"},
	{"valid/multi-doc", "comments, empty documents, document end markers, anchors and merge keys"},
	{"valid/several-files", "nested dirs, .yml, hidden files and dirs skipped, other files ignored, sorting"},
	{"valid/refs", "every ref kind and URL form, kubernetes options, defaults"},
	{"valid/empty", "only comments and empty documents: an empty config"},
	{"invalid/unknown-fields", "unknown and duplicate fields at every level, with suggestions"},
	{"invalid/wrong-types", "wrong scalar and structure types, bad durations, one error per mistake"},
	{"invalid/missing-required", "required fields missing or empty, missing spec, apiVersion and kind"},
	{"invalid/names", "invalid names and duplicates within a kind, across files"},
	{"invalid/references", "dangling source, target and dependsOn references, repeated dependencies"},
	{"invalid/render-on-files", "helm on a files target: rendering settings only apply to kubernetes targets"},
	{"invalid/cycles", "dependency cycles of one, two and three apps"},
	{"invalid/git", "several refs, bad semver, commit, ref names, URLs and auth"},
	{"invalid/paths", "absolute and escaping app paths, bad target roots"},
	{"invalid/targets", "driver count, kubernetes options, app namespaces"},
	{"invalid/kinds", "unknown apiVersion and kinds, documents that are not mappings"},
	{"invalid/yaml-syntax", "syntax errors stop one file, not the others"},
	{"valid/notifiers", "every notifier provider, rules, rate limits and defaults"},
	{"invalid/notifiers", "notifier providers, secret files, URLs, events, app patterns, rate limits"},
	{"valid/receivers", "every receiver type, several sources"},
	{"invalid/receivers", "receiver types, secret files, missing, repeated and unknown sources"},
	{"valid/automation", "image policies of every kind, image updates with defaults, app sets of every generator"},
	{"invalid/imagepolicies", "image references, policy count, semver ranges, orders, tag filters, registry auth"},
	{"invalid/imageupdates", "sources, branches, paths, policies, push branch, message templates"},
	{"invalid/appsets", "generator count, globs, forge APIs, templates and placeholders, references"},
}

// TestGolden loads each case directory and compares the rendered config
// (valid cases) or the error messages (invalid cases) with its golden
// file. Invalid cases also mark every line that must have an error with
// "# want" ("# want N" for N errors), so that a missed or misplaced error
// fails even when the golden file is rewritten.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.dir)
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
			if cfg != nil {
				t.Errorf("Load returned a config along with errors")
			}
			checkGolden(t, filepath.Join(dir, "errors.golden"), err.Error()+"\n")
			checkWantMarkers(t, dir, list)
		})
	}
}

// TestGoldenCasesListed keeps goldenCases and testdata/ in step.
func TestGoldenCasesListed(t *testing.T) {
	var listed, found []string
	for _, tc := range goldenCases {
		listed = append(listed, tc.dir)
	}
	for _, group := range []string{"valid", "invalid"} {
		entries, err := os.ReadDir(filepath.Join("testdata", group))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			found = append(found, group+"/"+e.Name())
		}
	}
	slices.Sort(listed)
	slices.Sort(found)
	if !slices.Equal(listed, found) {
		t.Errorf("goldenCases = %v\ntestdata has %v", listed, found)
	}
}

// render shows a config with positions as indented JSON.
func render(t *testing.T, cfg *Config) string {
	t.Helper()
	type placed struct {
		Pos    string `json:"pos"`
		Object any    `json:"object"`
	}
	out := struct {
		Sources, Targets, Apps []placed
		DependencyOrder        []string
		Notifiers              []placed `json:",omitempty"`
		Receivers              []placed `json:",omitempty"`
		ImagePolicies          []placed `json:",omitempty"`
		ImageUpdates           []placed `json:",omitempty"`
		AppSets                []placed `json:",omitempty"`
	}{Sources: []placed{}, Targets: []placed{}, Apps: []placed{}, DependencyOrder: []string{}}
	for _, s := range cfg.Sources {
		out.Sources = append(out.Sources, placed{s.Pos.String(), s})
	}
	for _, tg := range cfg.Targets {
		out.Targets = append(out.Targets, placed{tg.Pos.String(), tg})
	}
	for _, a := range cfg.Apps {
		out.Apps = append(out.Apps, placed{a.Pos.String(), a})
	}
	for _, n := range cfg.Notifiers {
		out.Notifiers = append(out.Notifiers, placed{n.Pos.String(), n})
	}
	for _, r := range cfg.Receivers {
		out.Receivers = append(out.Receivers, placed{r.Pos.String(), r})
	}
	for _, p := range cfg.ImagePolicies {
		out.ImagePolicies = append(out.ImagePolicies, placed{p.Pos.String(), p})
	}
	for _, u := range cfg.ImageUpdates {
		out.ImageUpdates = append(out.ImageUpdates, placed{u.Pos.String(), u})
	}
	for _, s := range cfg.AppSets {
		out.AppSets = append(out.AppSets, placed{s.Pos.String(), s})
	}
	for _, a := range cfg.DependencyOrder() {
		out.DependencyOrder = append(out.DependencyOrder, a.Name)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

var wantMarker = regexp.MustCompile(`#\s*want(?:\s+(\d+))?\s*$`)

// checkWantMarkers checks that errors fall exactly on the lines marked
// "# want" in the case's YAML files, as many as marked.
func checkWantMarkers(t *testing.T, dir string, list ErrorList) {
	t.Helper()
	want := map[string]int{}
	files, err := ReadFiles(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for i, line := range strings.Split(string(f.Data), "\n") {
			if m := wantMarker.FindStringSubmatch(line); m != nil {
				n := 1
				if m[1] != "" {
					n, _ = strconv.Atoi(m[1])
				}
				want[fmt.Sprintf("%s:%d", f.Name, i+1)] = n
			}
		}
	}
	got := map[string]int{}
	for _, e := range list {
		got[e.Pos.String()]++
	}
	for _, pos := range sortedKeys(got) {
		if got[pos] != want[pos] {
			t.Errorf("%s: %d errors, want %d", pos, got[pos], want[pos])
		}
	}
	for _, pos := range sortedKeys(want) {
		if got[pos] == 0 {
			t.Errorf("%s: no error, want %d", pos, want[pos])
		}
	}
}
