package helm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/render"
	"plumb.dev/plumb/internal/render/helm"
	"plumb.dev/plumb/internal/render/helm/helmtest"
)

// writeTree lays files out under a new directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, data := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func byName(objs []*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	m := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		m[o.GetKind()+"/"+o.GetName()] = o
	}
	return m
}

func str(t *testing.T, o *unstructured.Unstructured, fields ...string) string {
	t.Helper()
	if o == nil {
		t.Fatalf("object missing (want %v)", fields)
	}
	v, _, _ := unstructured.NestedFieldNoCopy(o.Object, fields...)
	return strings.TrimSpace(strings.ReplaceAll(toString(v), "\n", " "))
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return itoa(x)
	case nil:
		return ""
	default:
		return "?"
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// TestLocalChart: a chart in the source with a file:// dependency, two
// values files and inline values, capabilities, CRDs and hooks.
func TestLocalChart(t *testing.T) {
	files := helmtest.Prefixed("charts/web", helmtest.WebChart("1.0.0", "file://../cache", 2))
	for p, d := range helmtest.Prefixed("charts/cache", helmtest.CacheChart("1.0.3")) {
		files[p] = d
	}
	files["apps/web/values.yaml"] = "replicas: 2\nmessage: from-file\ncache: {size: medium}\n"
	files["apps/web/values-prod.yaml"] = "replicas: 3\n"
	root := writeTree(t, files)
	r := helm.New(helm.Options{})
	q := helm.Request{Root: root, AppPath: "apps/web", Namespace: "shop", App: "web", Chart: &config.HelmChart{
		Chart: "../../charts/web", ValuesFiles: []string{"values.yaml", "values-prod.yaml"},
		Values: config.Values{"message": "inline"}, APIVersions: []string{"monitoring.coreos.com/v1"},
	}}
	res, err := r.Render(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	objs := byName(res.Objects)
	checks := []struct {
		obj    string
		fields []string
		want   string
	}{
		{"Deployment/web-web", []string{"spec", "replicas"}, "3"},
		{"ConfigMap/web-web-settings", []string{"data", "message"}, "inline"},
		{"ConfigMap/web-web-settings", []string{"data", "release"}, "web"},
		{"ConfigMap/web-web-settings", []string{"data", "namespace"}, "shop"},
		{"ConfigMap/web-web-settings", []string{"data", "kube"}, helm.DefaultKubeVersion},
		{"ConfigMap/web-web-settings", []string{"data", "monitoring"}, "true"},
		{"ConfigMap/web-cache", []string{"data", "size"}, "medium"},
		{"ConfigMap/web-cache", []string{"data", "version"}, "1.0.3"},
		{"Job/web-web-migrate", []string{"metadata", "annotations", helm.PhaseAnnotation}, "pre"},
		{"Job/web-web-migrate", []string{"metadata", "annotations", helm.ForceAnnotation}, "true"},
		{"ConfigMap/web-web-installed", []string{"metadata", "annotations", helm.PhaseAnnotation}, "post"},
		{"CustomResourceDefinition/widgets.example.plumb.dev", []string{"spec", "group"}, "example.plumb.dev"},
	}
	for _, c := range checks {
		if got := str(t, objs[c.obj], c.fields...); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.obj, strings.Join(c.fields, "."), got, c.want)
		}
	}
	if _, ok := objs["Pod/web-web-test"]; ok {
		t.Error("test hook rendered")
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "Pod web-web-test (helm.sh/hook: test)") {
		t.Errorf("Skipped = %v", res.Skipped)
	}
	if len(res.Objects) != 9 {
		t.Errorf("rendered %d objects, want 9: %v", len(res.Objects), keys(objs))
	}
	if res.Objects[0].GetKind() != "CustomResourceDefinition" {
		t.Errorf("first object is %s, want the CRD", res.Objects[0].GetKind())
	}
	if q.Chart.Values["message"] != "inline" || len(q.Chart.Values) != 1 {
		t.Errorf("render changed the app's values: %v", q.Chart.Values)
	}
}

