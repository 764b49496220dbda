package render

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ScopeFunc reports whether objects of a kind are namespaced. A target
// driver answers it from the cluster's discovery (a RESTMapper).
type ScopeFunc func(gvk schema.GroupVersionKind) (namespaced bool, err error)

// SetDefaultNamespace sets namespace ns on every namespaced object that has
// none. Renderers do not call it: which kinds are namespaced is known only to
// the target (custom resources), so the Kubernetes driver calls it with its
// RESTMapper before planning.
func SetDefaultNamespace(objs []*unstructured.Unstructured, ns string, namespaced ScopeFunc) error {
	if ns == "" {
		return nil
	}
	for _, o := range objs {
		if o.GetNamespace() != "" {
			continue
		}
		ok, err := namespaced(o.GroupVersionKind())
		if err != nil {
			return fmt.Errorf("scope of %s %s: %w", o.GroupVersionKind().Kind, o.GetName(), err)
		}
		if ok {
			o.SetNamespace(ns)
		}
	}
	return nil
}
