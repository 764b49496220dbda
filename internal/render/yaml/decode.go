package yaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	goyaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/render"
)

// Decode parses a stream of YAML documents from the named file into objects,
// each carrying render.OriginAnnotation "file#N" (N counts documents from 1,
// empty ones included, so N matches what an editor shows). Malformed YAML is
// an error naming file and line; a document without apiVersion, kind or
// metadata.name is an error naming file, document and line.
func Decode(file string, data []byte) ([]*unstructured.Unstructured, error) {
	dec := goyaml.NewDecoder(bytes.NewReader(data))
	var objs []*unstructured.Unstructured
	for n := 1; ; n++ {
		var doc goyaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, syntaxError(file, err)
		}
		got, err := decodeDocument(&doc)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, n, err)
		}
		for _, o := range got {
			render.SetOrigin(o, file, n)
		}
		objs = append(objs, got...)
	}
}

// decodeDocument turns one document into zero (empty document), one or,
// for a List, several objects.
func decodeDocument(doc *goyaml.Node) ([]*unstructured.Unstructured, error) {
	if len(doc.Content) == 0 {
		return nil, nil
	}
	body := doc.Content[0]
	v, err := value(body)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("line %d: a manifest must be a mapping, found %s", body.Line, kindName(body))
	}
	obj := &unstructured.Unstructured{Object: m}
	if isList(obj) {
		return listItems(obj, body.Line)
	}
	if err := validate(obj); err != nil {
		return nil, fmt.Errorf("line %d: %w", body.Line, err)
	}
	return []*unstructured.Unstructured{obj}, nil
}

func isList(obj *unstructured.Unstructured) bool {
	return obj.GetAPIVersion() == "v1" && obj.GetKind() == "List"
}

func listItems(list *unstructured.Unstructured, line int) ([]*unstructured.Unstructured, error) {
	items, _, err := unstructured.NestedSlice(list.Object, "items")
	if err != nil {
		return nil, fmt.Errorf("line %d: List items: %w", line, err)
	}
	objs := make([]*unstructured.Unstructured, 0, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		obj := &unstructured.Unstructured{Object: m}
		if !ok {
			return nil, fmt.Errorf("line %d: List item %d: not a mapping", line, i+1)
		}
		if err := validate(obj); err != nil {
			return nil, fmt.Errorf("line %d: List item %d: %w", line, i+1, err)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// validate checks the fields every applied object needs.
func validate(obj *unstructured.Unstructured) error {
	var missing []string
	for _, f := range [][]string{{"apiVersion"}, {"kind"}, {"metadata", "name"}} {
		s, ok, _ := unstructured.NestedString(obj.Object, f...)
		if !ok || s == "" {
			missing = append(missing, strings.Join(f, "."))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return nil
}
