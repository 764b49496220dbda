package kubernetes

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

func TestBehindPlumbsWrite(t *testing.T) {
	key := ObjKey{Kind: "ConfigMap", Namespace: "ns", Name: "a"}
	at := func(uid string, gen int64) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetUID(types.UID(uid))
		u.SetGeneration(gen)
		return u
	}
	cases := []struct {
		name   string
		wrote  *unstructured.Unstructured // nil: plumb never wrote it
		gone   types.UID                  // an informer saw this object deleted
		cached *unstructured.Unstructured
		behind bool
	}{
		{name: "never written, cached", cached: at("u1", 1)},
		{name: "never written, not cached"},
		{name: "written, not cached yet", wrote: at("u1", 1), behind: true},
		{name: "written, cached at that generation", wrote: at("u1", 2), cached: at("u1", 2)},
		{name: "written, cached at a newer generation", wrote: at("u1", 2), cached: at("u1", 3)},
		{name: "written, cached at an older generation", wrote: at("u1", 2), cached: at("u1", 1), behind: true},
		{name: "recreated, cache holds the old object", wrote: at("u2", 1), cached: at("u1", 4), behind: true},
		{name: "written, then seen deleted", wrote: at("u1", 1), gone: "u1"},
		{name: "late delete of an older object", wrote: at("u2", 1), gone: "u1", behind: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &appState{written: map[ObjKey]version{}}
			if c.wrote != nil {
				st.wrote(key, c.wrote)
			}
			if c.gone != "" {
				st.gone(key, c.gone)
			}
			if got := st.behind(key, c.cached); got != c.behind {
				t.Errorf("behind = %v, want %v", got, c.behind)
			}
		})
	}
}

// fakeInformer reports a sync state and resourceVersion.
type fakeInformer struct {
	cache.SharedIndexInformer
	synced bool
	rv     string
}

func (f *fakeInformer) HasSynced() bool                 { return f.synced }
func (f *fakeInformer) LastSyncResourceVersion() string { return f.rv }

func TestInformerTrusted(t *testing.T) {
	cases := []struct {
		name     string
		synced   bool
		brokenAt string // "" for a watch that never failed
		rv       string
		want     bool
	}{
		{name: "not synced", rv: "5"},
		{name: "synced", synced: true, rv: "5", want: true},
		{name: "watch failed, not recovered", synced: true, brokenAt: "5", rv: "5"},
		{name: "watch failed, listed again since", synced: true, brokenAt: "5", rv: "9", want: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			si := &sharedInformer{inf: &fakeInformer{synced: c.synced, rv: c.rv}}
			if c.brokenAt != "" {
				si.breakAt(c.brokenAt)
			}
			if got := si.trusted(); got != c.want {
				t.Errorf("trusted = %v, want %v", got, c.want)
			}
		})
	}
}
