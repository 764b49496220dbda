package kubernetes

import (
	"encoding/base64"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Redaction markers: a Secret value is never shown, only whether it changed.
const (
	// Redacted replaces every Secret value in diffs and details.
	Redacted = "[REDACTED]"
	// RedactedChanged replaces a Secret value that differs from live.
	RedactedChanged = "[REDACTED, changed]"
)

// secretFields are the Secret fields whose values are confidential.
var secretFields = []string{"data", "stringData"}

// lastApplied is kubectl's client-side apply annotation; on a Secret it
// holds the values in clear.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// redactPair masks the Secret values of before and after (either may be
// nil) in place. A value present on both sides and equal reads Redacted on
// both; one that differs reads RedactedChanged on the after side.
func redactPair(before, after *unstructured.Unstructured) {
	if !isSecret(orNil(before, after)) {
		return
	}
	for _, f := range secretFields {
		bv := stringMap(before, f)
		av := stringMap(after, f)
		for k, v := range av {
			mark := Redacted
			if old, ok := bv[k]; !ok || old != v {
				mark = RedactedChanged
			}
			av[k] = mark
		}
		for k := range bv {
			bv[k] = Redacted
		}
		setMap(before, f, bv)
		setMap(after, f, av)
	}
	redactAnnotation(before)
	redactAnnotation(after)
}

// redactObject masks every Secret value of u in place.
func redactObject(u *unstructured.Unstructured) { redactPair(u, nil) }

func orNil(a, b *unstructured.Unstructured) *unstructured.Unstructured {
	if a != nil {
		return a
	}
	return b
}

func stringMap(u *unstructured.Unstructured, field string) map[string]any {
	if u == nil {
		return nil
	}
	m, _, _ := unstructured.NestedMap(u.Object, field)
	return m
}

func setMap(u *unstructured.Unstructured, field string, m map[string]any) {
	if u == nil || m == nil {
		return
	}
	u.Object[field] = m
}

func redactAnnotation(u *unstructured.Unstructured) {
	if u == nil {
		return
	}
	a := u.GetAnnotations()
	if _, ok := a[lastApplied]; ok {
		a[lastApplied] = Redacted
		u.SetAnnotations(a)
	}
}

// Scrubber removes known Secret values from free text such as API error
// messages, which may quote an invalid value back.
type Scrubber struct{ values []string }

// minScrub is the shortest value scrubbed from text; shorter values would
// mangle ordinary words and reveal nearly nothing.
const minScrub = 3

// newScrubber collects the values of every Secret in objs, both as written
// and base64-decoded.
func newScrubber(objs []*unstructured.Unstructured) *Scrubber {
	s := &Scrubber{}
	for _, o := range objs {
		if !isSecret(o) {
			continue
		}
		for _, f := range secretFields {
			for _, v := range stringMap(o, f) {
				str, _ := v.(string)
				s.add(str)
				if f == "data" {
					if dec, err := base64.StdEncoding.DecodeString(str); err == nil {
						s.add(string(dec))
					}
				} else {
					s.add(base64.StdEncoding.EncodeToString([]byte(str)))
				}
			}
		}
	}
	// Longest first, so a value containing another is replaced whole.
	sort.Slice(s.values, func(i, j int) bool { return len(s.values[i]) > len(s.values[j]) })
	return s
}

func (s *Scrubber) add(v string) {
	if len(v) >= minScrub {
		s.values = append(s.values, v)
	}
}

// Scrub returns text with every known Secret value replaced by Redacted.
func (s *Scrubber) Scrub(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.values {
		text = strings.ReplaceAll(text, v, Redacted)
	}
	return text
}