func keys(m map[string]*unstructured.Unstructured) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestRemoteCharts: a chart from an HTTP repository whose dependency
// comes from an OCI registry; constraints pick the newest match; an
// outage keeps the last resolution; the cache serves unchanged renders.
func TestRemoteCharts(t *testing.T) {
	reg := helmtest.NewRegistry(t)
	for _, v := range []string{"1.0.0", "1.0.1", "2.0.0"} {
		if err := reg.Push("deps/cache", v, helmtest.MustPackage(t, "cache", helmtest.CacheChart(v))); err != nil {
			t.Fatal(err)
		}
	}
	repo := helmtest.NewRepo(t)
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0-rc.1"} {
		repo.Add("web", v, helmtest.MustPackage(t, "web", helmtest.WebChart(v, "oci://"+reg.Host+"/deps", 0)))
	}
	r := helm.New(helm.Options{IndexTTL: 1})
	q := helm.Request{Root: t.TempDir(), AppPath: ".", Namespace: "ns", App: "shop", Chart: &config.HelmChart{Repo: repo.URL, Chart: "web", Version: "^1.0"}}
	res, err := r.Render(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.1.0" {
		t.Errorf("version = %s, want 1.1.0", res.Version)
	}
	if got := str(t, byName(res.Objects)["ConfigMap/shop-cache"], "data", "version"); got != "1.0.1" {
		t.Errorf("dependency version = %s, want 1.0.1", got)
	}
	before := repo.Requests.Load()
	repo.SetDown(true)
	res2, err := r.Render(context.Background(), q)
	if err != nil {
		t.Fatalf("render with the repository down: %v", err)
	}
	if res2.Version != "1.1.0" || repo.Requests.Load() == before {
		t.Errorf("outage: version %s, requests %d → %d", res2.Version, before, repo.Requests.Load())
	}
	q2 := q
	q2.Chart = &config.HelmChart{Repo: repo.URL, Chart: "web", Version: "~1.0.0"}
	_, err = r.Render(context.Background(), q2)
	if err == nil || !strings.Contains(err.Error(), "chart repository "+repo.URL+" unreachable: GET "+repo.URL+"/index.yaml: 503 Service Unavailable (no earlier copy of "+repo.URL+"/web to keep using)") {
		t.Errorf("outage without a copy: error = %v", err)
	}
	repo.SetDown(false)
	oci := helm.Request{Root: t.TempDir(), AppPath: ".", App: "c", Chart: &config.HelmChart{OCI: reg.OCI("deps/cache"), Version: ">=2.0.0"}}
	res3, err := r.Render(context.Background(), oci)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Version != "2.0.0" {
		t.Errorf("oci version = %s", res3.Version)
	}
}

func TestRenderErrors(t *testing.T) {
	root := writeTree(t, map[string]string{
		"bad/Chart.yaml":       "apiVersion: v2\nname: bad\nversion: 1.0.0\n",
		"bad/templates/x.yaml": "{{ .Values.nope.deeper }}",
		"nodep/Chart.yaml":     "apiVersion: v2\nname: nodep\nversion: 1.0.0\ndependencies: [{name: gone, version: 1.0.0, repository: stable}]\n",
		"kube/Chart.yaml":      "apiVersion: v2\nname: kube\nversion: 1.0.0\nkubeVersion: '<1.20'\n",
		"app/values.yaml":      "a: [\n",
		"ok/Chart.yaml":        "apiVersion: v2\nname: ok\nversion: 1.0.0\n",
		"ok/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
	})
	r := helm.New(helm.Options{})
	tests := []struct {
		chart *config.HelmChart
		want  string
	}{
		{&config.HelmChart{Chart: "missing"}, "helm missing: chart missing: no Chart.yaml in that directory of the source"},
		{&config.HelmChart{Chart: "bad"}, "helm bad: bad/templates/x.yaml:1:10\n  executing \"bad/templates/x.yaml\" at <.Values.nope.deeper>:\n    nil pointer evaluating interface {}.deeper"},
		{&config.HelmChart{Chart: "nodep"}, `helm nodep: chart nodep: dependency gone: repository "stable": use a URL (https://, oci:// or file://); named repositories are not supported`},
		{&config.HelmChart{Chart: "kube"}, "helm kube: chart requires kubeVersion <1.20, which Kubernetes v1.36.0 does not meet (set helm.kubeVersion)"},
		{&config.HelmChart{Chart: "ok", ValuesFiles: []string{"app/values.yaml"}}, "helm ok: values file app/values.yaml: yaml: line 1: did not find expected node content"},
		{&config.HelmChart{Chart: "ok", ValuesFiles: []string{"../../etc/passwd"}}, "helm ok: values file ../../etc/passwd: path escapes from parent"},
	}
	for _, tt := range tests {
		_, err := r.Render(context.Background(), helm.Request{Root: root, AppPath: ".", App: "a", Chart: tt.chart})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v\nwant %s", tt.chart.Chart, err, tt.want)
		}
	}
}

