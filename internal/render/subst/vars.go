package subst

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// DecryptFunc decrypts a file's content when it is encrypted (the caller
// knows the app's keys); it returns plain content unchanged.
type DecryptFunc func(file string, data []byte) ([]byte, error)

// LoadVars reads variables from files of the repository tree at root, each
// relative to the app's path, in order (later files win): a YAML or JSON
// mapping of names to scalars, or a ConfigMap or Secret (data, and a
// Secret's stringData; a Secret's data is base64-decoded). Errors name the
// file and never a value.
func LoadVars(root, appPath string, files []string, decrypt DecryptFunc) (map[string]string, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repository tree: %w", err)
	}
	defer r.Close()
	vars := map[string]string{}
	for _, f := range files {
		name := path.Join(appPath, f)
		data, err := r.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("substitute: read %s: %w", name, errors.Unwrap(err))
		}
		if decrypt != nil {
			if data, err = decrypt(name, data); err != nil {
				return nil, fmt.Errorf("substitute: %w", err)
			}
		}
		got, err := parseVars(data)
		if err != nil {
			return nil, fmt.Errorf("substitute: %s: %w", name, err)
		}
		for k, v := range got {
			vars[k] = v
		}
	}
	return vars, nil
}

// parseVars reads one variables file.
func parseVars(data []byte) (map[string]string, error) {
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, errors.New("not a YAML mapping of names to values")
	}
	kind, _ := m["kind"].(string)
	if _, isObj := m["apiVersion"]; isObj && (kind == "ConfigMap" || kind == "Secret") {
		return objectVars(m, kind)
	}
	out := map[string]string{}
	for _, k := range sortedKeys(m) {
		s, err := scalar(m[k])
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", k, err)
		}
		out[k] = s
	}
	return out, nil
}

// objectVars reads the data of a ConfigMap or Secret.
func objectVars(m map[string]any, kind string) (map[string]string, error) {
	out := map[string]string{}
	data, _ := m["data"].(map[string]any)
	for k, v := range data {
		s, _ := v.(string)
		if kind == "Secret" {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("Secret data %s is not base64", k)
			}
			s = string(b)
		}
		out[k] = s
	}
	if kind == "Secret" {
		sd, _ := m["stringData"].(map[string]any)
		for k, v := range sd {
			out[k], _ = v.(string)
		}
	}
	return out, nil
}

func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	default:
		return "", errors.New("must be a string, number or boolean")
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
