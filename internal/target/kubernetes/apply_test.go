package kubernetes

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

const multiKind = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: blue}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "example.com/api:1"}]
`

func TestCreateUpdatePruneMultiKind(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	ns := f.ns
	objs := objects(t, ns, multiKind)
	p := f.plan(t, objs, true)
	for _, o := range []string{"ConfigMap/" + ns + "/settings", "ServiceAccount/" + ns + "/api", "Service/" + ns + "/api", "Deployment/" + ns + "/api"} {
		a := expectAction(t, p, o, plumb.ActionCreate, plumb.ReasonAddedInGit)
		if a.Diff == "" {
			t.Errorf("%s: create has no diff", o)
		}
	}
	f.apply(t, p)
	if d := f.get(t, deployments, ns, "api"); d == nil || d.GetLabels()[LabelApp] != f.app.Name {
		t.Fatalf("Deployment not created with ownership label: %v", d)
	}

	// Nothing changed: every action is unchanged and Apply writes nothing.
	p = f.plan(t, objs, true)
	if p.HasChanges() {
		t.Fatalf("replan has changes: %+v", p.Actions)
	}
	f.n.reset()
	f.apply(t, p)
	if w := f.n.writes.Load(); w != 0 {
		t.Errorf("applying an unchanged plan wrote %d times", w)
	}

	// Change the ConfigMap, drop the Service.
	v2 := objects(t, ns, strings.Replace(multiKind, "mode: blue", "mode: green", 1))
	v2 = append(v2[:2], v2[3])
	p = f.plan(t, v2, true)
	a := expectAction(t, p, "ConfigMap/"+ns+"/settings", plumb.ActionUpdate, plumb.ReasonChangedInGit)
	if !strings.Contains(a.Diff, "-  mode: blue") || !strings.Contains(a.Diff, "+  mode: green") {
		t.Errorf("update diff does not show the change:\n%s", a.Diff)
	}
	expectAction(t, p, "Service/"+ns+"/api", plumb.ActionDelete, plumb.ReasonRemovedInGit)
	expectAction(t, p, "Deployment/"+ns+"/api", plumb.ActionUnchanged, plumb.ReasonUpToDate)
	f.apply(t, p)
	if s := f.get(t, services, ns, "api"); s != nil && s.GetDeletionTimestamp() == nil {
		t.Error("pruned Service still exists")
	}
	inv, err := f.d.readInventory(t.Context(), f.app.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv) != 3 {
		t.Errorf("inventory holds %d objects, want 3:\n%s", len(inv), inv.Encode())
	}
}

func TestPruneOptOutAndPruneOff(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	ns := f.ns
	objs := objects(t, ns, `
apiVersion: v1
kind: ConfigMap
metadata: {name: keep, annotations: {plumb.dev/prune: disabled}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: later}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: stays}
`)
	f.sync(t, objs, true)
	// Prune off: the removed object is kept and still owned.
	p := f.plan(t, objs[2:], false)
	expectAction(t, p, "ConfigMap/"+ns+"/later", plumb.ActionUnchanged, plumb.ReasonPruneDisabled)
	f.apply(t, p)
	// Prune on: the opted-out object stays, the other goes.
	p = f.plan(t, objs[2:], true)
	expectAction(t, p, "ConfigMap/"+ns+"/keep", plumb.ActionUnchanged, plumb.ReasonPruneDisabled)
	expectAction(t, p, "ConfigMap/"+ns+"/later", plumb.ActionDelete, plumb.ReasonRemovedInGit)
	f.apply(t, p)
	if f.get(t, configMaps, ns, "keep") == nil {
		t.Error("object with plumb.dev/prune: disabled was pruned")
	}
	if f.get(t, configMaps, ns, "later") != nil {
		t.Error("removed object was not pruned")
	}
}

func TestPruneNeedsLabel(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	ns := f.ns
	objs := objects(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
	f.sync(t, objs, true)
	// Someone takes b over: the label no longer claims it.
	cm := f.get(t, configMaps, ns, "b")
	labels := cm.GetLabels()
	labels[LabelApp] = "someone-else"
	cm.SetLabels(labels)
	if _, err := f.env.Dynamic.Resource(configMaps).Namespace(ns).Update(t.Context(), cm, updateAs("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	p := f.plan(t, objs[:1], true)
	for _, a := range p.Actions {
		if a.Type == plumb.ActionDelete {
			t.Errorf("plan deletes %s, which the label no longer claims", a.Object)
		}
	}
	f.apply(t, p)
	if f.get(t, configMaps, ns, "b") == nil {
		t.Error("object claimed by the inventory only was pruned")
	}
}

func TestCRDAndCustomResourcesInOneApp(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	ns := f.ns
	group := ns + ".example.com"
	manifest := strings.ReplaceAll(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.GROUP}
spec:
  group: GROUP
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
---
apiVersion: GROUP/v1
kind: Widget
metadata: {name: w1}
spec: {size: 1}
---
apiVersion: v1
kind: Namespace
metadata: {name: NS-extra}
---
apiVersion: GROUP/v1
kind: Widget
metadata: {name: w2, namespace: NS-extra}
spec: {size: 2}
`, "GROUP", group)
	objs := objects(t, ns, manifest)
	t.Cleanup(func() {
		_ = f.env.Dynamic.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).Delete(t.Context(), "widgets."+group, deleteOpts())
		_ = f.env.Dynamic.Resource(namespaces).Delete(t.Context(), ns+"-extra", deleteOpts())
	})
	p := f.plan(t, objs, true)
	expectAction(t, p, "Widget/"+ns+"/w1", plumb.ActionCreate, plumb.ReasonAddedInGit)
	expectAction(t, p, "Widget/"+ns+"-extra/w2", plumb.ActionCreate, plumb.ReasonAddedInGit)
	f.apply(t, p)
	widgets := schema.GroupVersionResource{Group: group, Version: "v1", Resource: "widgets"}
	if f.get(t, widgets, ns, "w1") == nil || f.get(t, widgets, ns+"-extra", "w2") == nil {
		t.Fatal("custom resources not created")
	}
	p = f.plan(t, objs, true)
	if p.HasChanges() {
		t.Errorf("replan after CRD apply has changes: %+v", p.Actions)
	}
}

func TestNamespaceConfinement(t *testing.T) {
	env := newFixture(t, config.KubernetesTarget{})
	ns := env.ns
	f := newFixture(t, config.KubernetesTarget{Namespaces: []string{ns}})
	f.app = plumb.AppRef{Name: ns + "-confined", Namespace: ns}
	objs := objects(t, ns, `
apiVersion: v1
kind: ConfigMap
metadata: {name: inside}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: outside, namespace: kube-public}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: NS-reader}
`)
	_, err := f.d.Plan(t.Context(), f.app, plumb.Desired{Objects: objs}, true)
	if err == nil {
		t.Fatal("Plan accepted objects outside the allowed namespaces")
	}
	for _, want := range []string{"ConfigMap/kube-public/outside", "outside the namespaces", "ClusterRole/" + ns + "-reader"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	_, err = f.d.Apply(t.Context(), plumb.Plan{App: f.app, Desired: plumb.Desired{Objects: objs}, Prune: true,
		Actions: []plumb.Action{{Type: plumb.ActionCreate, Object: "ConfigMap/" + ns + "/inside"}}})
	if err == nil {
		t.Error("Apply accepted a confined app with objects outside its namespaces")
	}
	if f.get(t, configMaps, ns, "inside") != nil {
		t.Error("an object was applied although the app breaks confinement")
	}
}
