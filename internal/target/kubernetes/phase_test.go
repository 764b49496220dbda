package kubernetes

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

func TestStageOfObject(t *testing.T) {
	tests := []struct {
		manifest string
		want     Stage
	}{
		{"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, annotations: {plumb.dev/phase: pre}}", StagePreHooks},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {plumb.dev/phase: post}}", StagePostHooks},
		{"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s, annotations: {plumb.dev/phase: other}}", StagePrerequisites},
		{"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}", StageResources},
	}
	for _, tt := range tests {
		if got := StageOfObject(obj(t, tt.manifest)); got != tt.want {
			t.Errorf("StageOfObject(%s) = %d, want %d", tt.manifest, got, tt.want)
		}
	}
	got := stages([]*unstructured.Unstructured{
		obj(t, tests[1].manifest), obj(t, tests[3].manifest), obj(t, tests[0].manifest), obj(t, tests[2].manifest),
	})
	var names []string
	for _, s := range got {
		names = append(names, KeyOf(s[0]).Kind)
	}
	if len(names) != 4 || names[0] != "ServiceAccount" || names[1] != "Job" || names[2] != "Job" || names[3] != "ConfigMap" {
		t.Errorf("stage order = %v, want ServiceAccount, pre Job, Job, post ConfigMap", names)
	}
}

const hookedApp = `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, annotations: {plumb.dev/phase: pre}}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: example.com/migrate:1}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: main}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: after, annotations: {plumb.dev/phase: post}}
data: {a: b}
`

// TestPreHookRunsFirst: a pre-phase Job completes before the main
// objects are created, and the post-phase object comes last.
func TestPreHookRunsFirst(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	p := f.plan(t, objects(t, f.ns, hookedApp), true)
	if res := f.apply(t, p); res.Failed() {
		t.Fatalf("apply failed: %+v", res.Actions)
	}
	job := f.get(t, schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}, f.ns, "migrate")
	if h := hookHealth(job); h.Status != plumb.HealthHealthy {
		t.Fatalf("Job health = %+v, want Healthy (completed) when apply returns", h)
	}
	cms := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	done, _, _ := unstructured.NestedString(job.Object, "status", "completionTime")
	completed, err := time.Parse(time.RFC3339, done)
	if err != nil {
		t.Fatalf("Job completionTime %q: %v", done, err)
	}
	main := f.get(t, cms, f.ns, "main").GetCreationTimestamp().Time
	after := f.get(t, cms, f.ns, "after").GetCreationTimestamp().Time
	if main.Before(completed) || after.Before(main) {
		t.Errorf("order: job completed %v, main created %v, post created %v", completed, main, after)
	}
}
