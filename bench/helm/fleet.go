package main

import (
	"plumb.dev/plumb/bench/internal/kubebench"

	"fmt"
	"strings"
	"time"

	"plumb.dev/plumb/internal/render/helm/helmtest"
)

// benchFleet times n apps of one chart (from an HTTP repository) with
// different values, from plumb serve starting until all are Healthy.
func benchFleet(dir string, n int) error {
	tb, err := kubebench.StartTestbed(dir + "-testbed")
	if err != nil {
		return err
	}
	defer tb.Stop()
	bin, err := kubebench.BuildPlumb(dir + "-bin")
	if err != nil {
		return err
	}
	files := helmtest.WebChart("1.0.0", "", 8)
	delete(files, "crds/widgets.yaml") // a CRD is cluster-wide: one owner, not 50
	tgz, err := helmtest.Package("web", files)
	if err != nil {
		return err
	}
	repo := helmtest.StartRepo()
	defer repo.Close()
	repo.Add("web", "1.0.0", tgz)
	gitFiles := map[string]string{}
	var cfg strings.Builder
	for i := range n {
		ns := fmt.Sprintf("helm-%03d", i)
		gitFiles["fleet/"+ns+"/ns.yaml"] = fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns)
		fmt.Fprintf(&cfg, `---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: %[1]s-ns}
spec: {source: site, path: fleet/%[1]s, target: cluster}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: %[1]s}
spec:
  source: site
  path: fleet/%[1]s
  target: cluster
  namespace: %[1]s
  dependsOn: [%[1]s-ns]
  helm: {repo: %[2]q, chart: web, version: "1.0.x", values: {message: "app %[3]d", replicas: %[4]d}}
`, ns, repo.URL, i, 1+i%2)
	}
	_, srv, err := kubebench.NewRepo(dir, gitFiles)
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
	took, applied, err := d.WaitHealthy(2*n, 10*time.Minute, func() {
		if rss := kubebench.RSS(d.Cmd.Process.Pid); rss > peak {
			peak = rss
		}
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d chart apps (%d objects each, pre-install Job included) + their namespaces, plumb serve start → all applied %.1f s → all Healthy %.1f s, peak RSS %.0f MiB, %d chart repo requests\n",
		n, 13, applied.Seconds(), took.Seconds(), float64(peak)/(1<<20), repo.Requests.Load())
	return nil
}
