package kubernetes

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/k8stest"
)

// counter counts the requests a driver sends, and the writes among them.
type counter struct {
	all, writes atomic.Int64
	mu          sync.Mutex
	dryRuns     []string // paths of dry-run requests
}

func (c *counter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.all.Add(1)
		dry := strings.Contains(r.URL.RawQuery, "dryRun")
		if r.Method != http.MethodGet && !dry {
			c.writes.Add(1)
		}
		if dry {
			c.mu.Lock()
			c.dryRuns = append(c.dryRuns, r.URL.Path)
			c.mu.Unlock()
		}
		return rt.RoundTrip(r)
	})
}

func (c *counter) reset() {
	c.all.Store(0)
	c.writes.Store(0)
	c.mu.Lock()
	c.dryRuns = nil
	c.mu.Unlock()
}

// dryRunsOf returns the dry-run request paths that contain part.
func (c *counter) dryRunsOf(part string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range c.dryRuns {
		if strings.Contains(p, part) {
			out = append(out, p)
		}
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fixture is one test's app on the testbed.
type fixture struct {
	env *k8stest.Env
	ns  string
	app plumb.AppRef
	d   *Driver
	n   *counter
}

// newFixture makes a namespace, an app named after it and a driver for it.
func newFixture(t *testing.T, kt config.KubernetesTarget) *fixture {
	t.Helper()
	env := k8stest.Get(t)
	ns := env.NewNamespace(t)
	f := &fixture{env: env, ns: ns, app: plumb.AppRef{Name: ns, Namespace: ns}}
	f.d, f.n = newDriver(t, env.Config, kt)
	t.Cleanup(func() { deleteInventory(t, env, ns) })
	return f
}

// newDriver builds a driver whose requests are counted.
func newDriver(t *testing.T, rc *rest.Config, kt config.KubernetesTarget) (*Driver, *counter) {
	t.Helper()
	n := &counter{}
	rc = rest.CopyConfig(rc)
	rc.Wrap(n.wrap)
	d, err := NewForConfig("test", rc, kt)
	if err != nil {
		t.Fatal(err)
	}
	return d, n
}

func deleteInventory(_ testing.TB, env *k8stest.Env, app string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = env.Dynamic.Resource(configMaps).Namespace(DefaultInventoryNamespace).Delete(ctx, InventoryName(app), metav1.DeleteOptions{})
}

// objects parses a multi-document YAML manifest, with NS replaced by ns.
func objects(t *testing.T, ns, manifests string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(strings.ReplaceAll(manifests, "NS", ns), "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		out = append(out, obj(t, doc))
	}
	return out
}

func (f *fixture) plan(t *testing.T, objs []*unstructured.Unstructured, prune bool) plumb.Plan {
	t.Helper()
	p, err := f.d.Plan(t.Context(), f.app, plumb.Desired{Revision: "test", Objects: objs}, prune)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

func (f *fixture) apply(t *testing.T, p plumb.Plan) plumb.Result {
	t.Helper()
	res, err := f.d.Apply(t.Context(), p)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// sync plans and applies.
func (f *fixture) sync(t *testing.T, objs []*unstructured.Unstructured, prune bool) plumb.Plan {
	t.Helper()
	p := f.plan(t, objs, prune)
	f.apply(t, p)
	return p
}

// action returns the plan's action for object.
func action(t *testing.T, p plumb.Plan, object string) plumb.Action {
	t.Helper()
	for _, a := range p.Actions {
		if a.Object == object {
			return a
		}
	}
	t.Fatalf("plan has no action for %s: %+v", object, p.Actions)
	return plumb.Action{}
}

// expectAction checks the type and reason of object's action.
func expectAction(t *testing.T, p plumb.Plan, object string, typ plumb.ActionType, reason plumb.Reason) plumb.Action {
	t.Helper()
	a := action(t, p, object)
	if a.Type != typ || a.Reason != reason {
		t.Errorf("%s: got %s (%s; %s), want %s (%s)", object, a.Type, a.Reason, a.Detail, typ, reason)
	}
	return a
}

// get fetches an object, nil when it does not exist.
func (f *fixture) get(t *testing.T, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := f.env.Dynamic.Resource(gvr).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return u
}

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	services    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	secrets     = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

func updateAs(manager string) metav1.UpdateOptions {
	return metav1.UpdateOptions{FieldManager: manager}
}

func deleteOpts() metav1.DeleteOptions { return metav1.DeleteOptions{} }

// watch runs Watch in the background and returns its drifts.
func (f *fixture) watch(t *testing.T) <-chan plumb.Drift {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	drifts := make(chan plumb.Drift, 64)
	done := make(chan error, 1)
	go func() { done <- f.d.Watch(ctx, f.app, func(d plumb.Drift) { drifts <- d }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	f.waitWatched(t)
	return drifts
}

// waitWatched waits until the watch covers every kind the app owns.
func (f *fixture) waitWatched(t *testing.T) {
	t.Helper()
	st := f.d.state(f.app.Name)
	k8stest.Eventually(t, time.Minute, "watch synced", func(ctx context.Context) (bool, error) {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.watched, nil
	})
}

// nextDrift waits for a drift report.
func nextDrift(t *testing.T, drifts <-chan plumb.Drift) plumb.Drift {
	t.Helper()
	select {
	case d := <-drifts:
		return d
	case <-time.After(time.Minute):
		t.Fatal("no drift reported within a minute")
		return plumb.Drift{}
	}
}

// noDrift fails if a drift is waiting.
func noDrift(t *testing.T, drifts <-chan plumb.Drift) {
	t.Helper()
	select {
	case d := <-drifts:
		t.Errorf("unexpected drift: %+v", d)
	default:
	}
}
