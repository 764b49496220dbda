package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Labels and annotations plumb reads or writes on the objects it manages.
const (
	// LabelApp marks an object as owned by the app named in its value.
	LabelApp = "plumb.dev/app"
	// AnnotationPrune set to "disabled" keeps an object when it leaves Git.
	AnnotationPrune = "plumb.dev/prune"
	// AnnotationForce set to "true" lets plumb delete and recreate an object
	// whose immutable fields changed.
	AnnotationForce = "plumb.dev/force"
	// FieldManager is the server-side apply field manager plumb writes with.
	FieldManager = "plumb"
)

// ObjKey identifies one object independent of its API version.
type ObjKey struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String renders the key the way actions and errors name objects:
// Kind/namespace/name, or Kind/name for cluster-scoped objects.
func (k ObjKey) String() string {
	if k.Namespace == "" {
		return k.Kind + "/" + k.Name
	}
	return k.Kind + "/" + k.Namespace + "/" + k.Name
}

// GroupKind returns the key's group and kind.
func (k ObjKey) GroupKind() schema.GroupKind { return schema.GroupKind{Group: k.Group, Kind: k.Kind} }

// KeyOf returns the key of u.
func KeyOf(u *unstructured.Unstructured) ObjKey {
	gvk := u.GroupVersionKind()
	return ObjKey{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// hashObject returns a stable digest of a desired manifest; encoding/json
// sorts map keys, so equal objects hash equal.
func hashObject(u *unstructured.Unstructured) (string, error) {
	b, err := json.Marshal(u.Object)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", KeyOf(u), err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12]), nil
}

// isCRD reports whether u is a CustomResourceDefinition.
func isCRD(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Kind == "CustomResourceDefinition" && gvk.Group == "apiextensions.k8s.io"
}

// isSecret reports whether u is a core Secret.
func isSecret(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Kind == "Secret" && gvk.Group == ""
}

// annotationIs reports whether u carries annotation key with value want.
func annotationIs(u *unstructured.Unstructured, key, want string) bool {
	return u != nil && u.GetAnnotations()[key] == want
}
