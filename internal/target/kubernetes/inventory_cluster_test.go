package kubernetes

import (
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

func TestInventorySurvivesNewDriver(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment+"\n---\n"+secretV1)
	f.sync(t, objs, true)

	d2, n2 := newDriver(t, f.env.Config, config.KubernetesTarget{})
	p, err := d2.Plan(t.Context(), f.app, plumb.Desired{Objects: objs}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Fatalf("a new driver plans changes for an applied app: %+v", p.Actions)
	}
	if _, err := d2.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if w := n2.writes.Load(); w != 0 {
		t.Errorf("a new driver wrote %d times for an unchanged app", w)
	}
	// Objects still at the version the inventory records need no dry-run
	// (a Deployment's status moves its version on, so it may get one).
	for _, part := range []string{"/configmaps/", "/secrets/"} {
		if dr := n2.dryRunsOf(part); len(dr) != 0 {
			t.Errorf("a new driver dry-ran unchanged objects: %v", dr)
		}
	}
	// And it still knows what to prune.
	p, err = d2.Plan(t.Context(), f.app, plumb.Desired{Objects: objs[:1]}, true)
	if err != nil {
		t.Fatal(err)
	}
	expectAction(t, p, "ConfigMap/"+f.ns+"/conf", plumb.ActionDelete, plumb.ReasonRemovedInGit)
	expectAction(t, p, "Secret/"+f.ns+"/db", plumb.ActionDelete, plumb.ReasonRemovedInGit)
}

func TestUnreachableClusterIsAClearError(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment)
	f.sync(t, objs, true)

	rc := rest.CopyConfig(f.env.Config)
	rc.Host = "https://127.0.0.1:1" // nothing listens there
	d, err := NewForConfig("down", rc, config.KubernetesTarget{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Plan(t.Context(), f.app, plumb.Desired{Objects: objs[:1]}, true)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Plan against an unreachable cluster = %v, want a connection error", err)
	}
	if _, err := d.Delete(t.Context(), f.app); err == nil {
		t.Error("Delete against an unreachable cluster succeeded")
	}
	if f.get(t, configMaps, f.ns, "conf") == nil {
		t.Error("an object was pruned although the cluster could not be read")
	}
}

func TestDeleteRemovesEverythingButOptOuts(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment+"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, annotations: {plumb.dev/prune: disabled}}\n")
	f.sync(t, objs, true)
	res, err := f.d.Delete(t.Context(), f.app)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Actions); n != 3 {
		t.Errorf("Delete returned %d actions, want 3: %+v", n, res.Actions)
	}
	if f.get(t, configMaps, f.ns, "conf") != nil {
		t.Error("Delete left an owned object")
	}
	if f.get(t, configMaps, f.ns, "keep") == nil {
		t.Error("Delete removed an object that opted out")
	}
	if f.get(t, configMaps, DefaultInventoryNamespace, InventoryName(f.app.Name)) != nil {
		t.Error("Delete left the inventory")
	}
}
