package main

import (
	"plumb.dev/plumb/bench/internal/kubebench"

	"fmt"
	"strings"
	"time"
)

// benchFleet times n apps × (10 ConfigMaps + 1 Deployment) from one repo,
// from plumb serve starting until every app is Healthy, sampling RSS.
func benchFleet(tb *kubebench.Testbed, bin, dir string, n int) error {
	files := map[string]string{}
	var cfg strings.Builder
	for i := range n {
		ns := fmt.Sprintf("fleet-%03d", i)
		files[fmt.Sprintf("fleet/%s/ns.yaml", ns)] = fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns)
		files[fmt.Sprintf("fleet/%s/deploy.yaml", ns)] = deploymentYAML("app", ns, 1)
		var cms strings.Builder
		for j := range 10 {
			fmt.Fprintf(&cms, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d, namespace: %s}\ndata: {k: v%d}\n", j, ns, j)
		}
		files[fmt.Sprintf("fleet/%s/config.yaml", ns)] = cms.String()
		fmt.Fprintf(&cfg, "---\napiVersion: plumb.dev/v1alpha1\nkind: App\nmetadata: {name: %s}\nspec: {source: site, path: fleet/%s, target: cluster, prune: true, selfHeal: true}\n", ns, ns)
	}
	_, srv, err := kubebench.NewRepo(dir, files)
	if err != nil {
		return err
	}
	defer srv.Close()
	d, err := kubebench.StartDaemon(bin, dir, kubebench.Source(srv.URL())+kubebench.Cluster(tb.Kubeconfig)+cfg.String(), "--concurrency", "16")
	if err != nil {
		return err
	}
	defer d.Stop()
	var peak int64
	took, applied, err := d.WaitHealthy(n, 10*time.Minute, func() {
		if rss := kubebench.RSS(d.Cmd.Process.Pid); rss > peak {
			peak = rss
		}
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d apps × (10 ConfigMaps + 1 Deployment), plumb serve start → all applied %.1f s → all Healthy %.1f s, peak RSS %.0f MiB (--concurrency 16)\n",
		n, applied.Seconds(), took.Seconds(), float64(peak)/(1<<20))
	return nil
}
