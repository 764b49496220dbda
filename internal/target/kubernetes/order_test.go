package kubernetes

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestStagesOrderKinds(t *testing.T) {
	mk := func(apiVersion, kind, ns, name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
		u.SetNamespace(ns)
		u.SetName(name)
		return u
	}
	objs := []*unstructured.Unstructured{
		mk("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "hook"),
		mk("apps/v1", "Deployment", "web", "api"),
		mk("v1", "ConfigMap", "web", "b"),
		mk("v1", "ConfigMap", "web", "a"),
		mk("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader"),
		mk("v1", "Namespace", "", "web"),
		mk("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com"),
		mk("v1", "ServiceAccount", "web", "api"),
	}
	got := stages(objs)
	want := [][]string{
		{"CustomResourceDefinition/widgets.example.com", "Namespace/web"},
		{"ClusterRole/reader", "ServiceAccount/web/api"},
		{"ConfigMap/web/a", "ConfigMap/web/b", "Deployment/web/api"},
		{"ValidatingWebhookConfiguration/hook"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d stages, want %d", len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("stage %d: got %d objects, want %d", i, len(got[i]), len(want[i]))
		}
		for j, w := range want[i] {
			if k := KeyOf(got[i][j]).String(); k != w {
				t.Errorf("stage %d object %d = %s, want %s", i, j, k, w)
			}
		}
	}
}

func TestStageOf(t *testing.T) {
	tests := []struct {
		kind string
		want Stage
	}{
		{"CustomResourceDefinition", StageDefinitions},
		{"Namespace", StageDefinitions},
		{"RoleBinding", StagePrerequisites},
		{"Widget", StageResources},
		{"MutatingWebhookConfiguration", StageWebhooks},
	}
	for _, tt := range tests {
		if got := StageOf(tt.kind); got != tt.want {
			t.Errorf("StageOf(%s) = %d, want %d", tt.kind, got, tt.want)
		}
	}
}
