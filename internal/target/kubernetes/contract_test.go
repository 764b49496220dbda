package kubernetes

import (
	"context"
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/k8stest"
	"plumb.dev/plumb/internal/target/targettest"
)

// contract adapts the driver to the shared driver contract suite: A, B and
// C are ConfigMaps in namespace default, deleted after each instance.
type contract struct{}

func TestContract(t *testing.T) {
	k8stest.Get(t)
	targettest.Run(t, contract{})
}

func (c contract) New(t *testing.T) targettest.Instance {
	f := newFixture(t, config.KubernetesTarget{})
	f.app.Namespace, f.ns = "default", "default"
	t.Cleanup(func() {
		for _, name := range []string{"contract-a", "contract-b", "contract-c"} {
			_ = f.env.Dynamic.Resource(configMaps).Namespace("default").Delete(context.Background(), name, deleteOpts())
		}
	})
	return targettest.Instance{
		Target: f.d,
		App:    f.app,
		Mutate: func(t *testing.T, object string) {
			name := map[string]string{c.Objects().A: "contract-a", c.Objects().C: "contract-c"}[object]
			patch, _ := json.Marshal(map[string]any{"data": map[string]any{"v": "edited by hand"}})
			_, err := f.env.Dynamic.Resource(configMaps).Namespace("default").Patch(t.Context(), name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-edit"})
			if err != nil {
				t.Fatalf("mutate %s: %v", object, err)
			}
		},
	}
}

func (c contract) Desired(t *testing.T, version int) plumb.Desired {
	cm := func(name, v string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {v: \"" + v + "\"}\n"
	}
	docs := cm("contract-a", "one") + "---\n" + cm("contract-b", "b")
	if version == 2 {
		docs = cm("contract-a", "two") + "---\n" + cm("contract-c", "c")
	}
	return plumb.Desired{Revision: "v" + string(rune('0'+version)), Objects: objects(t, "default", docs)}
}

func (c contract) Objects() targettest.Objects {
	return targettest.Objects{A: "ConfigMap/default/contract-a", B: "ConfigMap/default/contract-b", C: "ConfigMap/default/contract-c"}
}
