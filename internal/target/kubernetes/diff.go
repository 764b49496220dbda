package kubernetes

import (
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// volatileMeta are metadata fields the server owns; they never make a diff.
var volatileMeta = []string{"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"}

// cleanForDiff returns a copy of u without status and server-owned
// metadata, or nil for nil.
func cleanForDiff(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	c := u.DeepCopy()
	delete(c.Object, "status")
	for _, f := range volatileMeta {
		unstructured.RemoveNestedField(c.Object, "metadata", f)
	}
	if a := c.GetAnnotations(); a != nil && len(a) == 0 {
		unstructured.RemoveNestedField(c.Object, "metadata", "annotations")
	}
	return c
}

// sameContent reports whether live and merged are equal once cleaned.
func sameContent(live, merged *unstructured.Unstructured) bool {
	a, b := cleanForDiff(live), cleanForDiff(merged)
	return equalJSON(a.Object, b.Object)
}

// Diff returns a unified diff of the YAML of live and merged (either may be
// nil for a create or delete), ignoring status and server-owned metadata,
// with Secret values redacted. It returns "" when they are the same.
func Diff(name string, live, merged *unstructured.Unstructured) (string, error) {
	a, b := cleanForDiff(live), cleanForDiff(merged)
	redactPair(a, b)
	ay, err := toYAML(a)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", name, err)
	}
	by, err := toYAML(b)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", name, err)
	}
	if ay == by {
		return "", nil
	}
	ud := difflib.UnifiedDiff{
		A: lines(ay), B: lines(by),
		FromFile: "live/" + name, ToFile: "desired/" + name, Context: 3,
	}
	out, err := difflib.GetUnifiedDiffString(ud)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", name, err)
	}
	return out, nil
}

func toYAML(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", nil
	}
	b, err := yaml.Marshal(u.Object)
	if err != nil {
		return "", err
	}
	s := string(b)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s, nil
}

// lines splits text after each newline, without a trailing empty line.
func lines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if len(l) > 0 && l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}