// TestRegistered: a directory holding Chart.yaml renders through the
// render registry with the chart's defaults, its base name as release.
func TestRegistered(t *testing.T) {
	root := writeTree(t, helmtest.Prefixed("apps/shop", helmtest.CacheChart("1.0.0")))
	in := render.Input{Root: root, Path: "apps/shop", Namespace: "ns"}
	if kind, err := render.Detect(in); err != nil || kind != helm.Name {
		t.Fatalf("Detect = %q, %v; want %s", kind, err, helm.Name)
	}
	objs, err := render.Render(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].GetName() != "shop-cache" || render.Origin(objs[0]) != "apps/shop/templates/cm.yaml#1" {
		t.Errorf("objects = %v", objs)
	}
}

// TestCredentialsAndDecrypt: repository credentials come from files and
// are sent; a missing or wrong one fails without echoing the password;
// values files pass through the app's decrypter.
func TestCredentialsAndDecrypt(t *testing.T) {
	repo := helmtest.NewRepo(t)
	repo.RequireAuth("deploy", "s3cret-pass")
	repo.Add("cache", "1.0.0", helmtest.MustPackage(t, "cache", helmtest.CacheChart("1.0.0")))
	dir := t.TempDir()
	user, pass, wrong := filepath.Join(dir, "user"), filepath.Join(dir, "pass"), filepath.Join(dir, "wrong")
	os.WriteFile(user, []byte("deploy\n"), 0o600)
	os.WriteFile(pass, []byte("s3cret-pass\n"), 0o600)
	os.WriteFile(wrong, []byte("nope-pass\n"), 0o600)
	root := writeTree(t, map[string]string{"app/values.enc.yaml": "ENCRYPTED"})
	var seen []string
	decrypt := func(file string, data []byte) ([]byte, error) {
		seen = append(seen, file+":"+string(data))
		return []byte("size: decrypted-size\n"), nil
	}
	r := helm.New(helm.Options{})
	q := helm.Request{Root: root, AppPath: "app", App: "c", Decrypt: decrypt, Chart: &config.HelmChart{
		Repo: repo.URL, Chart: "cache", ValuesFiles: []string{"values.enc.yaml"},
		Credentials: &config.HelmCredentials{UsernameFile: user, PasswordFile: pass},
	}}
	res, err := r.Render(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got := str(t, byName(res.Objects)["ConfigMap/c-cache"], "data", "size"); got != "decrypted-size" {
		t.Errorf("size = %q, want the decrypted value", got)
	}
	if len(seen) != 1 || seen[0] != "app/values.enc.yaml:ENCRYPTED" {
		t.Errorf("decrypter saw %v", seen)
	}
	for _, creds := range []*config.HelmCredentials{nil, {UsernameFile: user, PasswordFile: wrong}} {
		q.Chart = &config.HelmChart{Repo: repo.URL, Chart: "cache", Version: "1.0.0", Credentials: creds}
		_, err := helm.New(helm.Options{}).Render(context.Background(), q)
		if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || strings.Contains(err.Error(), "pass") {
			t.Errorf("credentials %v: error = %v", creds, err)
		}
	}
}

// TestConcurrentRenders: one renderer serves many apps at once (run with
// -race); each gets its own objects.
func TestConcurrentRenders(t *testing.T) {
	repo := helmtest.NewRepo(t)
	repo.Add("cache", "1.0.0", helmtest.MustPackage(t, "cache", helmtest.CacheChart("1.0.0")))
	r := helm.New(helm.Options{})
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			q := helm.Request{Root: t.TempDir(), AppPath: ".", App: "a", Chart: &config.HelmChart{
				Repo: repo.URL, Chart: "cache", Values: config.Values{"size": strconv.Itoa(i % 4)}}}
			res, err := r.Render(context.Background(), q)
			if err == nil {
				res.Objects[0].SetName("mine")
				if got := str(t, res.Objects[0], "data", "size"); got != strconv.Itoa(i%4) {
					err = fmt.Errorf("render %d: size %s", i, got)
				}
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := repo.Requests.Load(); n > 4 {
		t.Logf("%d repository requests for 16 renders", n)
	}
}
