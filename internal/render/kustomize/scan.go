package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"

	goyaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// Names are the file names kustomize reads as a kustomization, in the order
// it tries them.
var Names = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// scanner checks a tree of kustomizations before kustomize sees it. Kustomize
// fetches remote bases (git clone) and remote files (HTTP GET) on its own,
// before any file system is involved, so they must be refused up front. The
// scanner also refuses references that leave the repository (by ".." or a
// symlink), and Helm charts, naming the kustomization file that holds them.
type scanner struct {
	root    *os.Root
	visited map[string]bool
	openAPI bool // some kustomization sets openapi: (global kustomize state)
}

// find returns the kustomization file in dir ("" if none).
func find(root *os.Root, dir string) string {
	for _, n := range Names {
		fi, err := root.Stat(path.Join(dir, n))
		if err == nil && fi.Mode().IsRegular() {
			return path.Join(dir, n)
		}
	}
	return ""
}

// scan checks the kustomization in dir and, recursively, every local
// kustomization it refers to.
func (s *scanner) scan(dir string) error {
	if s.visited[dir] {
		return nil
	}
	s.visited[dir] = true
	file := find(s.root, dir)
	if file == "" {
		return nil // a plain directory of resources; kustomize reports it if wrong
	}
	data, err := s.root.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: %w", file, unwrapPath(err))
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(k.OpenAPI) > 0 {
		s.openAPI = true
	}
	if len(k.HelmCharts) > 0 || len(k.HelmChartInflationGenerator) > 0 {
		return fmt.Errorf("%s: helmCharts are not supported: render the chart with a helm app", file)
	}
	for _, r := range refs(&k) {
		if err := s.check(file, dir, r); err != nil {
			return err
		}
	}
	return s.plugins(file, dir, &k)
}

// plugins checks the paths inside generator, transformer and validator
// configs (inline or in files): builtin plugins such as PatchTransformer
// load them relative to the kustomization.
func (s *scanner) plugins(file, dir string, k *types.Kustomization) error {
	fields := map[string][]string{"generators": k.Generators, "transformers": k.Transformers, "validators": k.Validators}
	for _, name := range []string{"generators", "transformers", "validators"} {
		for _, entry := range fields[name] {
			data, where := []byte(entry), name+" (inline config)"
			if !strings.Contains(entry, "\n") {
				where = name + " config " + entry
				b, err := s.root.ReadFile(path.Join(dir, entry))
				if err != nil {
					continue // a directory, or missing: scanned or reported elsewhere
				}
				data = b
			}
			for _, v := range configPaths(data) {
				if err := s.check(file, dir, ref{field: where, value: v, plugin: true}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pathKeys are the plugin config fields that name files.
var pathKeys = map[string]bool{"path": true, "paths": true, "files": true, "envs": true, "env": true, "resources": true}

// configPaths returns the string values of pathKeys fields anywhere in a
// YAML stream. Unparseable configs yield nothing; kustomize reports them.
func configPaths(data []byte) []string {
	var out []string
	dec := goyaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return out
		}
		out = appendPaths(out, doc, false)
	}
}

func appendPaths(out []string, v any, named bool) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			out = appendPaths(out, c, pathKeys[k])
		}
	case []any:
		for _, c := range v {
			out = appendPaths(out, c, named)
		}
	case string:
		if named {
			if _, p, ok := strings.Cut(v, "="); ok && !strings.Contains(v, "://") {
				v = p
			}
			out = append(out, v)
		}
	}
	return out
}

// ref is one path a kustomization names, and the field naming it.
type ref struct {
	field  string
	value  string
	base   bool // may be a directory (a kustomization) as well as a file
	plugin bool // found inside a plugin config, where "path" may be a field path
}

func refs(k *types.Kustomization) []ref {
	var out []ref
	add := func(field string, base bool, values ...string) {
		for _, v := range values {
			if v != "" && !strings.Contains(v, "\n") { // multi-line entries are inline YAML
				out = append(out, ref{field: field, value: v, base: base})
			}
		}
	}
	add("resources", true, k.Resources...)
	add("bases", true, k.Bases...)
	add("components", true, k.Components...)
	add("generators", true, k.Generators...)
	add("transformers", true, k.Transformers...)
	add("validators", true, k.Validators...)
	add("crds", false, k.Crds...)
	add("configurations", false, k.Configurations...)
	add("openapi.path", false, k.OpenAPI["path"])
	for _, p := range k.Patches {
		add("patches", false, p.Path)
	}
	for _, p := range k.PatchesJson6902 {
		add("patchesJson6902", false, p.Path)
	}
	for _, p := range k.PatchesStrategicMerge {
		add("patchesStrategicMerge", false, string(p))
	}
	for _, r := range k.Replacements {
		add("replacements", false, r.Path)
	}
	for _, g := range k.ConfigMapGenerator {
		add("configMapGenerator", false, sources(g.KvPairSources)...)
	}
	for _, g := range k.SecretGenerator {
		add("secretGenerator", false, sources(g.KvPairSources)...)
	}
	return out
}

// sources returns the file paths of a generator's files (written
// "[key=]path") and env files.
func sources(kv types.KvPairSources) []string {
	out := append([]string{kv.EnvSource}, kv.EnvSources...)
	for _, f := range kv.FileSources {
		if _, p, ok := strings.Cut(f, "="); ok {
			f = p
		}
		out = append(out, f)
	}
	return out
}

// check refuses a remote or escaping reference and scans local
// kustomizations it leads to.
func (s *scanner) check(file, dir string, r ref) error {
	target := path.Join(dir, r.value)
	isFile := false
	fi, statErr := s.root.Stat(target)
	if statErr == nil {
		isFile = fi.Mode().IsRegular()
	}
	// An existing local file is read as a file; anything else that looks
	// remote is fetched by kustomize.
	if Remote(r.value) && !(isFile && !strings.Contains(r.value, "://")) {
		return fmt.Errorf("%s: %s entry %q is remote: plumb renders only what the repository holds (vendor it into the repository)", file, r.field, r.value)
	}
	if r.plugin {
		return nil // field paths look like file paths; repoFS confines real loads
	}
	if path.IsAbs(r.value) {
		return fmt.Errorf("%s: %s entry %q: absolute paths are not allowed", file, r.field, r.value)
	}
	if target == ".." || strings.HasPrefix(target, "../") {
		return fmt.Errorf("%s: %s entry %q resolves outside the repository", file, r.field, r.value)
	}
	if statErr != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			return nil // kustomize reports what is missing
		}
		if strings.Contains(statErr.Error(), "path escapes from parent") {
			return fmt.Errorf("%s: %s entry %q is a symlink leading outside the repository", file, r.field, r.value)
		}
		return fmt.Errorf("%s: %s entry %q: %w", file, r.field, r.value, unwrapPath(statErr))
	}
	if r.base && fi.IsDir() {
		return s.scan(target)
	}
	return nil
}

var userAt = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// Remote reports whether kustomize would fetch a reference over the network:
// a URL ("https://", "ssh://", "file://" ...), an scp-style "user@host:path",
// a "github.com/org/repo" shorthand, or any of these after "git::". It errs
// on the side of remote.
func Remote(v string) bool {
	s := strings.TrimSpace(v)
	lower := strings.ToLower(s)
	if rest, ok := strings.CutPrefix(lower, "git::"); ok {
		lower, s = rest, s[len("git::"):]
	}
	return strings.Contains(lower, "://") ||
		userAt.MatchString(s) ||
		strings.HasPrefix(lower, "github.com/") || strings.HasPrefix(lower, "github.com:")
}
