package helm

import (
	"errors"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// userValues merges the app's values files, in order, and then its inline
// values, the way `helm -f a.yaml -f b.yaml --set …` does: mappings merge
// key by key, anything else is replaced. The chart's own defaults are
// merged under these when rendering.
func userValues(q Request) (map[string]any, error) {
	out := map[string]any{}
	if len(q.Chart.ValuesFiles) > 0 {
		r, err := os.OpenRoot(q.Root)
		if err != nil {
			return nil, fmt.Errorf("open repository tree: %w", err)
		}
		defer r.Close()
		for _, f := range q.Chart.ValuesFiles {
			vals, err := readValues(r, repoPath(q.AppPath, f), q.Decrypt)
			if err != nil {
				return nil, fmt.Errorf("helm %s: %w", q.Chart, err)
			}
			out = mergeMaps(out, vals)
		}
	}
	if len(q.Chart.Values) > 0 {
		out = mergeMaps(out, deepCopy(q.Chart.Values))
	}
	return out, nil
}

// readValues reads one values file of the source, decrypting it first.
func readValues(r *os.Root, name string, decrypt func(string, []byte) ([]byte, error)) (map[string]any, error) {
	data, err := r.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("values file %s: %w", name, unwrapPath(err))
	}
	if decrypt != nil {
		if data, err = decrypt(name, data); err != nil {
			return nil, fmt.Errorf("values file %s: %w", name, err)
		}
	}
	var vals map[string]any
	if err := yaml.Unmarshal(data, &vals); err != nil {
		return nil, fmt.Errorf("values file %s: %w", name, errors.Unwrap(err))
	}
	if vals == nil {
		vals = map[string]any{}
	}
	return vals, nil
}

// mergeMaps merges b over a (helm's CLI semantics).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// deepCopy copies JSON-like data so that rendering never changes the
// app's config.
func deepCopy[T any](v T) T {
	return deepCopyAny(v).(T)
}

func deepCopyAny(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopyAny(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopyAny(e)
		}
		return l
	default:
		return v
	}
}
