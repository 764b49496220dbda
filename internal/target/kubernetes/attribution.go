package kubernetes

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// FieldChange is one field that moved away from what plumb applied.
type FieldChange struct {
	// Path is the field, e.g. spec.replicas or
	// spec.template.spec.containers[name=web].image.
	Path string
	// Before is what plumb applied, After what is live now ("" when absent).
	Before, After string
	// Manager and Operation own the field now, when anyone does
	// (e.g. "kubectl-edit", "Update").
	Manager, Operation string
}

// String renders the change: "kubectl-edit (Update) changed spec.replicas 3→5".
func (c FieldChange) String() string {
	who := c.Manager
	if who == "" {
		who = "unknown manager"
	}
	if c.Operation != "" {
		who += " (" + c.Operation + ")"
	}
	return fmt.Sprintf("%s changed %s %s→%s", who, c.Path, orNone(c.Before), orNone(c.After))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Attribute explains how now differs from ref in the fields plumb owns in
// ref: each field plumb owned in ref but no longer owns in now is reported
// with its values and the manager that owns it in now. ref is what plumb
// applied (a dry-run result or the object as plumb last wrote it). Secret
// values are redacted.
func Attribute(ref, now *unstructured.Unstructured) ([]FieldChange, error) {
	refSet, err := managerSet(ref, FieldManager)
	if err != nil {
		return nil, err
	}
	nowSet, err := managerSet(now, FieldManager)
	if err != nil {
		return nil, err
	}
	lost := refSet.Difference(nowSet).Leaves()
	owners, err := ownersOf(now)
	if err != nil {
		return nil, err
	}
	var out []FieldChange
	lost.Iterate(func(p fieldpath.Path) {
		c := FieldChange{Path: pathString(p), Before: valueAt(ref, p), After: valueAt(now, p)}
		if o, ok := owners.find(p); ok {
			c.Manager, c.Operation = o.Manager, string(o.Operation)
			if o.Subresource != "" {
				c.Operation += " " + o.Subresource
			}
		} else if m := latestOther(now); m != nil {
			c.Manager, c.Operation = m.Manager, string(m.Operation)
		}
		if c.Before == c.After && c.Manager == "" {
			return
		}
		out = append(out, c)
	})
	if isSecret(orNil(ref, now)) {
		redactChanges(out)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// redactChanges hides Secret values in changes to data and stringData.
func redactChanges(cs []FieldChange) {
	for i := range cs {
		if strings.HasPrefix(cs[i].Path, "data.") || strings.HasPrefix(cs[i].Path, "stringData.") ||
			strings.Contains(cs[i].Path, lastApplied) {
			if cs[i].Before != "" {
				cs[i].Before = Redacted
			}
			if cs[i].After != "" {
				cs[i].After = RedactedChanged
			}
		}
	}
}

// describeChanges joins changes into one line for a Detail.
func describeChanges(cs []FieldChange) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// managerSet returns the fields manager owns through Apply on u.
func managerSet(u *unstructured.Unstructured, manager string) (*fieldpath.Set, error) {
	s := &fieldpath.Set{}
	if u == nil {
		return s, nil
	}
	for _, mf := range u.GetManagedFields() {
		if mf.Manager != manager || mf.Operation != metav1.ManagedFieldsOperationApply || mf.Subresource != "" {
			continue
		}
		one, err := parseFields(mf)
		if err != nil {
			return nil, fmt.Errorf("managedFields of %s: %w", KeyOf(u), err)
		}
		s = s.Union(one)
	}
	return s, nil
}

func parseFields(mf metav1.ManagedFieldsEntry) (*fieldpath.Set, error) {
	s := &fieldpath.Set{}
	if mf.FieldsV1 == nil {
		return s, nil
	}
	if err := s.FromJSON(bytes.NewReader(mf.FieldsV1.Raw)); err != nil {
		return nil, fmt.Errorf("manager %s: %w", mf.Manager, err)
	}
	return s, nil
}

// owner is one managedFields entry with its parsed field set.
type owner struct {
	metav1.ManagedFieldsEntry
	set *fieldpath.Set
}

type owners []owner

// ownersOf parses every managedFields entry of u except plumb's own.
func ownersOf(u *unstructured.Unstructured) (owners, error) {
	var out owners
	if u == nil {
		return out, nil
	}
	for _, mf := range u.GetManagedFields() {
		if mf.Manager == FieldManager && mf.Operation == metav1.ManagedFieldsOperationApply {
			continue
		}
		s, err := parseFields(mf)
		if err != nil {
			return nil, fmt.Errorf("managedFields of %s: %w", KeyOf(u), err)
		}
		out = append(out, owner{ManagedFieldsEntry: mf, set: s})
	}
	return out, nil
}

// find returns the entry that owns p, preferring the most recent.
func (os owners) find(p fieldpath.Path) (owner, bool) {
	var best owner
	found := false
	for _, o := range os {
		if !o.set.Has(p) {
			continue
		}
		if !found || newer(o.ManagedFieldsEntry, best.ManagedFieldsEntry) {
			best, found = o, true
		}
	}
	return best, found
}

func newer(a, b metav1.ManagedFieldsEntry) bool {
	if a.Time == nil {
		return false
	}
	return b.Time == nil || a.Time.After(b.Time.Time)
}

// latestOther returns the most recent managedFields entry not written by
// plumb: the best guess at who removed a field nobody owns any more.
func latestOther(u *unstructured.Unstructured) *metav1.ManagedFieldsEntry {
	var best *metav1.ManagedFieldsEntry
	for _, mf := range u.GetManagedFields() {
		if mf.Manager == FieldManager || mf.Subresource == "status" {
			continue
		}
		if best == nil || newer(mf, *best) {
			m := mf
			best = &m
		}
	}
	return best
}

// pathString renders a field path readably: spec.containers[name=web].image.
func pathString(p fieldpath.Path) string {
	var b strings.Builder
	for _, pe := range p {
		s := pe.String()
		if pe.FieldName != nil {
			if b.Len() == 0 {
				s = *pe.FieldName
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// valueAt renders the value of u at p, or "" when there is none.
func valueAt(u *unstructured.Unstructured, p fieldpath.Path) string {
	if u == nil {
		return ""
	}
	var cur any = u.Object
	for _, pe := range p {
		next, ok := descend(cur, pe)
		if !ok {
			return ""
		}
		cur = next
	}
	return render(cur)
}

func descend(cur any, pe fieldpath.PathElement) (any, bool) {
	switch {
	case pe.FieldName != nil:
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[*pe.FieldName]
		return v, ok
	case pe.Key != nil:
		return findKeyed(cur, *pe.Key)
	case pe.Value != nil:
		return findValue(cur, *pe.Value)
	case pe.Index != nil:
		l, ok := cur.([]any)
		if !ok || *pe.Index < 0 || *pe.Index >= len(l) {
			return nil, false
		}
		return l[*pe.Index], true
	}
	return nil, false
}

func findKeyed(cur any, key value.FieldList) (any, bool) {
	l, _ := cur.([]any)
	for _, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		match := true
		for _, f := range key {
			if !looseEqual(m[f.Name], f.Value.Unstructured()) {
				match = false
				break
			}
		}
		if match {
			return item, true
		}
	}
	return nil, false
}

func findValue(cur any, v value.Value) (any, bool) {
	l, _ := cur.([]any)
	for _, item := range l {
		if looseEqual(item, v.Unstructured()) {
			return item, true
		}
	}
	return nil, false
}

// looseEqual compares scalars across the int/int64/float64 forms JSON
// decoders produce.
func looseEqual(a, b any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// render prints a scalar as is and a composite value as compact YAML-ish
// text, cut to a readable length.
func render(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = x
	case map[string]any, []any:
		s = fmt.Sprintf("%v", x)
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func equalJSON(a, b map[string]any) bool { return reflect.DeepEqual(a, b) }
