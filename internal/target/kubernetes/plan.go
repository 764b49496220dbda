package kubernetes

import (
	"context"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"plumb.dev/plumb"
)

// objPlan is the plan for one object, with what Apply needs to carry it out.
type objPlan struct {
	key    ObjKey
	typ    typeInfo
	desire *desiredObj // nil for an object leaving Git
	live   *unstructured.Unstructured
	action plumb.Action
	// recreate deletes and recreates the object: an immutable field
	// changed and force is on.
	recreate bool
}

// planState is a computed plan with the data behind it.
type planState struct {
	syncKey string
	p       *prepared
	inv     Inventory
	objs    []*objPlan // applies in apply order, then deletes in reverse
	byName  map[string]*objPlan
	plan    plumb.Plan
}

// Plan diffs desired against the cluster by server-side dry-run and says
// why each object changes. With prune, objects the inventory and the
// ownership label both claim but desired lacks become delete actions.
func (d *Driver) Plan(ctx context.Context, app plumb.AppRef, desired plumb.Desired, prune bool) (plumb.Plan, error) {
	ps, err := d.plan(ctx, app, desired, prune)
	if err != nil {
		return plumb.Plan{}, fmt.Errorf("plan %s: %w", app.Name, err)
	}
	return ps.plan, nil
}

func (d *Driver) plan(ctx context.Context, app plumb.AppRef, desired plumb.Desired, prune bool) (*planState, error) {
	p, err := d.prepare(app, desired.Objects)
	if err != nil {
		return nil, err
	}
	st := d.state(app.Name)
	key := syncKey(p.setHash, prune)
	if st.upToDate(key) {
		ps := &planState{syncKey: key, p: p, plan: noopPlan(app, desired, prune, p)}
		ps.index()
		st.mu.Lock()
		st.last = ps
		st.mu.Unlock()
		return ps, nil
	}
	st.mu.Lock()
	watched := st.watched
	st.mu.Unlock()
	ps, err := d.planLive(ctx, app, p, st, prune)
	if err != nil {
		return nil, err
	}
	ps.plan.Desired = desired
	if watched && ps.inSync() {
		st.mu.Lock()
		st.synced = key
		st.mu.Unlock()
	}
	st.mu.Lock()
	st.last = ps
	st.mu.Unlock()
	return ps, nil
}

// planLive builds the plan from the cluster: inventory, one list per
// resource and namespace, and a dry-run per object that may have changed.
func (d *Driver) planLive(ctx context.Context, app plumb.AppRef, p *prepared, st *appState, prune bool) (*planState, error) {
	cl, err := d.clientFor(app)
	if err != nil {
		return nil, err
	}
	inv, err := d.inventory(ctx, app.Name, st)
	if err != nil {
		return nil, err
	}
	orphans, err := d.orphanTypes(p, inv)
	if err != nil {
		return nil, err
	}
	live, err := d.live(ctx, cl, app.Name, scopesOf(p.objs, orphans))
	if err != nil {
		return nil, err
	}
	absent, err := d.absent(ctx, app, p, live)
	if err != nil {
		return nil, err
	}
	ps := &planState{syncKey: syncKey(p.setHash, prune), p: p, inv: inv}
	pl := &planner{d: d, cl: cl, app: app, st: st, inv: inv, live: live, absent: absent, scrub: p.scrub, newNS: map[string]bool{}}
	if err := pl.planDesired(ctx, p); err != nil {
		return nil, err
	}
	ps.objs = append(pl.out, d.planPrune(app, inv, orphans, live, prune)...)
	ps.plan = plumb.Plan{App: app, Prune: prune, Actions: make([]plumb.Action, len(ps.objs))}
	for i, o := range ps.objs {
		ps.plan.Actions[i] = o.action
	}
	ps.index()
	return ps, nil
}

func (ps *planState) index() {
	ps.byName = make(map[string]*objPlan, len(ps.objs))
	for _, o := range ps.objs {
		ps.byName[o.action.Object] = o
	}
}

// inSync reports whether the plan changes nothing and the inventory
// already records every desired object at its current hash.
func (ps *planState) inSync() bool {
	if ps.plan.HasChanges() || len(ps.inv) != len(ps.p.objs) {
		return false
	}
	for _, o := range ps.p.objs {
		if ps.inv[o.key].Hash != o.hash {
			return false
		}
	}
	return true
}

