package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/k8stest"
	"plumb.dev/plumb/internal/render/helm/helmtest"
	"plumb.dev/plumb/internal/sops"
	"plumb.dev/plumb/internal/store"
)

// kubeConfigDocs is a Source polled every second and a Kubernetes Target.
func kubeConfigDocs(kube *k8stest.Env) string {
	return fmt.Sprintf(`apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}", branch: main, interval: 1s}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: cluster}
spec: {kubernetes: {kubeconfig: %q}}
`, kube.Kubeconfig)
}

// syncedAndHealthy waits until app is Synced and Healthy.
func syncedAndHealthy(t *testing.T, d *daemon, app string) {
	t.Helper()
	eventually(t, app+" Synced and Healthy", func() (bool, string) {
		a := d.app(app)
		return a.Status.Sync == plumb.SyncSynced && a.Status.Health == plumb.HealthHealthy,
			string(a.Status.Sync) + "/" + string(a.Status.Health) + " " + a.Status.LastError + " " + a.Status.HealthMessage
	})
}

// configMapData waits until the ConfigMap's key has want and returns it.
func configMapIs(t *testing.T, kube *k8stest.Env, ns, name, key, want string) {
	t.Helper()
	eventually(t, fmt.Sprintf("ConfigMap %s %s=%s", name, key, want), func() (bool, string) {
		cm, err := kube.Client.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return cm.Data[key] == want, fmt.Sprint(cm.Data)
	})
}

// lastSync returns the newest history record of app with result res that
// changed something.
func lastSync(d *daemon, app string) store.SyncRecord {
	h := syncsOf(d.history(app), store.ResultSucceeded)
	for _, r := range h {
		if len(r.Actions) > 0 {
			return r
		}
	}
	return store.SyncRecord{}
}

// TestHelmChartApps: a chart from an HTTP repository, with a dependency
// from an OCI registry and values from Git and the App, deploys and becomes
// Healthy with its pre-install hook Job run before the main objects;
// changing a value in Git updates only the object it affects; a version
// bump through the repository and through OCI redeploys.
func TestHelmChartApps(t *testing.T) {
	kube := k8stest.Get(t)
	ns := kube.NewNamespace(t)
	reg := helmtest.NewRegistry(t)
	for _, v := range []string{"1.0.0", "1.0.1"} {
		if err := reg.Push("deps/cache", v, helmtest.MustPackage(t, "cache", helmtest.CacheChart(v))); err != nil {
			t.Fatal(err)
		}
	}
	repo := helmtest.NewRepo(t)
	repo.Add("web", "1.0.0", helmtest.MustPackage(t, "web", helmtest.WebChart("1.0.0", "oci://"+reg.Host+"/deps", 0)))

	e := newEnv(t)
	e.repo.WriteFile("apps/web/values.yaml", "replicas: 2\nmessage: from-git\n")
	e.repo.WriteFile("apps/cache/README.md", "cache from OCI\n")
	e.push("web values")
	apps := func(webVersion string) string {
		return kubeConfigDocs(kube) + fmt.Sprintf(`---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web}
spec:
  source: site
  target: cluster
  path: apps/web
  namespace: %[1]s
  prune: true
  timeout: 2m
  helm:
    repo: %[2]q
    chart: web
    version: %[3]q
    valuesFiles: [values.yaml]
    values: {cache: {size: large}}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: cache}
spec:
  source: site
  target: cluster
  path: apps/cache
  namespace: %[1]s
  prune: true
  interval: 2s
  helm: {oci: %[4]q, version: "~1.0", releaseName: solo}
`, ns, repo.URL, webVersion, reg.OCI("deps/cache"))
	}
	e.writeConfig("plumb.yaml", apps("~1.0.0"))
	d := e.serve()
	syncedAndHealthy(t, d, "web")
	syncedAndHealthy(t, d, "cache")
	ctx := context.Background()
	core := kube.Client.CoreV1()

	// Values from Git, the App, and the OCI dependency at its newest 1.0.x.
	web, err := kube.Client.AppsV1().Deployments(ns).Get(ctx, "web-web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *web.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2 from values.yaml", *web.Spec.Replicas)
	}
	configMapIs(t, kube, ns, "web-web-settings", "message", "from-git")
	configMapIs(t, kube, ns, "web-cache", "size", "large")
	configMapIs(t, kube, ns, "web-cache", "version", "1.0.1")
	configMapIs(t, kube, ns, "solo-cache", "version", "1.0.1")

	// The pre-install hook Job completed before the main objects were
	// created; the post-install hook came after; the test hook is left out.
	job, err := kube.Client.BatchV1().Jobs(ns).Get(ctx, "web-web-migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.CompletionTime == nil || web.CreationTimestamp.Before(job.Status.CompletionTime) {
		t.Errorf("hook Job completed at %v, Deployment created at %v: want the Job first", job.Status.CompletionTime, web.CreationTimestamp)
	}
	post, err := core.ConfigMaps(ns).Get(ctx, "web-web-installed", metav1.GetOptions{})
	if err != nil || post.CreationTimestamp.Before(&web.CreationTimestamp) {
		t.Errorf("post-install hook: %v, created %v before the Deployment %v", err, post.CreationTimestamp, web.CreationTimestamp)
	}
	if _, err := core.Pods(ns).Get(ctx, "web-web-test", metav1.GetOptions{}); err == nil {
		t.Error("the test hook Pod was applied")
	}

	// A value changed in Git updates only the object it affects.
	e.repo.WriteFile("apps/web/values.yaml", "replicas: 2\nmessage: changed-in-git\n")
	e.push("change the message")
	configMapIs(t, kube, ns, "web-web-settings", "message", "changed-in-git")
	eventually(t, "web Synced after the value change", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Revision == e.repo.Head(), string(a.Status.Sync)
	})
	var changed []string
	for _, a := range lastSync(d, "web").Actions {
		if a.Changes() {
			changed = append(changed, a.Object)
		}
	}
	if want := "ConfigMap/" + ns + "/web-web-settings"; len(changed) != 1 || changed[0] != want {
		t.Errorf("a changed message touched %v, want only %s", changed, want)
	}
	if after := getDeployment(t, kube, ns, "web-web"); after.ResourceVersion != web.ResourceVersion {
		t.Errorf("the Deployment was rewritten (resourceVersion %s -> %s)", web.ResourceVersion, after.ResourceVersion)
	}

	// A version bump through the HTTP repository.
	repo.Add("web", "1.1.0", helmtest.MustPackage(t, "web", helmtest.WebChart("1.1.0", "oci://"+reg.Host+"/deps", 0)))
	e.writeConfig("plumb.yaml", apps("~1.1.0"))
	configMapIs(t, kube, ns, "web-web-installed", "version", "1.1.0")
	syncedAndHealthy(t, d, "web")

	// A new version in the OCI registry is picked up by the range.
	if err := reg.Push("deps/cache", "1.0.2", helmtest.MustPackage(t, "cache", helmtest.CacheChart("1.0.2"))); err != nil {
		t.Fatal(err)
	}
	configMapIs(t, kube, ns, "solo-cache", "version", "1.0.2")
	syncedAndHealthy(t, d, "cache")
}

