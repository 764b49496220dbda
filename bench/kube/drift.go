package main

import (
	"plumb.dev/plumb/bench/internal/kubebench"

	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func deploymentYAML(name, ns string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  replicas: %[3]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec: {containers: [{name: app, image: "registry.example/app:1.0.0"}]}
`, name, ns, replicas)
}

// benchDrift times `kubectl scale`-style edits of an owned Deployment until
// plumb has put the replicas back.
func benchDrift(tb *kubebench.Testbed, bin, dir string, n int) error {
	files := map[string]string{
		"drift/ns.yaml":     "apiVersion: v1\nkind: Namespace\nmetadata: {name: bench-drift}\n",
		"drift/deploy.yaml": deploymentYAML("web", "bench-drift", 2),
	}
	_, srv, err := kubebench.NewRepo(dir, files)
	if err != nil {
		return err
	}
	defer srv.Close()
	cfg := kubebench.Source(srv.URL()) + kubebench.Cluster(tb.Kubeconfig) +
		"---\napiVersion: plumb.dev/v1alpha1\nkind: App\nmetadata: {name: drift}\nspec: {source: site, path: drift, target: cluster, prune: true, selfHeal: true}\n"
	d, err := kubebench.StartDaemon(bin, dir, cfg)
	if err != nil {
		return err
	}
	defer d.Stop()
	if _, _, err := d.WaitHealthy(1, 2*time.Minute, nil); err != nil {
		return err
	}
	ctx := context.Background()
	deps := tb.Client.AppsV1().Deployments("bench-drift")
	var lat []time.Duration
	for i := range n {
		patch := fmt.Appendf(nil, `{"spec":{"replicas":%d}}`, 5+i%2)
		if _, err := deps.Patch(ctx, "web", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
			return err
		}
		start := time.Now()
		for {
			dep, err := deps.Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if *dep.Spec.Replicas == 2 {
				break
			}
			if time.Since(start) > time.Minute {
				return fmt.Errorf("drift %d not corrected within a minute", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(start))
		time.Sleep(300 * time.Millisecond)
	}
	report("drift correction (kubectl edit → reverted)   ", lat)
	return nil
}
