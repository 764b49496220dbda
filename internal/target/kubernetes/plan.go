package kubernetes

import (
	"context"
	"fmt"
	"sync"

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
