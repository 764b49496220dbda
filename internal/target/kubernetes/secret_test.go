package kubernetes

import (
	"encoding/json"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

const secretV1 = `
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: first-s3cret-value}
data: {token: Zmlyc3QtdG9rZW4tdmFsdWU=}
`

// secretValues are every clear and encoded value the tests use.
var secretValues = []string{"first-s3cret-value", "second-s3cret-value", "first-token-value", "Zmlyc3QtdG9rZW4tdmFsdWU=",
	"Zmlyc3QtczNjcmV0LXZhbHVl", "c2Vjb25kLXMzY3JldC12YWx1ZQ==", "by-hand-value", "YnktaGFuZC12YWx1ZQ=="}

// requireNoSecret fails if text shows any secret value.
func requireNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, v := range secretValues {
		if strings.Contains(text, v) {
			t.Errorf("%s shows secret value %q:\n%s", what, v, text)
		}
	}
}

func requirePlanClean(t *testing.T, p plumb.Plan) {
	t.Helper()
	b, _ := json.Marshal(p)
	requireNoSecret(t, "plan", string(b))
}

func TestSecretValuesNeverShown(t *testing.T) {
	f := newFixture(t, config.KubernetesTarget{})
	v1 := objects(t, f.ns, secretV1)
	p := f.plan(t, v1, true)
	requirePlanClean(t, p)
	res := f.apply(t, p)
	b, _ := json.Marshal(res)
	requireNoSecret(t, "result", string(b))

	// Changed in Git: the diff says a value changed without showing it.
	v2 := objects(t, f.ns, strings.Replace(secretV1, "first-s3cret-value", "second-s3cret-value", 1))
	p = f.plan(t, v2, true)
	a := expectAction(t, p, "Secret/"+f.ns+"/db", plumb.ActionUpdate, plumb.ReasonChangedInGit)
	if !strings.Contains(a.Diff, "password: '"+RedactedChanged+"'") {
		t.Errorf("diff does not mark the changed value:\n%s", a.Diff)
	}
	requirePlanClean(t, p)
	f.apply(t, p)

	// Drifted by hand: the detail names the manager, not the value.
	drifts := f.watch(t)
	patch, _ := json.Marshal(map[string]any{"stringData": map[string]any{"password": "by-hand-value"}})
	if _, err := f.env.Dynamic.Resource(secrets).Namespace(f.ns).Patch(t.Context(), "db", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	d := nextDrift(t, drifts)
	requireNoSecret(t, "drift", d.Detail)
	if !strings.Contains(d.Detail, "kubectl-edit") {
		t.Errorf("drift detail %q does not name the manager", d.Detail)
	}
	p = f.plan(t, v2, true)
	a = expectAction(t, p, "Secret/"+f.ns+"/db", plumb.ActionUpdate, plumb.ReasonDrifted)
	requirePlanClean(t, p)
	if !strings.Contains(a.Detail, "data.password") {
		t.Errorf("drift detail %q does not name the field", a.Detail)
	}

	// An error about the Secret does not quote its value either.
	bad := objects(t, f.ns, strings.Replace(secretV1, "data: {token: Zmlyc3QtdG9rZW4tdmFsdWU=}", "data: {token: Zmlyc3QtdG9rZW4tdmFsdWU=, \"bad key!\": Zmlyc3QtdG9rZW4tdmFsdWU=}", 1))
	_, err := f.d.Plan(t.Context(), f.app, plumb.Desired{Objects: bad}, true)
	if err == nil {
		t.Fatal("Plan accepted an invalid Secret key")
	}
	requireNoSecret(t, "error", err.Error())
	if !strings.Contains(err.Error(), "Secret/"+f.ns+"/db") {
		t.Errorf("error %q does not name the Secret", err)
	}
}
