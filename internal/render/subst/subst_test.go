package subst_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"plumb.dev/plumb/internal/render/subst"
)

func TestString(t *testing.T) {
	vars := map[string]string{"ENV": "prod", "EMPTY": ""}
	tests := []struct {
		in, want  string
		strict    bool
		undefined []string
	}{
		{"plain", "plain", true, nil},
		{"${ENV}", "prod", true, nil},
		{"a-${ENV}-b-${ENV}", "a-prod-b-prod", true, nil},
		{"${MISSING:=fallback}", "fallback", true, nil},
		{"${ENV:=fallback}", "prod", true, nil},
		{"${EMPTY:=fallback}", "", true, nil},
		{"${MISSING:=}", "", true, nil},
		{"$${ENV} stays", "${ENV} stays", true, nil},
		{"$ENV $1 ${1} ${a b} $(cmd)", "$ENV $1 ${1} ${a b} $(cmd)", true, nil},
		{"x${MISSING}y", "xy", false, nil},
		{"${B} ${A} ${B}", "  ", true, []string{"A", "B"}},
	}
	for _, tt := range tests {
		got, undefined := subst.String(tt.in, subst.Options{Vars: vars, Strict: tt.strict})
		if got != tt.want || !reflect.DeepEqual(undefined, tt.undefined) {
			t.Errorf("String(%q) = %q, %v; want %q, %v", tt.in, got, undefined, tt.want, tt.undefined)
		}
	}
}

const objects = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${ENV}
  labels: {version: "${VERSION}"}
spec:
  replicas: ${REPLICAS}
  paused: ${PAUSED}
  template:
    spec:
      containers:
        - name: web
          image: nginx:${VERSION}
          args: ["${REPLICAS}"]
          env: [{name: N, value: "${REPLICAS}"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  replicas: "${REPLICAS}"
  note: "$${ENV} is ${ENV}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: script
  annotations: {plumb.dev/substitute: disabled}
data:
  run.sh: echo ${HOME} ${UNDEFINED}
`

func decodeAll(t *testing.T, s string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, doc := range splitDocs(s) {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

func TestObjects(t *testing.T) {
	objs := decodeAll(t, objects)
	vars := map[string]string{"ENV": "prod", "VERSION": "1.25", "REPLICAS": "3", "PAUSED": "false"}
	if err := subst.Objects(objs, subst.Options{Vars: vars, Strict: true}); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		obj    int
		fields []string
		want   any
	}{
		{0, []string{"metadata", "name"}, "web-prod"},
		{0, []string{"metadata", "labels", "version"}, "1.25"},
		{0, []string{"spec", "replicas"}, int64(3)},
		{0, []string{"spec", "paused"}, false},
		{1, []string{"data", "replicas"}, "3"},
		{1, []string{"data", "note"}, "${ENV} is prod"},
		{2, []string{"data", "run.sh"}, "echo ${HOME} ${UNDEFINED}"},
	}
	for _, c := range checks {
		got, _, _ := unstructured.NestedFieldNoCopy(objs[c.obj].Object, c.fields...)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v = %#v, want %#v", c.fields, got, c.want)
		}
	}
	c := objs[0].Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if c["image"] != "nginx:1.25" || c["args"].([]any)[0] != "3" || c["env"].([]any)[0].(map[string]any)["value"] != "3" {
		t.Errorf("container = %v", c)
	}
}

func TestObjectsStrict(t *testing.T) {
	objs := decodeAll(t, objects)
	err := subst.Objects(objs, subst.Options{Vars: map[string]string{"ENV": "x"}, Strict: true})
	var ue *subst.UndefinedError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v, want UndefinedError", err)
	}
	want := "substitute Deployment web-x: undefined variable PAUSED, REPLICAS, VERSION (define it in spec.substitute.vars or fromFiles, give a default with ${NAME:=value}, or escape it as $${NAME})"
	if err.Error() != want {
		t.Errorf("error = %s\nwant  %s", err, want)
	}
}

func TestLoadVars(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"app/vars.yaml": "A: one\nN: 3\nF: 1.5\nB: true\n",
		"app/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v}\ndata: {A: two, C: cm}\n",
		"app/sec.yaml":  "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {D: ZGVj}\nstringData: {E: plain}\n",
		"app/bad.yaml":  "A: [1]\n",
	}
	for name, data := range files {
		os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(root, name), []byte(data), 0o644)
	}
	var seen []string
	dec := func(file string, data []byte) ([]byte, error) { seen = append(seen, file); return data, nil }
	got, err := subst.LoadVars(root, "app", []string{"vars.yaml", "cm.yaml", "sec.yaml"}, dec)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "two", "N": "3", "F": "1.5", "B": "true", "C": "cm", "D": "dec", "E": "plain"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("vars = %v, want %v", got, want)
	}
	if len(seen) != 3 || seen[0] != "app/vars.yaml" {
		t.Errorf("decrypt saw %v", seen)
	}
	for _, bad := range []struct{ file, want string }{
		{"bad.yaml", "substitute: app/bad.yaml: variable A: must be a string, number or boolean"},
		{"none.yaml", "substitute: read app/none.yaml: no such file or directory"},
		{"../../etc/passwd", "substitute: read ../etc/passwd: path escapes from parent"},
	} {
		if _, err := subst.LoadVars(root, "app", []string{bad.file}, nil); err == nil || err.Error() != bad.want {
			t.Errorf("LoadVars(%s) error = %v\nwant %s", bad.file, err, bad.want)
		}
	}
}