func getDeployment(t *testing.T, kube *k8stest.Env, ns, name string) *appsv1.Deployment {
	t.Helper()
	dep, err := kube.Client.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return dep
}

const (
	plainPassword = "E2E-SOPS-PLAINTEXT-91c2"
	plainReplicas = "2"
)

// writeKey makes an age key file and returns its path and public key.
func writeKey(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	id, recipient, err := sops.Keygen()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, id, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, recipient
}

func encrypted(t *testing.T, plain, recipient, regex string) string {
	t.Helper()
	out, err := sops.Encrypt([]byte(plain), sops.YAML, []string{recipient}, regex)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func secretManifest(password string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: " + password + "}\n"
}

const varsManifests = `apiVersion: v1
kind: ConfigMap
metadata: {name: vars-settings}
data:
  greeting: "${GREETING}"
  region: "${REGION:=eu-1}"
  literal: "$${KEEP}"
  environment: "${ENVIRONMENT}"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: vars-web}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: vars-web}}
  template:
    metadata: {labels: {app: vars-web}}
    spec:
      containers: [{name: web, image: "registry.example/web:${ENVIRONMENT}"}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: vars-script
  annotations: {plumb.dev/substitute: disabled}
data:
  run.sh: echo ${HOME} ${UNSET}
`

