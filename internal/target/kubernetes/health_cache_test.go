package kubernetes

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/k8stest"
)

// health calls Health and fails the test on an error.
func (f *fixture) health(t *testing.T) plumb.Health {
	t.Helper()
	h, err := f.d.Health(t.Context(), f.app)
	if err != nil {
		t.Fatalf("Health: %v", err)
	}
	return h
}

// resources calls Resources and indexes the result by object.
func (f *fixture) resources(t *testing.T) map[string]plumb.Resource {
	t.Helper()
	rs, err := f.d.Resources(t.Context(), f.app)
	if err != nil {
		t.Fatalf("Resources: %v", err)
	}
	out := map[string]plumb.Resource{}
	for _, r := range rs {
		if _, dup := out[r.Object]; dup {
			t.Errorf("Resources lists %s twice", r.Object)
		}
		out[r.Object] = r
	}
	return out
}

// waitCached waits until the informer caches serve every object the app
// owns and have caught up with plumb's writes of them, so that what
// follows is read from memory.
func (f *fixture) waitCached(t *testing.T) {
	t.Helper()
	st := f.d.state(f.app.Name)
	k8stest.Eventually(t, time.Minute, "caches caught up", func(ctx context.Context) (bool, error) {
		inv, err := f.d.inventory(ctx, f.app.Name, st)
		if err != nil {
			return false, err
		}
		for k, e := range inv {
			typ, ok, err := f.d.entryType(e)
			if err != nil || !ok {
				return false, err
			}
			idx, ok := f.d.hub.lookup(typ.gvr)
			if !ok || st.behind(k, cachedObject(idx, k, f.app.Name)) {
				return false, nil
			}
		}
		return true, nil
	})
}

// waitHealthy waits until the app is Healthy.
func (f *fixture) waitHealthy(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if h, err := WaitHealthy(ctx, f.d, f.app, 100*time.Millisecond); err != nil || h.Status != plumb.HealthHealthy {
		t.Fatalf("health = %+v, %v; want Healthy", h, err)
	}
}

// noRequests fails the test when f's driver sent any request since the
// counter was reset.
func (f *fixture) noRequests(t *testing.T, what string) {
	t.Helper()
	if n := f.n.all.Load(); n != 0 {
		t.Errorf("%s sent %d requests, want 0 (served from the informer caches)", what, n)
	}
}

func TestHealthFromCacheCostsNoRequest(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, deployment), true)
	f.watch(t)
	f.waitHealthy(t)
	f.waitCached(t)
	f.n.reset()
	for range 20 {
		if h := f.health(t); h.Status != plumb.HealthHealthy {
			t.Fatalf("health = %+v, want Healthy", h)
		}
	}
	for obj, r := range f.resources(t) {
		if r.Health != plumb.HealthHealthy {
			t.Errorf("%s: health %s (%s), want Healthy", obj, r.Health, r.Message)
		}
	}
	f.noRequests(t, "20 Health calls and one Resources call")
}

func TestHealthFromCacheSeesDeletion(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"), true)
	drifts := f.watch(t)
	f.waitCached(t)
	if h := f.health(t); h.Status != plumb.HealthHealthy {
		t.Fatalf("health before the deletion = %+v, want Healthy", h)
	}
	if err := f.env.Dynamic.Resource(configMaps).Namespace(f.ns).Delete(t.Context(), "a", deleteOpts()); err != nil {
		t.Fatal(err)
	}
	nextDrift(t, drifts) // the informer has seen the deletion
	f.n.reset()
	a, b := "ConfigMap/"+f.ns+"/a", "ConfigMap/"+f.ns+"/b"
	if h := f.health(t); h.Status != plumb.HealthMissing || h.Object != a {
		t.Errorf("health right after the deletion = %+v, want Missing %s", h, a)
	}
	rs := f.resources(t)
	if rs[a].Health != plumb.HealthMissing || rs[b].Health != plumb.HealthHealthy {
		t.Errorf("resources = %+v, want %s Missing and %s Healthy", rs, a, b)
	}
	f.noRequests(t, "Health and Resources after a deletion the watch saw")
}

