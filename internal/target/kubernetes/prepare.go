package kubernetes

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"plumb.dev/plumb"
)

// typeInfo says how to reach objects of one kind.
type typeInfo struct {
	gvr        schema.GroupVersionResource
	namespaced bool
	// pending is set for kinds defined by a CRD of the same app that the
	// cluster does not serve yet: they cannot be dry-run before apply.
	pending bool
}

// desiredObj is one desired object, normalized for apply.
type desiredObj struct {
	obj  *unstructured.Unstructured
	key  ObjKey
	hash string
	typ  typeInfo
}

// prepared is an app's desired state normalized for apply.
type prepared struct {
	objs    []*desiredObj // apply order
	byKey   map[ObjKey]*desiredObj
	setHash string
	scrub   *Scrubber
}

// prepare copies the desired objects, sets namespaces and the ownership
// label, checks namespace confinement and duplicates, and resolves each
// kind. Any error fails the whole app: nothing is applied.
func (d *Driver) prepare(app plumb.AppRef, in []*unstructured.Unstructured) (*prepared, error) {
	crds := crdKinds(in)
	p := &prepared{byKey: map[ObjKey]*desiredObj{}, scrub: newScrubber(in)}
	var errs []error
	reset := false
	for _, src := range in {
		o, err := d.prepareOne(app, src, crds, &reset)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := p.byKey[o.key]; dup {
			errs = append(errs, fmt.Errorf("%s: declared twice", o.key))
			continue
		}
		p.byKey[o.key] = o
		p.objs = append(p.objs, o)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s", p.scrub.Scrub(err.Error()))
	}
	sortDesired(p.objs)
	p.setHash = setHash(p.objs)
	return p, nil
}

func (d *Driver) prepareOne(app plumb.AppRef, src *unstructured.Unstructured, crds map[schema.GroupKind]crdKind, reset *bool) (*desiredObj, error) {
	o := src.DeepCopy()
	gvk := o.GroupVersionKind()
	if gvk.Kind == "" || o.GetName() == "" {
		return nil, fmt.Errorf("%s: object without kind or name", KeyOf(o))
	}
	typ, err := d.typeOf(gvk, crds, reset)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KeyOf(o), err)
	}
	switch {
	case typ.namespaced && o.GetNamespace() == "":
		o.SetNamespace(defaultNamespace(app))
	case !typ.namespaced:
		o.SetNamespace("")
	}
	if err := d.confine(o, typ); err != nil {
		return nil, err
	}
	if isSecret(o) {
		foldStringData(o)
	}
	labels := o.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelApp] = app.Name
	o.SetLabels(labels)
	h, err := hashObject(o)
	if err != nil {
		return nil, err
	}
	return &desiredObj{obj: o, key: KeyOf(o), hash: h, typ: typ}, nil
}

func defaultNamespace(app plumb.AppRef) string {
	if app.Namespace != "" {
		return app.Namespace
	}
	return "default"
}

// confine enforces the target's namespace confinement on o.
func (d *Driver) confine(o *unstructured.Unstructured, typ typeInfo) error {
	if d.allowed == nil {
		return nil
	}
	if typ.namespaced {
		if !d.allowed[o.GetNamespace()] {
			return fmt.Errorf("%s: namespace %q is outside the namespaces this target allows %v", KeyOf(o), o.GetNamespace(), d.allowedNamespaces())
		}
		return nil
	}
	if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" && d.allowed[o.GetName()] {
		return nil
	}
	return fmt.Errorf("%s: cluster-scoped object not allowed: this target confines apps to namespaces %v", KeyOf(o), d.allowedNamespaces())
}

// typeOf resolves gvk through discovery, refreshing it once per prepare
// when a kind is unknown, and falls back to a CRD of the same app.
func (d *Driver) typeOf(gvk schema.GroupVersionKind, crds map[schema.GroupKind]crdKind, reset *bool) (typeInfo, error) {
	if t, ok := d.cachedType(gvk); ok {
		return t, nil
	}
	m, err := d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) && !*reset {
		*reset = true
		d.resetMapper()
		m, err = d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err == nil {
		t := typeInfo{gvr: m.Resource, namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace}
		d.mu.Lock()
		d.types[gvk] = t
		d.mu.Unlock()
		return t, nil
	}
	if c, ok := crds[gvk.GroupKind()]; ok && meta.IsNoMatchError(err) {
		return typeInfo{gvr: gvk.GroupVersion().WithResource(c.plural), namespaced: c.namespaced, pending: true}, nil
	}
	if meta.IsNoMatchError(err) {
		return typeInfo{}, fmt.Errorf("the cluster does not serve kind %s in %s (is its CRD installed?)", gvk.Kind, gvk.GroupVersion())
	}
	return typeInfo{}, fmt.Errorf("discover %s: %w", gvk, err)
}

// crdKind is what a desired CRD says about the kind it defines.
type crdKind struct {
	plural     string
	namespaced bool
}

// crdKinds indexes the kinds defined by the CRDs among objs.
func crdKinds(objs []*unstructured.Unstructured) map[schema.GroupKind]crdKind {
	out := map[schema.GroupKind]crdKind{}
	for _, o := range objs {
		if !isCRD(o) {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		plural, _, _ := unstructured.NestedString(o.Object, "spec", "names", "plural")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		if plural == "" {
			plural = strings.ToLower(kind) + "s"
		}
		out[schema.GroupKind{Group: group, Kind: kind}] = crdKind{plural: plural, namespaced: scope != "Cluster"}
	}
	return out
}

// sortDesired orders objs in apply order.
func sortDesired(objs []*desiredObj) {
	sortBy(objs, func(o *desiredObj) ObjKey { return o.key })
}

// setHash digests a whole desired set: it changes when any object does.
func setHash(objs []*desiredObj) string {
	h := sha256.New()
	for _, o := range objs {
		fmt.Fprintf(h, "%s|%s|%s\n", o.obj.GetAPIVersion(), o.key, o.hash)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// foldStringData moves a Secret's stringData into data, base64-encoded, as
// the API server would: plumb then owns the data fields that really exist,
// so drift on them is seen and attributed.
func foldStringData(o *unstructured.Unstructured) {
	sd, ok, _ := unstructured.NestedMap(o.Object, "stringData")
	if !ok {
		return
	}
	data, _, _ := unstructured.NestedMap(o.Object, "data")
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		s, _ := v.(string)
		data[k] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	o.Object["data"] = data
	delete(o.Object, "stringData")
}

// cachedType returns the resolved type of gvk when discovery was asked
// before: the deferred mapper is too slow to ask per object.
func (d *Driver) cachedType(gvk schema.GroupVersionKind) (typeInfo, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.types[gvk]
	return t, ok
}

// resetMapper forgets discovery, e.g. after CRDs were established.
func (d *Driver) resetMapper() {
	d.mu.Lock()
	d.types = map[schema.GroupVersionKind]typeInfo{}
	d.mu.Unlock()
	d.mapper.Reset()
}
