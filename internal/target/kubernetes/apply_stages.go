package kubernetes

import (
	"context"
	"fmt"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
)

// Limits on waits inside one apply.
const (
	crdEstablishTimeout = 60 * time.Second
	recreateTimeout     = 2 * time.Minute
	pollInterval        = 100 * time.Millisecond
)

// step is one action of the plan with where its result goes.
type step struct {
	i  int
	op *objPlan
}

// applyStages applies creates and updates stage by stage and reports
// whether all succeeded. A failed stage stops the later ones.
func (ex *executor) applyStages(ctx context.Context) bool {
	var byStage [stageCount][]step
	for i, op := range ex.steps {
		if op.action.Type == plumb.ActionDelete || op.desire == nil {
			continue
		}
		s := StageOfObject(op.desire.obj)
		byStage[s] = append(byStage[s], step{i, op})
	}
	ok := true
	for s, steps := range byStage {
		if len(steps) == 0 {
			continue
		}
		if !ok {
			ex.fail(steps, "skipped: an earlier stage failed")
			continue
		}
		if Stage(s) != StageDefinitions {
			ex.resolvePending(steps)
		}
		ok = ex.applyAll(ctx, steps)
		if ok && Stage(s) == StageDefinitions {
			ok = ex.establish(ctx, steps)
		}
		if ok && Stage(s) == StagePreHooks {
			ok = ex.waitHooks(ctx, steps)
		}
	}
	return ok
}

// applyAll applies steps concurrently; it reports whether all succeeded.
func (ex *executor) applyAll(ctx context.Context, steps []step) bool {
	errs := forEach(ctx, len(steps), ex.d.concurrency, func(ctx context.Context, k int) error {
		return ex.applyOne(ctx, steps[k].op)
	})
	ok := true
	for k, err := range errs {
		if err != nil {
			ex.res.Actions[steps[k].i].Error = ex.ps.p.scrub.Scrub(fmt.Sprintf("apply %s: %v", steps[k].op.key, err))
			ok = false
		}
	}
	return ok
}

func (ex *executor) fail(steps []step, msg string) {
	for _, s := range steps {
		ex.res.Actions[s.i].Error = fmt.Sprintf("apply %s: %s", s.op.key, msg)
	}
}

// applyOne server-side applies one object; when an immutable field blocks
// it and force is on, it deletes and recreates the object.
func (ex *executor) applyOne(ctx context.Context, op *objPlan) error {
	o := op.desire
	ri := ex.cl.Resource(o.typ.gvr).Namespace(o.key.Namespace)
	ex.st.beginWrite(o.key)
	rv := ""
	defer func() { ex.st.endWrite(o.key, rv) }()
	if op.recreate {
		if err := ex.recreate(ctx, op); err != nil {
			return err
		}
	}
	out, err := ri.Apply(ctx, o.key.Name, o.obj, applyOptions(false))
	if fields, immutable := immutableFields(err); immutable {
		if !ex.d.forced(o.obj, op.live) {
			return &ImmutableError{Object: o.key.String(), Fields: fields}
		}
		if err = ex.recreate(ctx, op); err == nil {
			out, err = ri.Apply(ctx, o.key.Name, o.obj, applyOptions(false))
		}
	}
	if err != nil {
		return err
	}
	rv = out.GetResourceVersion()
	ex.st.wrote(o.key, out)
	return nil
}

// recreate deletes the live object and waits until it is gone.
func (ex *executor) recreate(ctx context.Context, op *objPlan) error {
	ri := ex.cl.Resource(op.typ.gvr).Namespace(op.key.Namespace)
	ex.st.noteDelete(op.key)
	ex.st.forget(op.key)
	fg := metav1.DeletePropagationForeground
	err := ri.Delete(ctx, op.key.Name, metav1.DeleteOptions{PropagationPolicy: &fg})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete to recreate: %w", err)
	}
	return waitGone(ctx, func(ctx context.Context) error {
		_, err := ri.Get(ctx, op.key.Name, metav1.GetOptions{})
		return err
	})
}

