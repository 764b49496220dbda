// Package targettest is the contract test suite every target driver runs:
// Run drives a driver through planning, applying, upgrading, pruning, drift
// and, where the driver offers them, watching, health and deletion, and
// checks the reasons and results the engine relies on.
//
// A driver's tests adapt it with a Fixture:
//
//	func TestContract(t *testing.T) { targettest.Run(t, myFixture{}) }
package targettest

import (
	"context"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/target"
)

// Objects names the three objects of the suite's scenario, as they appear in
// plumb.Action.Object.
type Objects struct {
	// A is in both versions and changes from version 1 to 2.
	A string
	// B is in version 1 only.
	B string
	// C is in version 2 only.
	C string
}

// Instance is one fresh, empty target with the app the suite works on.
type Instance struct {
	Target target.Target
	App    plumb.AppRef
	// Mutate changes an owned object out of band, as a person would (edit
	// its content; leave it in place). The suite passes Objects.A or C.
	Mutate func(t *testing.T, object string)
}

// Fixture adapts a driver to the suite.
type Fixture interface {
	// New returns a new instance whose target holds nothing of the app.
	// Each call is independent of the others; clean up with t.Cleanup.
	New(t *testing.T) Instance
	// Desired returns the app's desired state. Version 1 holds A and B;
	// version 2 holds A (changed) and C. Equal versions must give equal
	// desired states.
	Desired(t *testing.T, version int) plumb.Desired
	// Objects names A, B and C.
	Objects() Objects
}

// Timeout bounds each wait of the suite (for a drift report, for health);
// it is a deadline for failing, not a performance goal.
var Timeout = 2 * time.Minute

// Run runs the contract suite against the fixture's driver.
func Run(t *testing.T, f Fixture) {
	t.Run("FirstPlanCreatesAll", func(t *testing.T) { testFirstPlan(t, f) })
	t.Run("ApplyThenPlanIsUnchanged", func(t *testing.T) { testApplyReplan(t, f) })
	t.Run("ApplyIsIdempotent", func(t *testing.T) { testIdempotent(t, f) })
	t.Run("UpgradeWithPrune", func(t *testing.T) { testUpgrade(t, f) })
	t.Run("UpgradeWithoutPruneKeeps", func(t *testing.T) { testNoPrune(t, f) })
	t.Run("DriftIsPlannedAndHealed", func(t *testing.T) { testDrift(t, f) })
	t.Run("Watch", func(t *testing.T) { testWatch(t, f) })
	t.Run("Health", func(t *testing.T) { testHealth(t, f) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, f) })
}

// want is the expected action for one object.
type want struct {
	Type   plumb.ActionType
	Reason plumb.Reason
}

func testFirstPlan(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	p := plan(t, in, f.Desired(t, 1), true)
	expect(t, p, map[string]want{
		o.A: {plumb.ActionCreate, plumb.ReasonAddedInGit},
		o.B: {plumb.ActionCreate, plumb.ReasonAddedInGit},
	})
	requireDiffs(t, p)
	again := plan(t, in, f.Desired(t, 1), true)
	if !sameActions(p, again) {
		t.Errorf("planning twice gave different plans (Plan must be deterministic and change nothing):\n%s\n---\n%s", describe(p), describe(again))
	}
}

func testApplyReplan(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	applyVersion(t, in, f, 1, true)
	expect(t, plan(t, in, f.Desired(t, 1), true), map[string]want{
		o.A: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
		o.B: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
	})
}

func testIdempotent(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	p := plan(t, in, f.Desired(t, 1), true)
	apply(t, in, p)
	apply(t, in, p)
	expect(t, plan(t, in, f.Desired(t, 1), true), map[string]want{
		o.A: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
		o.B: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
	})
}

func testUpgrade(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	applyVersion(t, in, f, 1, true)
	p := plan(t, in, f.Desired(t, 2), true)
	expect(t, p, map[string]want{
		o.A: {plumb.ActionUpdate, plumb.ReasonChangedInGit},
		o.B: {plumb.ActionDelete, plumb.ReasonRemovedInGit},
		o.C: {plumb.ActionCreate, plumb.ReasonAddedInGit},
	})
	requireDiffs(t, p)
	apply(t, in, p)
	expect(t, plan(t, in, f.Desired(t, 2), true), map[string]want{
		o.A: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
		o.C: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
	})
}

