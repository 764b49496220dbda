package kubernetes

import (
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

func TestImpersonatesServiceAccount(t *testing.T) {
	admin := newFixture(t, config.KubernetesTarget{})
	ns := admin.ns
	// The deployer may manage ConfigMaps in its own namespace only.
	admin.sync(t, objects(t, ns, `
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: deployer, namespace: NS}]
`), true)

	d, _ := newDriver(t, admin.env.Config, config.KubernetesTarget{ServiceAccount: "deployer"})
	app := plumb.AppRef{Name: ns + "-sa", Namespace: ns}
	t.Cleanup(func() { deleteInventory(t, admin.env, app.Name) })
	allowed := objects(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-sa}\n")
	p, err := d.Plan(t.Context(), app, plumb.Desired{Objects: allowed}, true)
	if err != nil {
		t.Fatalf("Plan as the service account: %v", err)
	}
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatalf("Apply as the service account: %v", err)
	}
	if admin.get(t, configMaps, ns, "by-sa") == nil {
		t.Fatal("ConfigMap not created")
	}
	denied := objects(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: default}\n")
	_, err = d.Plan(t.Context(), app, plumb.Desired{Objects: denied}, true)
	if err == nil || !strings.Contains(err.Error(), "forbidden") || !strings.Contains(err.Error(), "system:serviceaccount:"+ns+":deployer") {
		t.Errorf("Plan outside the service account's rights = %v, want forbidden for the service account", err)
	}
}