// orphanTypes resolves the inventory entries desired no longer holds.
func (d *Driver) orphanTypes(p *prepared, inv Inventory) (map[ObjKey]typeInfo, error) {
	out := map[ObjKey]typeInfo{}
	for k, e := range inv {
		if _, ok := p.byKey[k]; ok {
			continue
		}
		t, ok, err := d.entryType(e)
		if err != nil {
			return nil, err
		}
		if ok {
			out[k] = t
		}
	}
	return out, nil
}

// planner plans the desired objects of one app.
type planner struct {
	d    *Driver
	cl   dynamic.Interface
	app  plumb.AppRef
	st   *appState
	inv  Inventory
	live liveSet
	// absent holds objects that do not exist at all: plain creates.
	absent map[ObjKey]bool
	scrub  *Scrubber
	// newNS holds namespaces this plan creates: objects in them cannot be
	// dry-run yet.
	newNS map[string]bool
	mu    sync.Mutex
	out   []*objPlan
}

// planDesired plans stage by stage, so that namespaces created by the app
// are known before the objects in them are dry-run.
func (pl *planner) planDesired(ctx context.Context, p *prepared) error {
	var stage []*desiredObj
	flush := func() error {
		plans := make([]*objPlan, len(stage))
		errs := forEach(ctx, len(stage), pl.d.concurrency, func(ctx context.Context, i int) error {
			op, err := pl.planObject(ctx, stage[i])
			plans[i] = op
			return err
		})
		if err := joinScrubbed(pl.scrub, errs); err != nil {
			return err
		}
		for _, op := range plans {
			if op.desire.key.Kind == "Namespace" && op.desire.key.Group == "" && op.action.Type == plumb.ActionCreate {
				pl.newNS[op.key.Name] = true
			}
		}
		pl.out = append(pl.out, plans...)
		stage = stage[:0]
		return nil
	}
	for i, o := range p.objs {
		stage = append(stage, o)
		last := i == len(p.objs)-1
		if last || StageOf(p.objs[i+1].key.Kind) != StageOf(o.key.Kind) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// planObject decides the action for one desired object.
func (pl *planner) planObject(ctx context.Context, o *desiredObj) (*objPlan, error) {
	op := &objPlan{key: o.key, typ: o.typ, desire: o}
	live := pl.live[o.key]
	entry, owned := pl.inv[o.key]
	if live != nil && owned && entry.Hash == o.hash && pl.st.seenAt(o.key, live.GetResourceVersion()) {
		op.live = live
		op.action = unchanged(o.key)
		return op, nil
	}
	if pl.absent[o.key] {
		return pl.planBlind(op, "")
	}
	if why := pl.cannotDryRun(o); why != "" {
		return pl.planBlind(op, why)
	}
	merged, err := pl.cl.Resource(o.typ.gvr).Namespace(o.key.Namespace).Apply(ctx, o.key.Name, o.obj, applyOptions(true))
	if err != nil {
		return pl.planFailedDryRun(op, live, err)
	}
	if live == nil && merged.GetResourceVersion() != "" {
		if live, err = pl.getUnlabeled(ctx, o); err != nil {
			return nil, err
		}
	}
	if live != nil && pl.d.hub.covers(o.typ.gvr, pl.app.Name) && !sameContent(live, merged) {
		// The informer may lag behind plumb's own last write: confirm.
		if live, err = pl.getFresh(ctx, o); err != nil {
			return nil, err
		}
	}
	op.live = live
	return op, pl.classify(op, live, merged, entry, owned)
}

// cannotDryRun says why o cannot be dry-run before apply, or "".
func (pl *planner) cannotDryRun(o *desiredObj) string {
	if o.typ.pending {
		return "its kind is defined by a CRD of this app; validated at apply"
	}
	if o.typ.namespaced && pl.newNS[o.key.Namespace] {
		return "its namespace " + o.key.Namespace + " is created by this app first"
	}
	return ""
}

// joinDetail joins non-empty details with "; ".
func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// planBlind plans a create without a dry-run.
func (pl *planner) planBlind(op *objPlan, why string) (*objPlan, error) {
	diff, err := Diff(op.key.String(), nil, op.desire.obj)
	if err != nil {
		return nil, err
	}
	reason := plumb.ReasonAddedInGit
	if e, owned := pl.inv[op.key]; owned && e.Hash != "" {
		reason, why = plumb.ReasonMissingLive, joinDetail("deleted from the target", why)
	}
	op.action = plumb.Action{Type: plumb.ActionCreate, Object: op.key.String(), Reason: reason, Detail: why, Diff: diff}
	return op, nil
}

// getUnlabeled fetches an object that exists without plumb's label for
// this app: one to adopt, or another app's.
func (pl *planner) getUnlabeled(ctx context.Context, o *desiredObj) (*unstructured.Unstructured, error) {
	u, err := pl.cl.Resource(o.typ.gvr).Namespace(o.key.Namespace).Get(ctx, o.key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o.key, err)
	}
	if other := u.GetLabels()[LabelApp]; other != "" && other != pl.app.Name {
		return nil, fmt.Errorf("%s: owned by app %q (label %s=%s); remove it from one of the apps", o.key, other, LabelApp, other)
	}
	return u, nil
}

// getFresh reads o from the API server, nil when it does not exist.
func (pl *planner) getFresh(ctx context.Context, o *desiredObj) (*unstructured.Unstructured, error) {
	u, err := pl.cl.Resource(o.typ.gvr).Namespace(o.key.Namespace).Get(ctx, o.key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o.key, err)
	}
	return u, nil
}