// waitGone polls get until it reports NotFound.
func waitGone(ctx context.Context, get func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, recreateTimeout)
	defer cancel()
	for {
		err := get(ctx)
		if apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for deletion: %w", ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// establish waits for the CRDs among steps to be Established, then
// refreshes discovery so that their kinds resolve.
func (ex *executor) establish(ctx context.Context, steps []step) bool {
	var crds []step
	for _, s := range steps {
		if isCRD(s.op.desire.obj) {
			crds = append(crds, s)
		}
	}
	if len(crds) == 0 {
		return true
	}
	errs := forEach(ctx, len(crds), ex.d.concurrency, func(ctx context.Context, k int) error {
		return ex.waitEstablished(ctx, crds[k].op)
	})
	ok := true
	for k, err := range errs {
		if err != nil {
			ex.res.Actions[crds[k].i].Error = fmt.Sprintf("apply %s: %v", crds[k].op.key, err)
			ok = false
		}
	}
	ex.d.resetMapper()
	return ok
}

func (ex *executor) waitEstablished(ctx context.Context, op *objPlan) error {
	ctx, cancel := context.WithTimeout(ctx, crdEstablishTimeout)
	defer cancel()
	ri := ex.d.dyn.Resource(op.typ.gvr)
	for {
		u, err := ri.Get(ctx, op.key.Name, metav1.GetOptions{})
		if err == nil && conditionTrue(u, "Established") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for CRD to be Established: %w", ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

func conditionTrue(u *unstructured.Unstructured, typ string) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ && m["status"] == "True" {
			return true
		}
	}
	return false
}

// resolvePending resolves kinds that were waiting for a CRD of this app.
func (ex *executor) resolvePending(steps []step) {
	reset := true // establish already refreshed discovery
	for _, s := range steps {
		o := s.op.desire
		if !o.typ.pending {
			continue
		}
		if t, err := ex.d.typeOf(o.obj.GroupVersionKind(), nil, &reset); err == nil {
			o.typ, s.op.typ = t, t
		}
	}
}

// deleteStages deletes in reverse apply order, concurrently within a stage.
func (ex *executor) deleteStages(ctx context.Context) {
	var byStage [stageCount][]step
	for i, op := range ex.steps {
		if op.action.Type == plumb.ActionDelete {
			s := StageOf(op.key.Kind)
			if op.live != nil {
				s = StageOfObject(op.live)
			}
			byStage[s] = append(byStage[s], step{i, op})
		}
	}
	for s := len(byStage) - 1; s >= 0; s-- {
		steps := byStage[s]
		sort.Slice(steps, func(a, b int) bool { return keyLess(steps[b].op.key, steps[a].op.key) })
		errs := forEach(ctx, len(steps), ex.d.concurrency, func(ctx context.Context, k int) error {
			return ex.deleteOne(ctx, steps[k].op)
		})
		for k, err := range errs {
			if err != nil {
				ex.res.Actions[steps[k].i].Error = fmt.Sprintf("delete %s: %v", steps[k].op.key, err)
			}
		}
	}
}

// deleteOne deletes the very object the plan saw (UID precondition).
func (ex *executor) deleteOne(ctx context.Context, op *objPlan) error {
	ex.st.beginWrite(op.key)
	defer ex.st.endWrite(op.key, "")
	ex.st.noteDelete(op.key)
	ex.st.forget(op.key)
	bg := metav1.DeletePropagationBackground
	opts := metav1.DeleteOptions{PropagationPolicy: &bg}
	if op.live != nil {
		uid := types.UID(op.live.GetUID())
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	err := ex.cl.Resource(op.typ.gvr).Namespace(op.key.Namespace).Delete(ctx, op.key.Name, opts)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// final is the inventory after the apply: each desired object at the hash
// it now has (the old one when its apply failed), and each object leaving
// Git that is still owned (not pruned, or its delete failed).
func (ex *executor) final(pre Inventory) Inventory {
	out := Inventory{}
	failed := map[ObjKey]bool{}
	for i, op := range ex.steps {
		if ex.res.Actions[i].Error != "" {
			failed[op.key] = true
		}
	}
	for _, o := range ex.ps.p.objs {
		if failed[o.key] {
			out[o.key] = pre[o.key]
			continue
		}
		e := entryOf(o.obj, o.hash)
		e.ResourceVersion = ex.st.seenVersion(o.key)
		out[o.key] = e
	}
	for _, op := range ex.ps.objs {
		if op.desire != nil || !keepOrphan(op, ex.prune, failed[op.key]) {
			continue
		}
		if e, ok := pre[op.key]; ok {
			out[op.key] = e
		}
	}
	return out
}

// keepOrphan says whether an object leaving Git stays in the inventory.
func keepOrphan(op *objPlan, prune, failed bool) bool {
	switch {
	case failed:
		return true
	case op.action.Type == plumb.ActionDelete:
		return !prune
	default:
		return op.action.Reason == plumb.ReasonPruneDisabled && op.action.Detail == detailPruneOff
	}
}