// labelNode sets (or with value "" removes) a label on the testbed's node.
func labelNode(t *testing.T, env *k8stest.Env, key, value string) {
	t.Helper()
	var v any = value
	if value == "" {
		v = nil
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{key: v}}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := env.Client.CoreV1().Nodes().Patch(ctx, "kwok-node-0", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("label node: %v", err)
	}
}

func TestHealthFollowsRolloutThroughCache(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	f.sync(t, objects(t, f.ns, deployment), true)
	f.watch(t)
	f.waitHealthy(t)

	// A new template whose pods fit no node yet: the cached copy of the
	// old, complete rollout must not be read as the new one's health.
	const key = "plumb.dev/test-node"
	gated := strings.Replace(deployment, "    spec:\n      containers:",
		"    spec:\n      nodeSelector: {\""+key+"\": \""+f.ns+"\"}\n      containers:", 1)
	f.sync(t, objects(t, f.ns, gated), true)
	web := "Deployment/" + f.ns + "/web"
	if h := f.health(t); h.Status != plumb.HealthProgressing || h.Object != web {
		t.Fatalf("health right after the update = %+v, want Progressing %s", h, web)
	}
	f.waitCached(t)
	f.n.reset()
	if h := f.health(t); h.Status != plumb.HealthProgressing {
		t.Fatalf("health from the cache = %+v, want Progressing", h)
	}

	// Let the pods schedule: the informer sees the rollout complete.
	labelNode(t, f.env, key, f.ns)
	t.Cleanup(func() { labelNode(t, f.env, key, "") })
	f.waitHealthy(t)
	f.noRequests(t, "polling health through a rollout")
}

func TestHealthReadsLiveWhenCacheLagsPlumbsWrite(t *testing.T) {
	cases := []struct {
		name string
		lag  func(v version) version
	}{
		{"older generation", func(v version) version { v.gen += 5; return v }},
		{"other object", func(v version) version { v.uid = "replaced"; return v }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, config.KubernetesTarget{})
			f.sync(t, objects(t, f.ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"), true)
			f.watch(t)
			f.waitCached(t)
			st := f.d.state(f.app.Name)
			k := ObjKey{Kind: "ConfigMap", Namespace: f.ns, Name: "a"}
			st.mu.Lock()
			st.written[k] = c.lag(st.written[k]) // as if plumb's write had not reached the informer
			st.mu.Unlock()
			f.n.reset()
			if h := f.health(t); h.Status != plumb.HealthHealthy {
				t.Errorf("health = %+v, want Healthy", h)
			}
			if f.n.all.Load() == 0 {
				t.Error("a cached copy lagging plumb's write was trusted; want a live read")
			}
		})
	}
}

func TestResourcesMatchPlanActions(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	objs := objects(t, f.ns, deployment+"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: NS-extra}\n")
	t.Cleanup(func() {
		_ = f.env.Dynamic.Resource(namespaces).Delete(context.Background(), f.ns+"-extra", deleteOpts())
	})
	f.sync(t, objs, true)
	f.watch(t)
	p := f.sync(t, objs, true) // the first plan under a watch checks the cluster
	if p.HasChanges() {
		t.Fatalf("plan has changes: %+v", p.Actions)
	}
	f.waitHealthy(t)
	rs := f.resources(t)
	if len(rs) != len(p.Actions) {
		t.Errorf("Resources lists %d objects, the plan %d: %+v", len(rs), len(p.Actions), rs)
	}
	for _, a := range p.Actions {
		r, ok := rs[a.Object]
		if !ok {
			t.Errorf("Resources has no %s (plan action names must match)", a.Object)
			continue
		}
		if r.Health != plumb.HealthHealthy || r.Sync != plumb.SyncSynced {
			t.Errorf("%s: %s/%s (%s), want Healthy and Synced", a.Object, r.Health, r.Sync, r.Message)
		}
	}
	if _, ok := rs["Namespace/"+f.ns+"-extra"]; !ok {
		t.Errorf("Resources lacks the cluster-scoped Namespace/%s-extra: %+v", f.ns, rs)
	}
}
