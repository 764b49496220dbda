package kubernetes

import (
	"strings"
	"testing"
)

const deployApplied = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
  labels: {app: api, tier: back}
  managedFields:
  - manager: plumb
    operation: Apply
    apiVersion: apps/v1
    time: "2026-01-01T00:00:00Z"
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata: {f:labels: {f:app: {}, f:tier: {}}}
      f:spec:
        f:replicas: {}
        f:template:
          f:spec:
            f:containers:
              k:{"name":"web"}: {.: {}, f:image: {}, f:name: {}}
spec:
  replicas: 3
  template:
    spec:
      containers: [{name: web, image: "web:1"}]
`

// deployEdited is deployApplied after kubectl scale, a kubectl edit of the
// image, and a label removed by hand.
const deployEdited = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
  labels: {app: api}
  managedFields:
  - manager: plumb
    operation: Apply
    apiVersion: apps/v1
    time: "2026-01-01T00:00:00Z"
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata: {f:labels: {f:app: {}}}
      f:spec:
        f:template:
          f:spec:
            f:containers:
              k:{"name":"web"}: {.: {}, f:name: {}}
  - manager: kubectl
    operation: Update
    subresource: scale
    apiVersion: apps/v1
    time: "2026-01-02T00:00:00Z"
    fieldsType: FieldsV1
    fieldsV1: {f:spec: {f:replicas: {}}}
  - manager: kubectl-edit
    operation: Update
    apiVersion: apps/v1
    time: "2026-01-03T00:00:00Z"
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:template:
          f:spec:
            f:containers:
              k:{"name":"web"}: {f:image: {}}
spec:
  replicas: 5
  template:
    spec:
      containers: [{name: web, image: "web:2"}]
`

func TestAttribute(t *testing.T) {
	cs, err := Attribute(obj(t, deployApplied), obj(t, deployEdited))
	if err != nil {
		t.Fatal(err)
	}
	got := describeChanges(cs)
	golden(t, "attribution.txt", got+"\n")
	for _, want := range []string{
		"kubectl (Update scale) changed spec.replicas 3→5",
		"kubectl-edit (Update) changed spec.template.spec.containers[name=\"web\"].image web:1→web:2",
		"changed metadata.labels.tier back→(none)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("attribution %q lacks %q", got, want)
		}
	}
}

func TestAttributeNoChange(t *testing.T) {
	cs, err := Attribute(obj(t, deployApplied), obj(t, deployApplied))
	if err != nil || len(cs) != 0 {
		t.Errorf("Attribute(same) = %v, %v; want none", cs, err)
	}
}

func TestAttributeRedactsSecrets(t *testing.T) {
	ref := obj(t, `
apiVersion: v1
kind: Secret
metadata:
  name: db
  managedFields:
  - {manager: plumb, operation: Apply, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {f:data: {f:password: {}}}}
data: {password: c2VjcmV0MQ==}
`)
	now := obj(t, `
apiVersion: v1
kind: Secret
metadata:
  name: db
  managedFields:
  - {manager: plumb, operation: Apply, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {f:data: {}}}
  - {manager: kubectl-edit, operation: Update, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {f:data: {f:password: {}}}}
data: {password: c2VjcmV0Mg==}
`)
	cs, err := Attribute(ref, now)
	if err != nil {
		t.Fatal(err)
	}
	got := describeChanges(cs)
	if strings.Contains(got, "c2VjcmV0") || !strings.Contains(got, "kubectl-edit (Update) changed data.password "+Redacted) {
		t.Errorf("attribution = %q", got)
	}
}
