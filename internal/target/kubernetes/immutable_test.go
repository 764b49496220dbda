package kubernetes

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

const selectorV1 = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "example.com/web:1"}]
`

func TestImmutableFieldNeedsForce(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, selectorV1), true)
	before := f.get(t, deployments, f.ns, "web").GetUID()

	v2 := strings.ReplaceAll(selectorV1, "app: web", "app: web2")
	_, err := f.d.Plan(t.Context(), f.app, plumb.Desired{Objects: objects(t, f.ns, v2)}, true)
	var ie *ImmutableError
	if !errors.As(err, &ie) {
		t.Fatalf("Plan error = %v, want an ImmutableError", err)
	}
	if !strings.Contains(err.Error(), "Deployment/"+f.ns+"/web") || !strings.Contains(err.Error(), "spec.selector") {
		t.Errorf("error %q does not name the object and field", err)
	}

	forced := strings.Replace(v2, "metadata: {name: web}", "metadata: {name: web, annotations: {plumb.dev/force: \"true\"}}", 1)
	p := f.plan(t, objects(t, f.ns, forced), true)
	a := expectAction(t, p, "Deployment/"+f.ns+"/web", plumb.ActionUpdate, plumb.ReasonChangedInGit)
	if !strings.Contains(a.Detail, "recreate") {
		t.Errorf("detail %q does not say it recreates", a.Detail)
	}
	f.apply(t, p)
	after := f.get(t, deployments, f.ns, "web")
	if after == nil || after.GetUID() == before {
		t.Fatalf("Deployment was not recreated")
	}
}

func TestImmutableFieldsNamed(t *testing.T) {
	tests := []struct {
		name, v1, from, to, field, object string
	}{
		{
			name: "service clusterIP",
			v1: `
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  clusterIP: 10.96.201.10
  ports: [{port: 80}]
`,
			from: "10.96.201.10", to: "10.96.201.11", field: "spec.clusterIP", object: "Service/%s/api",
		},
		{
			name: "job template",
			v1: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "example.com/migrate:1"}]
`,
			from: "migrate:1", to: "migrate:2", field: "spec.template", object: "Job/%s/migrate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, config.KubernetesTarget{})
			f.sync(t, objects(t, f.ns, tt.v1), true)
			v2 := objects(t, f.ns, strings.Replace(tt.v1, tt.from, tt.to, 1))
			_, err := f.d.Plan(t.Context(), f.app, plumb.Desired{Objects: v2}, true)
			var ie *ImmutableError
			if !errors.As(err, &ie) {
				t.Fatalf("Plan error = %v, want an ImmutableError", err)
			}
			object := fmt.Sprintf(tt.object, f.ns)
			if ie.Object != object || !strings.Contains(strings.Join(ie.Fields, ","), tt.field) {
				t.Errorf("ImmutableError = %+v, want object %s and field %s", ie, object, tt.field)
			}
		})
	}
}
