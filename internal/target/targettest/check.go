package targettest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"plumb.dev/plumb"
)

// plan plans desired for the instance's app, failing the test on error.
func plan(t *testing.T, in Instance, desired plumb.Desired, prune bool) plumb.Plan {
	t.Helper()
	p, err := in.Target.Plan(t.Context(), in.App, desired, prune)
	if err != nil {
		t.Fatalf("Plan(prune=%v): %v", prune, err)
	}
	if p.Prune != prune {
		t.Errorf("Plan(prune=%v) returned a plan with Prune=%v", prune, p.Prune)
	}
	return p
}

// apply applies p and checks that the result has one clean ActionResult
// per action, in the plan's order.
func apply(t *testing.T, in Instance, p plumb.Plan) plumb.Result {
	t.Helper()
	res, err := in.Target.Apply(t.Context(), p)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(res.Actions) != len(p.Actions) {
		t.Fatalf("Apply returned %d action results for %d actions", len(res.Actions), len(p.Actions))
	}
	for i, r := range res.Actions {
		if r.Object != p.Actions[i].Object || r.Type != p.Actions[i].Type {
			t.Errorf("result %d is %s %s, want %s %s (one result per action, in order)", i, r.Type, r.Object, p.Actions[i].Type, p.Actions[i].Object)
		}
		if r.Error != "" {
			t.Errorf("result %d (%s %s) failed: %s", i, r.Type, r.Object, r.Error)
		}
	}
	if res.Failed() {
		t.FailNow()
	}
	return res
}

// applyVersion plans and applies a version of the fixture's desired state.
func applyVersion(t *testing.T, in Instance, f Fixture, version int, prune bool) {
	t.Helper()
	apply(t, in, plan(t, in, f.Desired(t, version), prune))
}

// expect checks that p has exactly one action per object of wants, of the
// wanted type and reason.
func expect(t *testing.T, p plumb.Plan, wants map[string]want) {
	t.Helper()
	got := map[string]want{}
	for _, a := range p.Actions {
		if _, dup := got[a.Object]; dup {
			t.Errorf("plan has two actions for %s", a.Object)
		}
		got[a.Object] = want{a.Type, a.Reason}
		if a.Reason == "" {
			t.Errorf("action %s %s has no reason", a.Type, a.Object)
		}
	}
	if !reflect.DeepEqual(got, wants) {
		t.Errorf("plan:\n%s\nwant:\n%s", describe(p), describeWants(wants))
	}
}

// requireDiffs checks that every create and update carries a diff.
func requireDiffs(t *testing.T, p plumb.Plan) {
	t.Helper()
	for _, a := range p.Actions {
		if (a.Type == plumb.ActionCreate || a.Type == plumb.ActionUpdate) && strings.TrimSpace(a.Diff) == "" {
			t.Errorf("%s of %s (%s) has no diff", a.Type, a.Object, a.Reason)
		}
	}
}

func sameActions(a, b plumb.Plan) bool { return reflect.DeepEqual(a.Actions, b.Actions) }

func describe(p plumb.Plan) string {
	var b strings.Builder
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "  %s %s (%s) %s\n", a.Type, a.Object, a.Reason, a.Detail)
	}
	return b.String()
}

func describeWants(wants map[string]want) string {
	objs := make([]string, 0, len(wants))
	for o := range wants {
		objs = append(objs, o)
	}
	sort.Strings(objs)
	var b strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&b, "  %s %s (%s)\n", wants[o].Type, o, wants[o].Reason)
	}
	return b.String()
}
