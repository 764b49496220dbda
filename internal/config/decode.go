package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var (
	durationType = reflect.TypeFor[Duration]()
	rawType      = reflect.TypeFor[rawNode]()
)

// rawNode keeps a YAML node undecoded (the spec, until the kind is known).
type rawNode struct{ node *yaml.Node }

// decoder decodes YAML nodes strictly into the schema structs, using their
// JSON field names, recording each field's line in the document and every
// problem as an error.
type decoder struct {
	doc *document
}

// decode stores n into v. path names v in errors; skip lists field names
// of v (a struct) that may not be set from YAML.
func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value, skip ...string) {
	n = resolveAlias(n)
	if v.Type() == rawType {
		v.Set(reflect.ValueOf(rawNode{node: n}))
		return
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, path, v.Elem(), skip...)
		return
	}
	if isNull(n) {
		return
	}
	if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
		nd.decodeNode(d, n, path)
		return
	}
	switch {
	case v.Type() == durationType:
		d.duration(n, path, v)
	case v.Kind() == reflect.Struct:
		d.structure(n, path, v, skip)
	case v.Kind() == reflect.String:
		d.str(n, path, v)
	case v.Kind() == reflect.Bool:
		d.boolean(n, path, v)
	case v.CanInt():
		d.integer(n, path, v)
	case v.Kind() == reflect.Slice:
		d.list(n, path, v)
	default:
		panic("config: unsupported schema type " + v.Type().String())
	}
}

// structure decodes a mapping into the struct v field by field.
func (d *decoder) structure(n *yaml.Node, path string, v reflect.Value, skip []string) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, "a mapping")
		return
	}
	fields := fieldsOf(v.Type(), skip)
	for _, e := range d.entries(n, path) {
		name := e.key.Value
		field := join(path, name)
		i, ok := fields.index[name]
		if !ok {
			d.doc.errs.add(Pos{File: d.doc.pos.File, Line: e.key.Line}, d.doc.object(), field,
				"unknown field%s", suggest(name, fields.names))
			continue
		}
		d.doc.lines[field] = e.key.Line
		d.decode(e.val, field, v.Field(i))
	}
}

// str decodes a scalar string.
func (d *decoder) str(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!timestamp") {
		d.wrongType(n, path, "a string")
		return
	}
	v.SetString(n.Value)
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string, v reflect.Value) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		d.wrongType(n, path, "a boolean (true or false)")
		return
	}
	v.SetBool(b)
}

// integer decodes a whole number.
func (d *decoder) integer(n *yaml.Node, path string, v reflect.Value) {
	var i int64
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
		d.wrongType(n, path, "a whole number")
		return
	}
	v.SetInt(i)
}

// duration decodes a positive Go duration string like "30s".
func (d *decoder) duration(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.wrongType(n, path, `a duration like "30s" or "5m"`)
		return
	}
	quoted, _ := json.Marshal(n.Value)
	var dur Duration
	if err := dur.UnmarshalJSON(quoted); err != nil {
		d.errorAt(n, path, "%v", err)
		return
	}
	if dur.Duration == 0 {
		d.errorAt(n, path, "invalid duration %q: must be greater than zero", n.Value)
		return
	}
	v.Set(reflect.ValueOf(dur))
}

// list decodes a sequence into the slice v.
func (d *decoder) list(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, path, "a list")
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		field := fmt.Sprintf("%s[%d]", path, i)
		d.doc.lines[field] = item.Line
		d.decode(item, field, s.Index(i))
	}
	if s.Len() > 0 {
		v.Set(s)
	}
}

// wrongType records that n is not what the field wants.
func (d *decoder) wrongType(n *yaml.Node, path, want string) {
	got := describe(n, isSecret(path))
	hint := ""
	if want == "a string" && n.Kind == yaml.ScalarNode {
		hint = " (quote the value to make it a string)"
	}
	d.errorAt(n, path, "wrong type: must be %s, got %s%s", want, got, hint)
}

// errorAt records an error about path at the line of node n.
func (d *decoder) errorAt(n *yaml.Node, path, format string, args ...any) {
	d.doc.failed[path] = true
	d.doc.errs.add(Pos{File: d.doc.pos.File, Line: n.Line}, d.doc.object(), path, format, args...)
}

// isSecret reports whether values under path must not be echoed in errors.
func isSecret(path string) bool {
	return strings.Contains(path, ".auth") || strings.HasSuffix(path, ".url")
}

// describe names a node's type, and its value unless secret.
func describe(n *yaml.Node, secret bool) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	kind := map[string]string{
		"!!str": "string", "!!int": "number", "!!float": "number",
		"!!bool": "boolean", "!!timestamp": "timestamp", "!!binary": "binary",
	}[n.Tag]
	if kind == "" {
		kind = "value tagged " + n.Tag
	}
	if secret {
		return kind
	}
	if n.Tag == "!!str" {
		return fmt.Sprintf("%s %q", kind, truncate(n.Value))
	}
	return kind + " " + truncate(n.Value)
}

// truncate shortens long values echoed in errors.
func truncate(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "..."
}

// isNull reports whether n is an explicit or implicit null.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// resolveAlias follows YAML aliases (*name) to the anchored node.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
