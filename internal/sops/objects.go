package sops

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	goyaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"plumb.dev/plumb/internal/render"
)

// Encrypted reports whether a rendered object still carries SOPS metadata.
func Encrypted(obj *unstructured.Unstructured) bool {
	_, ok := obj.Object["sops"].(map[string]any)
	return ok
}

// DecryptObjects decrypts, in place, every object that carries SOPS
// metadata. The object's origin (render.OriginAnnotation) names the file
// it came from: the whole file is read from root and decrypted with ids
// (its MAC covers the file exactly as written), and each encrypted value of
// the object is replaced by the value at the same place in the file's
// document; the sops metadata is removed. Values a renderer changed on the
// way (a kustomize name prefix, labels) are kept. An encrypted object and no
// usable key is an error naming the file; no value is ever put in an error.
func DecryptObjects(root string, objs []*unstructured.Unstructured, ids *Identities) error {
	files := map[string][]map[string]any{}
	for _, o := range objs {
		if !Encrypted(o) {
			continue
		}
		file, doc := splitOrigin(render.Origin(o))
		if file == "" {
			return fmt.Errorf("%s %s is SOPS-encrypted but its file is unknown", o.GetKind(), o.GetName())
		}
		docs, ok := files[file]
		if !ok {
			var err error
			if docs, err = decryptRepoFile(root, file, ids); err != nil {
				return fmt.Errorf("decrypt %s: %w", file, err)
			}
			files[file] = docs
		}
		plain, err := pickDocument(docs, doc, o)
		if err != nil {
			return fmt.Errorf("decrypt %s: %w", file, err)
		}
		if err := replaceEncrypted(o.Object, plain, ""); err != nil {
			return fmt.Errorf("decrypt %s: %s %s: %w", file, o.GetKind(), o.GetName(), err)
		}
		delete(o.Object, "sops")
	}
	return nil
}

// splitOrigin splits "file#N" into file and N (0 when absent).
func splitOrigin(origin string) (string, int) {
	file, n, ok := strings.Cut(origin, "#")
	if !ok {
		return origin, 0
	}
	doc, err := strconv.Atoi(n)
	if err != nil {
		return origin, 0
	}
	return file, doc
}

// decryptRepoFile reads a file of the repository tree (not following
// symlinks out of it), decrypts it and returns its documents.
func decryptRepoFile(root, file string, ids *Identities) ([]map[string]any, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repository tree: %w", err)
	}
	defer r.Close()
	data, err := r.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read: %w", errors.Unwrap(err))
	}
	plain, err := Decrypt(data, FormatOf(file), ids)
	if err != nil {
		return nil, err
	}
	return documents(plain, FormatOf(file))
}

// documents splits a plain file into its documents (empty ones kept, so
// that indexes match the renderer's document numbers).
func documents(plain []byte, f Format) ([]map[string]any, error) {
	var docs []map[string]any
	if f == JSON {
		m, err := toJSONMap(plain)
		return append(docs, m), err
	}
	dec := goyaml.NewDecoder(bytes.NewReader(plain))
	for {
		var n goyaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, errors.New("decrypted file is not valid YAML")
		}
		b, err := goyaml.Marshal(&n)
		if err != nil {
			return nil, errors.New("decrypted file is not valid YAML")
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			return nil, errors.New("decrypted document cannot be converted to JSON")
		}
		m, err := toJSONMap(j)
		if err != nil {
			return nil, err
		}
		docs = append(docs, m)
	}
}

// toJSONMap decodes a JSON object with integers kept as int64.
func toJSONMap(j []byte) (map[string]any, error) {
	var m map[string]any
	if string(bytes.TrimSpace(j)) == "null" {
		return map[string]any{}, nil
	}
	if err := utiljson.Unmarshal(j, &m); err != nil {
		return nil, errors.New("decrypted document is not a mapping")
	}
	return m, nil
}

// pickDocument returns document n (from 1), or, without a number, the
// only document or the one of the object's kind whose name the object's
// name contains.
func pickDocument(docs []map[string]any, n int, o *unstructured.Unstructured) (map[string]any, error) {
	if n > 0 {
		if n > len(docs) {
			return nil, fmt.Errorf("document %d not found", n)
		}
		return docs[n-1], nil
	}
	var match []map[string]any
	for _, d := range docs {
		u := unstructured.Unstructured{Object: d}
		if len(docs) == 1 || (u.GetKind() == o.GetKind() && strings.Contains(o.GetName(), u.GetName())) {
			match = append(match, d)
		}
	}
	if len(match) != 1 {
		return nil, fmt.Errorf("cannot tell which document holds %s %s", o.GetKind(), o.GetName())
	}
	return match[0], nil
}

// replaceEncrypted replaces each "ENC[…]" string under obj by the value at
// the same place in plain.
func replaceEncrypted(obj, plain map[string]any, at string) error {
	for k, v := range obj {
		if k == "sops" && at == "" {
			continue
		}
		field := strings.TrimPrefix(at+"."+k, ".")
		pv, ok := plain[k]
		nv, err := replaceValue(v, pv, ok, field)
		if err != nil {
			return err
		}
		obj[k] = nv
	}
	return nil
}

// replaceValue is replaceEncrypted for one value of any type.
func replaceValue(v, pv any, found bool, field string) (any, error) {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, "ENC[") {
			return v, nil
		}
		if !found {
			return nil, fmt.Errorf("%s is encrypted but missing from the decrypted file", field)
		}
		return pv, nil
	case map[string]any:
		pm, _ := pv.(map[string]any)
		return x, replaceEncrypted(x, pm, field)
	case []any:
		pl, _ := pv.([]any)
		for i := range x {
			var item any
			if i < len(pl) {
				item = pl[i]
			}
			nv, err := replaceValue(x[i], item, i < len(pl), fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			x[i] = nv
		}
		return x, nil
	default:
		return v, nil
	}
}
