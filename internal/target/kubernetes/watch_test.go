package kubernetes

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "example.com/web:1"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {a: "1"}
`

// scale sets replicas through the scale subresource, as kubectl scale does.
func (f *fixture) scale(t *testing.T, name string, replicas int, manager string) {
	t.Helper()
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"replicas": replicas}})
	_, err := f.env.Dynamic.Resource(deployments).Namespace(f.ns).Patch(t.Context(), name, types.MergePatchType, patch,
		metav1.PatchOptions{FieldManager: manager}, "scale")
	if err != nil {
		t.Fatalf("scale %s: %v", name, err)
	}
}

func TestDriftPlannedWithAttribution(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment)
	f.sync(t, objs, true)
	f.scale(t, "web", 5, "kubectl")
	p := f.plan(t, objs, true)
	a := expectAction(t, p, "Deployment/"+f.ns+"/web", plumb.ActionUpdate, plumb.ReasonDrifted)
	if !strings.Contains(a.Detail, "kubectl (Update scale) changed spec.replicas 3→5") {
		t.Errorf("drift detail = %q, want the manager, field and values", a.Detail)
	}
	if !strings.Contains(a.Diff, "-  replicas: 5") || !strings.Contains(a.Diff, "+  replicas: 3") {
		t.Errorf("drift diff:\n%s", a.Diff)
	}
	f.apply(t, p)
	if p := f.plan(t, objs, true); p.HasChanges() {
		t.Errorf("plan after healing has changes: %+v", p.Actions)
	}
}

func TestWatchReportsDriftAndDeletion(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment)
	f.sync(t, objs, true)
	drifts := f.watch(t)

	// plumb's own update is not drift.
	changed := objects(t, f.ns, strings.Replace(deployment, `a: "1"`, `a: "2"`, 1))
	f.sync(t, changed, true)

	f.scale(t, "web", 5, "kubectl")
	d := nextDrift(t, drifts)
	if d.Object != "Deployment/"+f.ns+"/web" || !strings.Contains(d.Detail, "kubectl") || !strings.Contains(d.Detail, "spec.replicas 3→5") {
		t.Errorf("drift = %+v, want Deployment scaled by kubectl", d)
	}
	if err := f.env.Dynamic.Resource(configMaps).Namespace(f.ns).Delete(t.Context(), "conf", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	d = nextDrift(t, drifts)
	if d.Object != "ConfigMap/"+f.ns+"/conf" || !strings.Contains(d.Detail, "deleted") {
		t.Errorf("drift = %+v, want ConfigMap deleted", d)
	}
	// Healing is plumb's own write again: no drift.
	p := f.plan(t, changed, true)
	expectAction(t, p, "ConfigMap/"+f.ns+"/conf", plumb.ActionCreate, plumb.ReasonMissingLive)
	expectAction(t, p, "Deployment/"+f.ns+"/web", plumb.ActionUpdate, plumb.ReasonDrifted)
	f.apply(t, p)
	time.Sleep(500 * time.Millisecond) // let the informers deliver plumb's own events
	noDrift(t, drifts)
}

func TestNoChangeResyncCostsNoRequest(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment)
	f.sync(t, objs, true)
	f.watch(t)
	f.sync(t, objs, true) // the first plan after a watch starts checks the cluster
	f.n.reset()
	p := f.sync(t, objs, true)
	if p.HasChanges() {
		t.Fatalf("plan has changes: %+v", p.Actions)
	}
	if n := f.n.all.Load(); n != 0 {
		t.Errorf("no-change re-sync sent %d requests, want 0", n)
	}
	// A live change is seen by the watch and makes the next plan look.
	f.scale(t, "web", 4, "kubectl")
	st := f.d.state(f.app.Name)
	deadline := time.Now().Add(time.Minute)
	for st.upToDate(syncKey(mustPrepare(t, f, objs).setHash, true)) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	expectAction(t, f.plan(t, objs, true), "Deployment/"+f.ns+"/web", plumb.ActionUpdate, plumb.ReasonDrifted)
}

func mustPrepare(t *testing.T, f *fixture, objs []*unstructured.Unstructured) *prepared {
	t.Helper()
	p, err := f.d.prepare(f.app, objs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReplanRightAfterApplyWithWatch(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, deployment), true)
	drifts := f.watch(t)
	for i := range 5 {
		objs := objects(t, f.ns, strings.Replace(deployment, `a: "1"`, fmt.Sprintf(`a: "v%d"`, i), 1))
		f.sync(t, objs, true)
		// The informers may not have seen the apply yet; the plan must
		// not mistake their stale copy for drift.
		if p := f.plan(t, objs, true); p.HasChanges() {
			t.Fatalf("round %d: plan right after apply has changes: %+v", i, p.Actions)
		}
	}
	time.Sleep(300 * time.Millisecond)
	noDrift(t, drifts)
}
