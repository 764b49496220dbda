package api

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"plumb.dev/plumb"
)

// Redacted replaces every Secret value the API would otherwise show.
const Redacted = "<redacted>"

// RenderedOf turns desired state into its API form; Secret values are
// redacted.
func RenderedOf(app string, d plumb.Desired) (Rendered, error) {
	out := Rendered{App: app, Revision: d.Revision}
	for _, f := range d.Files {
		out.Files = append(out.Files, RenderedFile{Path: f.Path, Mode: fmt.Sprintf("%04o", f.Mode.Perm()), Content: string(f.Data)})
	}
	var b strings.Builder
	for _, o := range d.Objects {
		obj := o.DeepCopy().Object
		if o.GetKind() == "Secret" && o.GetAPIVersion() == "v1" {
			redactValues(obj, "data")
			redactValues(obj, "stringData")
		}
		y, err := yaml.Marshal(obj)
		if err != nil {
			return Rendered{}, fmt.Errorf("encode %s/%s: %w", o.GetKind(), o.GetName(), err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	out.Manifests = b.String()
	return out, nil
}

func redactValues(obj map[string]any, field string) {
	m, ok := obj[field].(map[string]any)
	if !ok {
		return
	}
	for k := range m {
		m[k] = Redacted
	}
}
