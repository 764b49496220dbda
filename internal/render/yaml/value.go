package yaml

import (
	"fmt"
	"math"

	goyaml "go.yaml.in/yaml/v3"
)

// value converts a YAML node into the JSON-compatible value unstructured
// objects hold: map[string]any, []any, string, int64, float64, bool or nil.
// Scalars keep their source text unless tagged int, float, bool or null, so
// timestamps stay strings as they do with kubectl.
func value(n *goyaml.Node) (any, error) {
	switch n.Kind {
	case goyaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return value(n.Content[0])
	case goyaml.AliasNode:
		return value(n.Alias)
	case goyaml.SequenceNode:
		return sequence(n)
	case goyaml.MappingNode:
		m := map[string]any{}
		return m, mapping(n, m)
	default:
		return scalar(n)
	}
}

func sequence(n *goyaml.Node) ([]any, error) {
	out := make([]any, 0, len(n.Content))
	for _, c := range n.Content {
		v, err := value(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// mapping fills m from n. Explicit keys win over merged ones ("<<"); a key
// written twice is an error.
func mapping(n *goyaml.Node, m map[string]any) error {
	seen := map[string]bool{}
	var merges []*goyaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == goyaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != goyaml.ScalarNode {
			return fmt.Errorf("line %d: mapping key must be a scalar, found %s", k.Line, kindName(k))
		}
		if seen[k.Value] {
			return fmt.Errorf("line %d: mapping key %q already defined", k.Line, k.Value)
		}
		seen[k.Value] = true
		val, err := value(v)
		if err != nil {
			return err
		}
		m[k.Value] = val
	}
	for _, mn := range merges {
		if err := merge(mn, m); err != nil {
			return err
		}
	}
	return nil
}

// merge applies a "<<" value (a mapping or a sequence of mappings) under the
// keys already set.
func merge(n *goyaml.Node, m map[string]any) error {
	if n.Kind == goyaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case goyaml.MappingNode:
		src := map[string]any{}
		if err := mapping(n, src); err != nil {
			return err
		}
		for k, v := range src {
			if _, set := m[k]; !set {
				m[k] = v
			}
		}
		return nil
	case goyaml.SequenceNode:
		for _, c := range n.Content {
			if err := merge(c, m); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: merge value must be a mapping or a list of mappings", n.Line)
}

func scalar(n *goyaml.Node) (any, error) {
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		return b, decodeScalar(n, &b)
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			var f float64 // beyond int64: JSON keeps it as a number
			return f, decodeScalar(n, &f)
		}
		return i, nil
	case "!!float":
		var f float64
		if err := decodeScalar(n, &f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("line %d: %s cannot be represented in JSON", n.Line, n.Value)
		}
		return f, nil
	}
	return n.Value, nil
}

func decodeScalar(n *goyaml.Node, out any) error {
	if err := n.Decode(out); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

func kindName(n *goyaml.Node) string {
	switch n.Kind {
	case goyaml.SequenceNode:
		return "a list"
	case goyaml.MappingNode:
		return "a mapping"
	case goyaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("the scalar %q", n.Value)
}