// TestEncryptedSecretsAndSubstitution: a SOPS-encrypted Secret is applied
// decrypted and its plaintext shows nowhere else; a file encrypted for
// another key fails with an error naming it and leaves the app as it was;
// variables come from the App and from an encrypted file, strictly, with
// an opt-out annotation, and an undefined one changes nothing.
func TestEncryptedSecretsAndSubstitution(t *testing.T) {
	kube := k8stest.Get(t)
	ns := kube.NewNamespace(t)
	keys := t.TempDir()
	keyA, recipientA := writeKey(t, keys, "a.agekey")
	_, recipientB := writeKey(t, keys, "b.agekey")

	e := newEnv(t)
	e.repo.WriteFile("apps/secure/secret.yaml", encrypted(t, secretManifest(plainPassword), recipientA, sops.SecretValues))
	e.repo.WriteFile("apps/secure/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: secure-config}\ndata: {v: \"1\"}\n")
	e.repo.WriteFile("apps/vars/app.yaml", varsManifests)
	e.repo.WriteFile("vars/vars.yaml", encrypted(t, "REPLICAS: \""+plainReplicas+"\"\nENVIRONMENT: staging\n", recipientA, ""))
	e.push("secrets and variables")
	e.writeConfig("plumb.yaml", kubeConfigDocs(kube)+fmt.Sprintf(`---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: secure}
spec:
  source: site
  target: cluster
  path: apps/secure
  namespace: %[1]s
  prune: true
  decryption: {ageKeyFiles: [%[2]q]}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: vars}
spec:
  source: site
  target: cluster
  path: apps/vars
  namespace: %[1]s
  prune: true
  decryption: {ageKeyFiles: [%[2]q]}
  substitute:
    strict: true
    vars: {GREETING: hello}
    fromFiles: [../../vars/vars.yaml]
`, ns, keyA))
	d := e.serve()
	syncedAndHealthy(t, d, "secure")
	syncedAndHealthy(t, d, "vars")
	ctx := context.Background()
	core := kube.Client.CoreV1()

	sec, err := core.Secrets(ns).Get(ctx, "db", metav1.GetOptions{})
	if err != nil || string(sec.Data["password"]) != plainPassword {
		t.Fatalf("Secret db: %v, password decrypted = %v", err, err == nil && string(sec.Data["password"]) == plainPassword)
	}
	for key, want := range map[string]string{"greeting": "hello", "region": "eu-1", "literal": "${KEEP}", "environment": "staging"} {
		configMapIs(t, kube, ns, "vars-settings", key, want)
	}
	configMapIs(t, kube, ns, "vars-script", "run.sh", "echo ${HOME} ${UNSET}")
	if dep := getDeployment(t, kube, ns, "vars-web"); *dep.Spec.Replicas != 2 || dep.Spec.Template.Spec.Containers[0].Image != "registry.example/web:staging" {
		t.Errorf("vars-web: replicas %d image %s", *dep.Spec.Replicas, dep.Spec.Template.Spec.Containers[0].Image)
	}

	// Encrypted for a key the app does not hold: a clear error, nothing of
	// the commit applied (not even the plain ConfigMap beside it).
	e.repo.WriteFile("apps/secure/secret.yaml", encrypted(t, secretManifest(plainPassword+"-v2"), recipientB, sops.SecretValues))
	e.repo.WriteFile("apps/secure/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: secure-config}\ndata: {v: \"2\"}\n")
	e.push("secret for another key")
	wantErr := "decrypt apps/secure/secret.yaml: cannot decrypt: no key in [" + keyA + "] matches the file's age recipients [" + recipientB + "]"
	eventually(t, "a decryption error naming the file", func() (bool, string) {
		a := d.app("secure")
		return strings.Contains(a.Status.LastError, wantErr), a.Status.LastError
	})
	// Undefined variable, strict: an error naming it, nothing applied.
	e.repo.WriteFile("apps/vars/app.yaml", strings.Replace(varsManifests, `greeting: "${GREETING}"`, `greeting: "${GREETING} ${UNDEFINED_VAR}"`, 1))
	e.push("an undefined variable")
	eventually(t, "a strict substitution error", func() (bool, string) {
		a := d.app("vars")
		return strings.Contains(a.Status.LastError, "undefined variable UNDEFINED_VAR"), a.Status.LastError
	})
	time.Sleep(2 * time.Second) // give a wrong apply the time to show
	if sec, _ := core.Secrets(ns).Get(ctx, "db", metav1.GetOptions{}); string(sec.Data["password"]) != plainPassword {
		t.Error("the Secret changed after a failed decryption")
	}
	configMapIs(t, kube, ns, "secure-config", "v", "1")
	configMapIs(t, kube, ns, "vars-settings", "greeting", "hello")

	// The plaintext appears in no output, log, history or database.
	outputs := map[string]string{"daemon log": d.logs.String()}
	for _, app := range []string{"secure", "vars"} {
		for _, args := range [][]string{{"status", app, "-o", "json"}, {"history", app, "-o", "json"}, {"render", app, "-o", "json"}, {"diff", app, "-o", "json"}} {
			out, _ := d.plumb(args...)
			outputs[strings.Join(args, " ")] = out
		}
	}
	out, _ := d.plumb("get", "apps", "-o", "yaml")
	outputs["get apps"] = out
	files, _ := filepath.Glob(filepath.Join(e.state, "*.db*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		outputs[filepath.Base(f)] = string(b)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(plainPassword))
	for name, out := range outputs {
		if strings.Contains(out, plainPassword) || strings.Contains(out, b64) {
			t.Errorf("%s shows the Secret's plaintext", name)
		}
	}
	if len(files) == 0 {
		t.Error("no database file to check")
	}
}
