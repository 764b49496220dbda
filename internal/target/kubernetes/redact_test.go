package kubernetes

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const secretLive = `
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: web
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
data:
  password: aHVudGVyMg==
  user: YWRtaW4=
  old: b2xkdmFsdWU=
`

const secretDesired = `
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: web
data:
  password: c3VwZXJzZWNyZXQ=
  user: YWRtaW4=
  token: dG9rZW52YWx1ZQ==
`

func TestDiffRedactsSecrets(t *testing.T) {
	live, desired := obj(t, secretLive), obj(t, secretDesired)
	d, err := Diff("Secret/web/db", live, desired)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "secret.diff", d)
	for _, v := range []string{"aHVudGVyMg==", "c3VwZXJzZWNyZXQ=", "YWRtaW4=", "dG9rZW52YWx1ZQ==", "b2xkdmFsdWU=", "hunter2"} {
		if strings.Contains(d, v) {
			t.Errorf("diff shows secret value %q:\n%s", v, d)
		}
	}
	if !strings.Contains(d, RedactedChanged) {
		t.Errorf("diff does not say a value changed:\n%s", d)
	}
	if live.Object["data"].(map[string]any)["password"] != "aHVudGVyMg==" {
		t.Error("Diff modified its input")
	}
}

func TestDiffIgnoresServerFields(t *testing.T) {
	live := obj(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: n, resourceVersion: "7", uid: x, creationTimestamp: "2020-01-01T00:00:00Z",
  managedFields: [{manager: plumb, operation: Apply}]}
data: {k: v}
`)
	merged := obj(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: n, resourceVersion: "8", uid: x}
data: {k: v}
`)
	d, err := Diff("ConfigMap/n/a", live, merged)
	if err != nil || d != "" {
		t.Errorf("Diff = %q, %v; want no diff", d, err)
	}
	if !sameContent(live, merged) {
		t.Error("sameContent = false, want true")
	}
}

func TestDiffConfigMapChange(t *testing.T) {
	live := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {k: old, keep: same}\n")
	merged := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {k: new, keep: same}\n")
	d, err := Diff("ConfigMap/n/a", live, merged)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "configmap.diff", d)
}

func TestScrubber(t *testing.T) {
	s := newScrubber([]*unstructured.Unstructured{obj(t, secretDesired), obj(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {pw: plaintext-pw, x: ab}\n")})
	msg := `Secret "db" is invalid: data[password]: Invalid value: "supersecret": bad; stringData plaintext-pw; c3VwZXJzZWNyZXQ=; ab`
	got := s.Scrub(msg)
	for _, v := range []string{"supersecret", "plaintext-pw", "c3VwZXJzZWNyZXQ="} {
		if strings.Contains(got, v) {
			t.Errorf("Scrub left %q in %q", v, got)
		}
	}
	if !strings.Contains(got, "; ab") {
		t.Errorf("Scrub removed a value too short to be secret: %q", got)
	}
}

func TestFoldStringData(t *testing.T) {
	u := obj(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: hello}\ndata: {b: d29ybGQ=}\n")
	foldStringData(u)
	data, _, _ := unstructured.NestedStringMap(u.Object, "data")
	if data["a"] != "aGVsbG8=" || data["b"] != "d29ybGQ=" || u.Object["stringData"] != nil {
		t.Errorf("folded secret = %v", u.Object)
	}
}
