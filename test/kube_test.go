package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/k8stest"
)

const secretValue = "TOPSECRET-VALUE-7f3a"

func kubeManifests(replicas int, withConfig bool) map[string]string {
	files := map[string]string{
		"k8s/web/deploy.yaml": fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "registry.example/web:1.0.0"}]
`, replicas),
		"k8s/web/secret.yaml": `apiVersion: v1
kind: Secret
metadata: {name: web-creds}
stringData: {password: ` + secretValue + `}
`,
	}
	if withConfig {
		files["k8s/web/config.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {greeting: hello}\n"
	}
	return files
}

// TestKubernetesApp drives an app on the real control plane through the
// daemon: deploy until Healthy, a `kubectl scale` reverted with the
// manager's name in history, a ConfigMap removed from Git pruned, the
// database lost without needless writes, and a Secret's value nowhere.
func TestKubernetesApp(t *testing.T) {
	kube := k8stest.Get(t)
	ns := kube.NewNamespace(t)
	e := newEnv(t)
	for p, c := range kubeManifests(2, true) {
		e.repo.WriteFile(p, c)
	}
	e.push("web on kubernetes")
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
spec: {source: site, path: k8s/web, target: cluster, namespace: %s, prune: true, selfHeal: true, timeout: 2m}
`, e.srv.URL(), kube.Kubeconfig, ns))
	d := e.serve()
	eventually(t, "web Synced and Healthy", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Health == plumb.HealthHealthy, string(a.Status.Sync) + "/" + string(a.Status.Health) + " " + a.Status.LastError + " " + a.Status.HealthMessage
	})
	ctx := context.Background()

	// kubectl scale, as a client with kubectl's field manager.
	patch := []byte(`{"spec":{"replicas":5}}`)
	if _, err := kube.Client.AppsV1().Deployments(ns).Patch(ctx, "web", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-scale"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "replicas put back to 2", func() (bool, string) {
		dep, err := kube.Client.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return *dep.Spec.Replicas == 2, fmt.Sprint(*dep.Spec.Replicas)
	})
	eventually(t, "the drift and its author in history", func() (bool, string) {
		for _, r := range d.history("web") {
			for _, a := range r.Actions {
				if a.Reason == plumb.ReasonDrifted && strings.Contains(a.Detail, "kubectl-scale") {
					return true, ""
				}
			}
		}
		return false, "no drift action naming kubectl-scale"
	})

	// A ConfigMap removed from Git is pruned.
	e.repo.Remove("k8s/web/config.yaml")
	e.push("drop the config map")
	eventually(t, "web-config pruned", func() (bool, string) {
		_, err := kube.Client.CoreV1().ConfigMaps(ns).Get(ctx, "web-config", metav1.GetOptions{})
		return err != nil && strings.Contains(err.Error(), "not found"), fmt.Sprint(err)
	})

	// The database is lost: a restart re-owns everything without writing.
	before := deployment(t, kube, ns)
	d.stop()
	if err := os.Remove(filepath.Join(e.state, "plumb.db")); err != nil {
		t.Fatal(err)
	}
	d = e.serve()
	eventually(t, "web Synced again after losing the database", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced, string(a.Status.Sync) + " " + a.Status.LastError
	})
	if after := deployment(t, kube, ns); after.ResourceVersion != before.ResourceVersion {
		t.Errorf("losing the database made plumb rewrite the Deployment (resourceVersion %s -> %s)", before.ResourceVersion, after.ResourceVersion)
	}

	// What a pull request scaling to 3 would change, before merging.
	pr := t.TempDir()
	for p, c := range kubeManifests(3, false) {
		if err := os.MkdirAll(filepath.Join(pr, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pr, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, code := d.plumb("diff", "--local", pr, "--app", "web")
	if code != 1 || !strings.Contains(out, "changed in Git") || !strings.Contains(out, "replicas: 3") {
		t.Errorf("plumb diff --local of a PR scaling to 3: exit %d\n%s", code, out)
	}
	if dep := deployment(t, kube, ns); *dep.Spec.Replicas != 2 {
		t.Errorf("a local diff changed the cluster: replicas %d", *dep.Spec.Replicas)
	}

	// The Secret's value appears in no output.
	outputs := []string{d.logs.String()}
	for _, args := range [][]string{{"status", "web", "-o", "json"}, {"history", "web", "-o", "json"}, {"render", "web", "-o", "json"}, {"diff", "web", "-o", "json"}, {"get", "apps", "-o", "yaml"}, {"diff", "--local", pr, "--app", "web"}} {
		out, _ := d.plumb(args...)
		outputs = append(outputs, out)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(secretValue))
	for i, out := range outputs {
		if strings.Contains(out, secretValue) || strings.Contains(out, b64) {
			t.Errorf("output %d shows the Secret's value", i)
		}
	}
}

func deployment(t *testing.T, kube *k8stest.Env, ns string) *appsv1.Deployment {
	t.Helper()
	dep, err := kube.Client.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return dep
}
