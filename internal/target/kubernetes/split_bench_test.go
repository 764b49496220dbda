package kubernetes

import (
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/k8stest"
)

// BenchmarkPlan1000ConfigMapsCold plans 1000 new ConfigMaps (no apply).
func BenchmarkPlan1000ConfigMapsCold(b *testing.B) {
	env := k8stest.Get(b)
	ns := env.NewNamespace(b)
	app := plumb.AppRef{Name: ns, Namespace: ns}
	objs := manyConfigMaps(b, ns, 1000)
	for b.Loop() {
		d, err := NewForConfig("bench", env.Config, config.KubernetesTarget{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Plan(b.Context(), app, plumb.Desired{Objects: objs}, true); err != nil {
			b.Fatal(err)
		}
	}
}
