package kubernetes

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/k8stest"
)

// configMaps1000 returns n ConfigMaps in ns.
func manyConfigMaps(b *testing.B, ns string, n int) []*unstructured.Unstructured {
	b.Helper()
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%04d, namespace: %s}\ndata: {index: \"%d\", payload: \"some configuration value\"}\n---\n", i, ns, i)
	}
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(sb.String(), "---\n") {
		if doc != "" {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				b.Fatal(err)
			}
			out = append(out, u)
		}
	}
	return out
}

// BenchmarkApply1000ConfigMapsCold plans and applies 1000 new ConfigMaps
// into an empty namespace.
func BenchmarkApply1000ConfigMapsCold(b *testing.B) {
	env := k8stest.Get(b)
	for b.Loop() {
		b.StopTimer()
		ns := env.NewNamespace(b)
		app := plumb.AppRef{Name: ns, Namespace: ns}
		objs := manyConfigMaps(b, ns, 1000)
		d, err := NewForConfig("bench", env.Config, benchTarget())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		syncOnce(b, d, app, objs)
		b.StopTimer()
		deleteInventory(nil, env, app.Name)
		b.StartTimer()
	}
}

// BenchmarkResync1000ConfigMapsNoChange re-syncs 1000 applied ConfigMaps
// that did not change, with the watch running.
func BenchmarkResync1000ConfigMapsNoChange(b *testing.B) {
	benchResync(b, true)
}

// BenchmarkResync1000ConfigMapsNoChangeNoWatch re-syncs 1000 applied
// ConfigMaps with a fresh driver and no watch: the cost after a restart.
func BenchmarkResync1000ConfigMapsNoChangeNoWatch(b *testing.B) {
	benchResync(b, false)
}

func benchResync(b *testing.B, watch bool) {
	env := k8stest.Get(b)
	ns := env.NewNamespace(b)
	app := plumb.AppRef{Name: ns, Namespace: ns}
	b.Cleanup(func() { deleteInventory(nil, env, app.Name) })
	objs := manyConfigMaps(b, ns, 1000)
	d, err := NewForConfig("bench", env.Config, config.KubernetesTarget{})
	if err != nil {
		b.Fatal(err)
	}
	syncOnce(b, d, app, objs)
	if watch {
		ctx := b.Context()
		go func() { _ = d.Watch(ctx, app, func(plumb.Drift) {}) }()
		waitWatchedB(b, d, app.Name)
		syncOnce(b, d, app, objs)
	}
	b.ResetTimer()
	for b.Loop() {
		if !watch {
			b.StopTimer()
			d, err = NewForConfig("bench", env.Config, config.KubernetesTarget{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if p := syncOnce(b, d, app, objs); p.HasChanges() {
			b.Fatalf("no-change re-sync planned changes")
		}
	}
}

func syncOnce(b *testing.B, d *Driver, app plumb.AppRef, objs []*unstructured.Unstructured) plumb.Plan {
	b.Helper()
	p, err := d.Plan(b.Context(), app, plumb.Desired{Objects: objs}, true)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Apply(b.Context(), p); err != nil {
		b.Fatal(err)
	}
	return p
}

func waitWatchedB(b *testing.B, d *Driver, app string) {
	b.Helper()
	st := d.state(app)
	for {
		st.mu.Lock()
		ok := st.watched
		st.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-b.Context().Done():
			b.Fatal("watch did not sync")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// benchTarget is the target config benchmarks use; PLUMB_BENCH_CONCURRENCY
// overrides the driver's concurrency to compare settings.
func benchTarget() config.KubernetesTarget {
	n, _ := strconv.Atoi(os.Getenv("PLUMB_BENCH_CONCURRENCY"))
	return config.KubernetesTarget{Concurrency: n}
}
