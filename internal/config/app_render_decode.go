package config

import (
	"encoding/json"
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

// nodeDecoder is a schema type that decodes its own YAML node, for fields
// whose shape is not a struct, string, number or list.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

var (
	_ nodeDecoder = (*Values)(nil)
	_ nodeDecoder = (*Vars)(nil)
)

// decodeNode reads any mapping, keeping only JSON-compatible values so that
// the values hash and compare the same way everywhere.
func (v *Values) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, "a mapping")
		return
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		d.errorAt(n, path, "invalid values: %v", err)
		return
	}
	b, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		d.errorAt(n, path, "values must be plain data (strings, numbers, booleans, lists, mappings): %v", err)
		return
	}
	*v = m
}

// varNameRE is the shape of a substitution variable name.
var varNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decodeNode reads a mapping of variable names to scalar values.
func (v *Vars) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, "a mapping of names to values")
		return
	}
	out := Vars{}
	for _, e := range d.entries(n, path) {
		field := join(path, e.key.Value)
		d.doc.lines[field] = e.key.Line
		if !varNameRE.MatchString(e.key.Value) {
			d.errorAt(e.key, field, "invalid variable name %q: use letters, digits and '_', not starting with a digit", truncate(e.key.Value))
			continue
		}
		val := resolveAlias(e.val)
		if isNull(val) {
			d.errorAt(val, field, "must not be empty: quote \"\" for an empty value")
			continue
		}
		if val.Kind != yaml.ScalarNode {
			d.wrongType(val, field, "a string, number or boolean")
			continue
		}
		out[e.key.Value] = val.Value
	}
	*v = out
}

// String names a Helm chart's location for messages.
func (h *HelmChart) String() string {
	switch {
	case h.OCI != "":
		return h.OCI
	case h.Repo != "":
		return fmt.Sprintf("%s in %s", h.Chart, h.Repo)
	default:
		return h.Chart
	}
}
