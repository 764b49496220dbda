package render

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// OriginAnnotation is set by renderers on every object they return. Its value
// names the repository file the object came from, slash-separated and
// relative to the repository root, followed by "#N" when the file holds
// several YAML documents (N counts from 1). It must be removed before the
// object is applied (StripOrigins).
const OriginAnnotation = "render.plumb.dev/origin"

// SetOrigin records where obj came from.
func SetOrigin(obj *unstructured.Unstructured, file string, doc int) {
	v := file
	if doc > 0 {
		v = fmt.Sprintf("%s#%d", file, doc)
	}
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[OriginAnnotation] = v
	obj.SetAnnotations(ann)
}

// Origin returns the origin a renderer recorded on obj, or "".
func Origin(obj *unstructured.Unstructured) string {
	return obj.GetAnnotations()[OriginAnnotation]
}

// StripOrigins removes the origin annotation from each object (and the
// annotations map when it becomes empty). It returns objs for chaining.
func StripOrigins(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	for _, o := range objs {
		ann := o.GetAnnotations()
		if _, ok := ann[OriginAnnotation]; !ok {
			continue
		}
		delete(ann, OriginAnnotation)
		if len(ann) == 0 {
			unstructured.RemoveNestedField(o.Object, "metadata", "annotations")
			continue
		}
		o.SetAnnotations(ann)
	}
	return objs
}
