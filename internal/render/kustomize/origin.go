package kustomize

import (
	"path"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// kustomizeOrigin is the annotation kustomize writes with buildMetadata
// originAnnotations.
const kustomizeOrigin = "config.kubernetes.io/origin"

// withOriginTracking returns the kustomization with originAnnotations added
// to buildMetadata, so kustomize records which file each resource came from,
// and whether the kustomization asked for it already.
func withOriginTracking(data []byte) ([]byte, bool, error) {
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return nil, false, err
	}
	seq, err := node.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "buildMetadata"))
	if err != nil {
		return nil, false, err
	}
	for _, v := range seq.YNode().Content {
		if v.Value == types.OriginAnnotations {
			return data, true, nil
		}
	}
	if err := seq.PipeE(kyaml.Append(kyaml.NewStringRNode(types.OriginAnnotations).YNode())); err != nil {
		return nil, false, err
	}
	out, err := node.String()
	return []byte(out), false, err
}

// originFile is the repository path of the file a resource came from: the
// resource file, or the kustomization that generated it.
func (b *build) originFile(o *resource.Origin) string {
	if o == nil {
		return b.file
	}
	p := o.Path
	if p == "" {
		p = o.ConfiguredIn
	}
	if p == "" {
		return b.file
	}
	return path.Join(b.dir, p)
}

func stripKustomizeOrigin(obj *unstructured.Unstructured) {
	ann := obj.GetAnnotations()
	if _, ok := ann[kustomizeOrigin]; !ok {
		return
	}
	delete(ann, kustomizeOrigin)
	if len(ann) == 0 {
		unstructured.RemoveNestedField(obj.Object, "metadata", "annotations")
		return
	}
	obj.SetAnnotations(ann)
}
