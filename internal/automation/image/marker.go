// Package image is plumb's image update automation. It scans container
// registries for the tags of each ImagePolicy (go-containerregistry),
// picks the newest by the policy (semver range, numerical, alphabetical,
// after an optional tag filter), and sets the manifest fields marked with
// the policy's name:
//
//	image: registry.example/app:1.0.0 # {"$imagepolicy": "app"}
//	tag: 1.0.0                        # {"$imagepolicy": "app:tag"}
//	repository: registry.example/app  # {"$imagepolicy": "app:name"}
//
// A namespace prefix ("flux-system:app", "flux-system:app:tag") is accepted
// and ignored, so manifests marked for Flux work unchanged; plumb's objects
// have no namespace.
//
// Files are parsed with kyaml (sigs.k8s.io/kustomize/kyaml) to find the
// marked scalars, and the new value is spliced into the original bytes at
// the scalar's position: everything outside the edited value (comments,
// indentation, quoting, key order, other documents) stays byte for byte.
//
// An ImageUpdate (Automation) commits the edits through
// internal/automation/writeback: in a scratch worktree, pushed with a lease,
// re-applied when it loses a race, so a registry or push failure never
// leaves a half-written commit; it is reported and retried.
package image

import (
	"fmt"
	"regexp"
	"strings"
)

// Field says which part of a marked value a policy sets.
type Field string

// The marker fields.
const (
	// FieldImage sets the whole reference, IMAGE:TAG.
	FieldImage Field = ""
	// FieldTag sets only the tag.
	FieldTag Field = "tag"
	// FieldName sets only the repository (image name).
	FieldName Field = "name"
)

// Marker is a parsed "$imagepolicy" comment.
type Marker struct {
	Policy string `json:"policy"`
	Field  Field  `json:"field,omitempty"`
}

func (m Marker) String() string {
	if m.Field == FieldImage {
		return m.Policy
	}
	return m.Policy + ":" + string(m.Field)
}

var markerRE = regexp.MustCompile(`\{\s*"\$imagepolicy"\s*:\s*"([^"]*)"\s*\}`)

// ParseMarker finds a marker in a YAML comment; ok is false when the
// comment holds none. A comment with a malformed marker is an error.
func ParseMarker(comment string) (m Marker, ok bool, err error) {
	match := markerRE.FindStringSubmatch(comment)
	if match == nil {
		if strings.Contains(comment, "$imagepolicy") {
			return Marker{}, false, fmt.Errorf(`malformed marker %q: want {"$imagepolicy": "POLICY"} (or POLICY:tag, POLICY:name)`, strings.TrimSpace(strings.TrimPrefix(comment, "#")))
		}
		return Marker{}, false, nil
	}
	m, err = parseRef(match[1])
	return m, err == nil, err
}

// parseRef parses "[namespace:]policy[:tag|:name]".
func parseRef(ref string) (Marker, error) {
	parts := strings.Split(ref, ":")
	bad := fmt.Errorf("malformed marker %q: want POLICY, POLICY:tag or POLICY:name (a NAMESPACE: prefix is ignored)", ref)
	for _, p := range parts {
		if p == "" {
			return Marker{}, bad
		}
	}
	field := func(s string) (Field, bool) {
		switch s {
		case "tag":
			return FieldTag, true
		case "name":
			return FieldName, true
		}
		return "", false
	}
	switch len(parts) {
	case 1:
		return Marker{Policy: parts[0]}, nil
	case 2:
		if f, ok := field(parts[1]); ok {
			return Marker{Policy: parts[0], Field: f}, nil
		}
		return Marker{Policy: parts[1]}, nil // namespace:policy
	case 3:
		if f, ok := field(parts[2]); ok {
			return Marker{Policy: parts[1], Field: f}, nil
		}
	}
	return Marker{}, bad
}