// classify turns live and the dry-run result into an action and reason.
func (pl *planner) classify(op *objPlan, live, merged *unstructured.Unstructured, entry Entry, owned bool) error {
	name := op.key.String()
	diff, err := Diff(name, live, merged)
	if err != nil {
		return err
	}
	switch {
	case live == nil && owned && entry.Hash != "":
		op.action = plumb.Action{Type: plumb.ActionCreate, Object: name, Reason: plumb.ReasonMissingLive, Detail: "deleted from the target", Diff: diff}
	case live == nil:
		op.action = plumb.Action{Type: plumb.ActionCreate, Object: name, Reason: plumb.ReasonAddedInGit, Diff: diff}
	case diff == "" || sameContent(live, merged):
		op.action = unchanged(op.key)
		if owned && entry.Hash == op.desire.hash {
			pl.st.see(op.key, live.GetResourceVersion())
		}
	case !owned:
		op.action = plumb.Action{Type: plumb.ActionUpdate, Object: name, Reason: plumb.ReasonAddedInGit, Detail: "adopts an existing object", Diff: diff}
	case entry.Hash != op.desire.hash:
		op.action = plumb.Action{Type: plumb.ActionUpdate, Object: name, Reason: plumb.ReasonChangedInGit, Diff: diff}
	default:
		op.action = plumb.Action{Type: plumb.ActionUpdate, Object: name, Reason: plumb.ReasonDrifted, Detail: pl.scrub.Scrub(driftDetail(merged, live)), Diff: diff}
	}
	return nil
}

// driftDetail names who changed what plumb applied.
func driftDetail(merged, live *unstructured.Unstructured) string {
	cs, err := Attribute(merged, live)
	if err != nil || len(cs) == 0 {
		return "live object differs from what plumb applied"
	}
	return describeChanges(cs)
}

// planFailedDryRun handles a dry-run error: an immutable field change is
// a recreate when forced and a clear error otherwise.
func (pl *planner) planFailedDryRun(op *objPlan, live *unstructured.Unstructured, err error) (*objPlan, error) {
	fields, immutable := immutableFields(err)
	if !immutable {
		return nil, fmt.Errorf("dry-run %s: %w", op.key, err)
	}
	if !pl.d.forced(op.desire.obj, live) {
		return nil, &ImmutableError{Object: op.key.String(), Fields: fields}
	}
	diff, derr := Diff(op.key.String(), live, op.desire.obj)
	if derr != nil {
		return nil, derr
	}
	op.live, op.recreate = live, true
	op.action = plumb.Action{
		Type: plumb.ActionUpdate, Object: op.key.String(), Reason: pl.reasonFor(op),
		Detail: fmt.Sprintf("immutable field %s changed: delete and recreate (force)", joinFields(fields)), Diff: diff,
	}
	return op, nil
}

func (pl *planner) reasonFor(op *objPlan) plumb.Reason {
	if e, ok := pl.inv[op.key]; ok && e.Hash == op.desire.hash {
		return plumb.ReasonDrifted
	}
	return plumb.ReasonChangedInGit
}

// forced reports whether o may be deleted and recreated.
func (d *Driver) forced(desired, live *unstructured.Unstructured) bool {
	return d.cfg.Force || annotationIs(desired, AnnotationForce, "true") || annotationIs(live, AnnotationForce, "true")
}

func unchanged(k ObjKey) plumb.Action {
	return plumb.Action{Type: plumb.ActionUnchanged, Object: k.String(), Reason: plumb.ReasonUpToDate}
}
