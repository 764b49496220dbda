package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/imagetest"
	"plumb.dev/plumb/internal/k8stest"
)

// TestImageUpdateKubernetes: on the Kubernetes testbed, a new tag pushed
// to the registry is committed to Git and the Deployment rolls to it.
func TestImageUpdateKubernetes(t *testing.T) {
	kube := k8stest.Get(t)
	ns := kube.NewNamespace(t)
	reg := imagetest.Start(t)
	reg.Push("web", "1.0.0")
	img := reg.Image("web")
	e := newEnv(t)
	e.repo.WriteFile("k8s/web/deploy.yaml", fmt.Sprintf(markedDeployment, img, "1.0.0"))
	e.push("web at 1.0.0")
	e.writeConfig("plumb.yaml", fmt.Sprintf(`apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: %q, branch: main, interval: 1s}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: cluster}
spec: {kubernetes: {kubeconfig: %q}}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web}
spec: {source: site, path: k8s/web, target: cluster, namespace: %s, prune: true, timeout: 2m}
---
apiVersion: plumb.dev/v1alpha1
kind: ImagePolicy
metadata: {name: web}
spec: {image: %q, insecure: true, interval: 1s, policy: {semver: {range: "^1.0.0"}}}
---
apiVersion: plumb.dev/v1alpha1
kind: ImageUpdate
metadata: {name: web}
spec: {source: site, paths: [k8s], interval: 2s}
`, e.srv.URL(), kube.Kubeconfig, ns, img))
	d := e.serve()
	imageIs := func(tag string) {
		t.Helper()
		eventually(t, "the Deployment at "+tag, func() (bool, string) {
			dep, err := kube.Client.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			got := dep.Spec.Template.Spec.Containers[0].Image
			return got == img+":"+tag, got
		})
	}
	imageIs("1.0.0")
	reg.Push("web", "1.3.0")
	imageIs("1.3.0")
	_, msg, _ := strings.Cut(e.servedLog("main"), "|")
	if want := fmt.Sprintf("plumb|Update images (web)\n\n- %s:1.0.0 → %s:1.3.0", img, img); msg != want {
		t.Errorf("commit %q, want %q", msg, want)
	}
	if got := e.served("main", "k8s/web/deploy.yaml"); got+"\n" != fmt.Sprintf(markedDeployment, img, "1.3.0") {
		t.Errorf("manifest changed beyond the tag:\n%s", got)
	}
	eventually(t, "web Synced and Healthy", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Health == plumb.HealthHealthy, string(a.Status.Sync) + "/" + string(a.Status.Health)
	})
}
