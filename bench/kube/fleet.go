package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// benchFleet times n apps × (10 ConfigMaps + 1 Deployment) from one repo,
// from plumb serve starting until every app is Healthy, sampling RSS.
func benchFleet(tb *testbed, bin, dir string, n int) error {
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
	_, srv, err := newRepo(dir, files)
	if err != nil {
		return err
	}
	defer srv.Close()
	d, err := startDaemon(bin, dir, source(srv.URL())+cluster(tb.kubeconfig)+cfg.String(), "--concurrency", "16")
	if err != nil {
		return err
	}
	defer d.stop()
	var peak int64
	took, applied, err := d.waitHealthy(n, 10*time.Minute, func() {
		if rss := rssOf(d.cmd.Process.Pid); rss > peak {
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

func rssOf(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
