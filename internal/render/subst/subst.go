// Package subst replaces variables in rendered objects: ${VAR} and
// ${VAR:=default} in string values and mapping keys, with $${VAR} left as
// the literal text ${VAR}. Anything else that starts with $ (shell
// variables like $HOME or ${1}) is left as it is.
//
// Substitution works on values, after rendering, so it cannot break YAML
// syntax. A string that is exactly one reference, whose variable holds a
// number or a boolean, becomes that number or boolean (replicas:
// ${REPLICAS}) — except under fields that are always strings (data,
// stringData, binaryData, labels, annotations, value, args, command).
// Objects annotated plumb.dev/substitute: disabled are skipped.
package subst

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Annotation turns substitution off for one object when set to "disabled".
const Annotation = "plumb.dev/substitute"

// Options are the variables and whether an undefined one is an error.
type Options struct {
	Vars map[string]string
	// Strict fails on a reference to an undefined variable that has no
	// default; otherwise it becomes the empty string.
	Strict bool
}

// UndefinedError lists the undefined variables of an object by name.
type UndefinedError struct {
	Object string
	Names  []string
}

func (e *UndefinedError) Error() string {
	return fmt.Sprintf("substitute %s: undefined variable %s (define it in spec.substitute.vars or fromFiles, give a default with ${NAME:=value}, or escape it as $${NAME})",
		e.Object, strings.Join(e.Names, ", "))
}

// ref matches $${NAME…} (escaped), ${NAME} and ${NAME:=default}.
var ref = regexp.MustCompile(`\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::=([^}]*))?\}`)

// Objects substitutes in place in every object not annotated
// plumb.dev/substitute: disabled.
func Objects(objs []*unstructured.Unstructured, opts Options) error {
	for _, o := range objs {
		if o.GetAnnotations()[Annotation] == "disabled" {
			continue
		}
		s := &substituter{opts: opts, undefined: map[string]bool{}}
		o.Object = s.mapping(o.Object, "")
		if len(s.undefined) > 0 {
			names := make([]string, 0, len(s.undefined))
			for n := range s.undefined {
				names = append(names, n)
			}
			sort.Strings(names)
			return &UndefinedError{Object: objectName(o), Names: names}
		}
	}
	return nil
}

// String substitutes in one string; it returns the names of undefined
// variables (without defaults) when opts.Strict is set.
func String(s string, opts Options) (string, []string) {
	sub := &substituter{opts: opts, undefined: map[string]bool{}}
	out := sub.str(s)
	var names []string
	for n := range sub.undefined {
		names = append(names, n)
	}
	sort.Strings(names)
	return out, names
}

type substituter struct {
	opts      Options
	undefined map[string]bool
}

// stringFields hold values that must stay strings.
var stringFields = []string{"data", "stringData", "binaryData", "labels", "annotations", "value", "args", "command"}

func (s *substituter) mapping(m map[string]any, parent string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[s.str(k)] = s.value(v, k, parent)
	}
	return out
}

// value substitutes in v, the value of field key under parent.
func (s *substituter) value(v any, key, parent string) any {
	switch x := v.(type) {
	case string:
		typed := !slices.Contains(stringFields, key) && !slices.Contains(stringFields, parent)
		return s.scalar(x, typed)
	case map[string]any:
		if slices.Contains(stringFields, parent) {
			key = parent
		}
		return s.mapping(x, key)
	case []any:
		for i := range x {
			x[i] = s.value(x[i], key, parent)
		}
		return x
	default:
		return v
	}
}

// scalar substitutes in a string value; a lone reference to a number or
// boolean becomes one when typed.
func (s *substituter) scalar(v string, typed bool) any {
	out := s.str(v)
	if !typed || out == v {
		return out
	}
	if m := ref.FindStringSubmatchIndex(v); m == nil || m[0] != 0 || m[1] != len(v) || strings.HasPrefix(v, "$$") {
		return out
	}
	if i, err := strconv.ParseInt(out, 10, 64); err == nil {
		return i
	}
	if b, err := strconv.ParseBool(out); err == nil && (out == "true" || out == "false") {
		return b
	}
	return out
}

// str replaces every reference in v.
func (s *substituter) str(v string) string {
	if !strings.Contains(v, "${") {
		return v
	}
	return ref.ReplaceAllStringFunc(v, func(m string) string {
		if strings.HasPrefix(m, "$$") {
			return m[1:]
		}
		sm := ref.FindStringSubmatch(m)
		name, def := sm[1], sm[2]
		if val, ok := s.opts.Vars[name]; ok {
			return val
		}
		if strings.Contains(m, ":=") {
			return def
		}
		if s.opts.Strict {
			s.undefined[name] = true
		}
		return ""
	})
}

func objectName(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", o.GetKind(), ns, o.GetName())
	}
	return fmt.Sprintf("%s %s", o.GetKind(), o.GetName())
}