func testNoPrune(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	applyVersion(t, in, f, 1, true)
	p := plan(t, in, f.Desired(t, 2), false)
	expect(t, p, map[string]want{
		o.A: {plumb.ActionUpdate, plumb.ReasonChangedInGit},
		o.B: {plumb.ActionUnchanged, plumb.ReasonPruneDisabled},
		o.C: {plumb.ActionCreate, plumb.ReasonAddedInGit},
	})
	apply(t, in, p)
	// B is still owned: turning prune on later removes it.
	expect(t, plan(t, in, f.Desired(t, 2), true), map[string]want{
		o.A: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
		o.B: {plumb.ActionDelete, plumb.ReasonRemovedInGit},
		o.C: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
	})
}

func testDrift(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	applyVersion(t, in, f, 1, true)
	in.Mutate(t, o.A)
	p := plan(t, in, f.Desired(t, 1), true)
	expect(t, p, map[string]want{
		o.A: {plumb.ActionUpdate, plumb.ReasonDrifted},
		o.B: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
	})
	requireDiffs(t, p)
	apply(t, in, p)
	expect(t, plan(t, in, f.Desired(t, 1), true), map[string]want{
		o.A: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
		o.B: {plumb.ActionUnchanged, plumb.ReasonUpToDate},
	})
}

func testWatch(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	w, ok := in.Target.(target.Watcher)
	if !ok {
		t.Skip("driver is not a target.Watcher")
	}
	applyVersion(t, in, f, 1, true)
	drifts, stop := startWatch(t, w, in.App)
	defer stop()
	// The driver's own Apply is not drift; a mutation after it is.
	applyVersion(t, in, f, 2, true)
	in.Mutate(t, o.C)
	d := waitDrift(t, drifts, o.C)
	if d.Detail == "" {
		t.Errorf("drift of %s has no Detail", o.C)
	}
}

// startWatch runs Watch in the background; stop ends it and checks that it
// returned nil.
func startWatch(t *testing.T, w target.Watcher, app plumb.AppRef) (<-chan plumb.Drift, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	drifts := make(chan plumb.Drift, 256)
	done := make(chan error, 1)
	go func() {
		done <- w.Watch(ctx, app, func(d plumb.Drift) {
			select {
			case drifts <- d:
			default:
			}
		})
	}()
	return drifts, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch returned %v after its context ended, want nil", err)
		}
	}
}

// waitDrift waits for a drift of object, failing on drift of anything else
// (such as the driver's own writes reported as drift).
func waitDrift(t *testing.T, drifts <-chan plumb.Drift, object string) plumb.Drift {
	t.Helper()
	deadline := time.After(Timeout)
	for {
		select {
		case d := <-drifts:
			if d.Object == object {
				return d
			}
			t.Errorf("Watch reported drift of %s (%s); only %s was changed out of band", d.Object, d.Detail, object)
		case <-deadline:
			t.Fatalf("Watch did not report the out-of-band change of %s within %v", object, Timeout)
		}
	}
}

func testHealth(t *testing.T, f Fixture) {
	in := f.New(t)
	h, ok := in.Target.(target.HealthChecker)
	if !ok {
		t.Skip("driver is not a target.HealthChecker")
	}
	applyVersion(t, in, f, 1, true)
	waitHealth(t, h, in.App, plumb.HealthHealthy)
}

// waitHealth polls Health until it reports status.
func waitHealth(t *testing.T, h target.HealthChecker, app plumb.AppRef, status plumb.HealthStatus) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		got, err := h.Health(t.Context(), app)
		if err != nil {
			t.Fatalf("Health: %v", err)
		}
		if got.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Health = %s (%s) after %v, want %s", got.Status, got.Message, Timeout, status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func testDelete(t *testing.T, f Fixture) {
	in, o := f.New(t), f.Objects()
	del, ok := in.Target.(target.Deleter)
	if !ok {
		t.Skip("driver is not a target.Deleter")
	}
	applyVersion(t, in, f, 1, true)
	res, err := del.Delete(t.Context(), in.App)
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	gotDeletes := map[string]bool{}
	for _, a := range res.Actions {
		if a.Error != "" {
			t.Errorf("Delete of %s failed: %s", a.Object, a.Error)
		}
		if a.Type == plumb.ActionDelete {
			gotDeletes[a.Object] = true
		}
	}
	for _, obj := range []string{o.A, o.B} {
		if !gotDeletes[obj] {
			t.Errorf("Delete result has no delete action for %s: %+v", obj, res.Actions)
		}
	}
	// Nothing is owned any more: planning again starts from scratch.
	expect(t, plan(t, in, f.Desired(t, 1), true), map[string]want{
		o.A: {plumb.ActionCreate, plumb.ReasonAddedInGit},
		o.B: {plumb.ActionCreate, plumb.ReasonAddedInGit},
	})
	if h, ok := in.Target.(target.HealthChecker); ok {
		waitHealth(t, h, in.App, plumb.HealthMissing)
	}
}
