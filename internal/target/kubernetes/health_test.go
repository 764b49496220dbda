package kubernetes

import (
	"context"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

func TestDeploymentBecomesHealthy(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, deployment), true)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	h, err := WaitHealthy(ctx, f.d, f.app, 200*time.Millisecond)
	if err != nil || h.Status != plumb.HealthHealthy {
		t.Fatalf("health = %+v, %v; want Healthy", h, err)
	}
}

func TestStuckDeploymentDegradesAfterTimeout(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	stuck := strings.Replace(deployment, "    spec:\n      containers:", "    spec:\n      nodeSelector: {nowhere: \"true\"}\n      containers:", 1)
	f.sync(t, objects(t, f.ns, stuck), true)
	h, err := f.d.Health(t.Context(), f.app)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != plumb.HealthProgressing {
		t.Errorf("health right after apply = %s, want Progressing", h.Status)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	h, err = WaitHealthy(ctx, f.d, f.app, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	want := "Deployment/" + f.ns + "/web"
	if h.Status != plumb.HealthDegraded || h.Object != want || !strings.Contains(h.Message, want) {
		t.Errorf("health after timeout = %+v, want Degraded naming %s", h, want)
	}
}

func TestHealthMissingObject(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"), true)
	if err := f.env.Dynamic.Resource(configMaps).Namespace(f.ns).Delete(t.Context(), "a", deleteOpts()); err != nil {
		t.Fatal(err)
	}
	h, err := f.d.Health(t.Context(), f.app)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != plumb.HealthMissing || h.Object != "ConfigMap/"+f.ns+"/a" {
		t.Errorf("health = %+v, want Missing ConfigMap", h)
	}
}
