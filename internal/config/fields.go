package config

import (
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// structFields maps the YAML names of a struct's settable fields to their
// indexes.
type structFields struct {
	index map[string]int
	names []string
}

// fieldsOf lists the fields of t by their JSON names, leaving out fields
// tagged "-" and the names in skip.
func fieldsOf(t reflect.Type, skip []string) structFields {
	f := structFields{index: map[string]int{}}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || slices.Contains(skip, name) {
			continue
		}
		f.index[name] = i
		f.names = append(f.names, name)
	}
	return f
}

// entry is one key/value pair of a mapping.
type entry struct{ key, val *yaml.Node }

// entries returns the pairs of mapping n, expanding merge keys (<<) so
// that explicit keys win over merged ones. It reports duplicate and
// non-string keys.
func (d *decoder) entries(n *yaml.Node, path string) []entry {
	return d.collect(n, path, map[*yaml.Node]bool{n: true})
}

// collect is entries with the set of mappings already expanded, so that
// each is merged once: nested merges cannot blow up exponentially.
func (d *decoder) collect(n *yaml.Node, path string, expanded map[*yaml.Node]bool) []entry {
	var own, merged []entry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Tag == "!!merge":
			merged = append(merged, d.merge(v, path, expanded)...)
		case k.Kind != yaml.ScalarNode || k.Tag != "!!str":
			d.errorAt(k, path, "field names must be strings, got %s", describe(k, false))
		case seen[k.Value] != 0:
			d.errorAt(k, join(path, k.Value), "duplicate field (first set at line %d)", seen[k.Value])
		default:
			seen[k.Value] = k.Line
			own = append(own, entry{k, v})
		}
	}
	for _, e := range merged {
		if seen[e.key.Value] == 0 {
			seen[e.key.Value] = e.key.Line
			own = append(own, e)
		}
	}
	return own
}

// merge returns the entries a merge key's value brings in: a mapping or a
// list of mappings (earlier ones win).
func (d *decoder) merge(v *yaml.Node, path string, expanded map[*yaml.Node]bool) []entry {
	v = resolveAlias(v)
	maps := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		maps = v.Content
	}
	var out []entry
	for _, m := range maps {
		m = resolveAlias(m)
		if m.Kind != yaml.MappingNode {
			d.errorAt(m, path, "merge (<<) needs a mapping or a list of mappings, got %s", describe(m, true))
			continue
		}
		if !expanded[m] {
			expanded[m] = true
			out = append(out, d.collect(m, path, expanded)...)
		}
	}
	return out
}
