package kubernetes

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb"
)

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
	if live != nil && pl.d.hub.serves(o.typ.gvr) && !sameContent(live, merged) {
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
