package image

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// picks are the policies' choices in the setter tests.
var picks = map[string]Latest{
	"web":     {Image: "registry.example/web", Tag: "1.2.0"},
	"sidecar": {Image: "registry.example/sidecar", Tag: "0.2"},
	"init":    {Image: "registry.example/init", Tag: "1.1.0"},
	"numbers": {Image: "registry.example/numbers", Tag: "1.10"},
}

func lookupPicks(p string) (Latest, bool) {
	l, ok := picks[p]
	return l, ok
}

// TestSetGolden sets the markers of each file under testdata/setters and
// compares the result and the changes with golden files; it also checks
// that every byte outside the edited values is unchanged.
func TestSetGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/setters/*.yaml")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, changes, err := Set(filepath.Base(in), data, lookupPicks)
			if err != nil {
				t.Fatal(err)
			}
			checkOnlyValuesChanged(t, data, out, changes)
			js, _ := json.MarshalIndent(changes, "", "  ")
			golden(t, strings.TrimSuffix(in, ".yaml")+".golden", string(out)+"\n=== changes\n"+string(js)+"\n")
		})
	}
}

// checkOnlyValuesChanged undoes each change in out (in order) and expects
// the input back: nothing else may differ.
func checkOnlyValuesChanged(t *testing.T, in, out []byte, changes []Change) {
	t.Helper()
	lines := bytes.SplitAfter(out, []byte("\n"))
	orig := bytes.SplitAfter(in, []byte("\n"))
	if len(lines) != len(orig) {
		t.Fatalf("line count %d -> %d", len(orig), len(lines))
	}
	changed := map[int]Change{}
	for _, c := range changes {
		changed[c.Line] = c
	}
	for i := range lines {
		c, ok := changed[i+1]
		if !ok {
			if !bytes.Equal(lines[i], orig[i]) {
				t.Errorf("line %d changed without a marker:\n%q\n%q", i+1, orig[i], lines[i])
			}
			continue
		}
		back := strings.Replace(string(lines[i]), quoteLike(string(lines[i]), c.New), quoteLike(string(orig[i]), c.Old), 1)
		if back != string(orig[i]) {
			t.Errorf("line %d: more than the value changed:\n%q\n%q", i+1, orig[i], lines[i])
		}
	}
}

// quoteLike returns v as it appears in line: plain, or in the quotes
// around it.
func quoteLike(line, v string) string {
	for _, q := range []string{`"`, `'`} {
		if strings.Contains(line, q+v+q) {
			return q + v + q
		}
	}
	return v
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"block scalar", "image: |\n  registry.example/web:1 # {\"$imagepolicy\": \"web\"}\nx: 1 # {\"$imagepolicy\": \"web\"}\n", ""},
		{"malformed marker", "image: a:1 # {\"$imagepolicy\": \"a:b:c:d\"}\n", `f.yaml: line 1: malformed marker "a:b:c:d"`},
		{"bad yaml", "a: [\n", "f.yaml: parse YAML"},
		{"literal marked", "image: >- # {\"$imagepolicy\": \"web\"}\n  registry.example/web:1\n", "f.yaml:1: a marked value must be plain or quoted, not a block scalar"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Set("f.yaml", []byte(tc.in), lookupPicks)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestUpdateTree(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	marked := "image: registry.example/web:1.0.0 # {\"$imagepolicy\": \"web\"}\n"
	write("envs/staging/a.yaml", marked)
	write("envs/staging/b.yml", marked)
	write("envs/prod/a.yaml", marked)
	write("envs/staging/.hidden/c.yaml", marked)
	write("envs/staging/notes.txt", marked)
	changes, err := UpdateTree(root, []string{"envs/staging", "envs/staging/a.yaml"}, lookupPicks)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, c := range changes {
		files = append(files, c.File)
	}
	if strings.Join(files, ",") != "envs/staging/a.yaml,envs/staging/b.yml" {
		t.Errorf("changed %v", files)
	}
	b, _ := os.ReadFile(filepath.Join(root, "envs/prod/a.yaml"))
	if string(b) != marked {
		t.Errorf("a path outside paths changed: %s", b)
	}
	if info, _ := os.Stat(filepath.Join(root, "envs/staging/a.yaml")); info.Mode().Perm() != 0o640 {
		t.Errorf("mode not kept: %v", info.Mode())
	}
	if _, err := UpdateTree(root, []string{"../x"}, lookupPicks); err == nil {
		t.Error("escaping path: no error")
	}
	if _, err := UpdateTree(root, []string{"missing"}, lookupPicks); err == nil || !strings.Contains(err.Error(), `"missing" does not exist`) {
		t.Errorf("missing path: %v", err)
	}
}
