package kubernetes

import (
	"fmt"

	"plumb.dev/plumb"
)

// Details of objects that leave Git but stay in the cluster.
const (
	detailPruneOff    = "prune is off for this sync"
	detailOptOut      = "annotation " + AnnotationPrune + ": disabled; left in the cluster and forgotten"
	detailNotLabeled  = "no longer labeled " + LabelApp + "; left in the cluster and forgotten"
	valuePruneDisable = "disabled"
)

// planPrune plans the objects the inventory holds but desired lacks. Only
// an object both the inventory and the ownership label claim is deleted,
// unless it opts out; gone objects need no action.
func (d *Driver) planPrune(app plumb.AppRef, inv Inventory, orphans map[ObjKey]typeInfo, live liveSet, prune bool) []*objPlan {
	var out []*objPlan
	for k, t := range orphans {
		u := live[k]
		if u == nil || u.GetDeletionTimestamp() != nil {
			continue
		}
		op := &objPlan{key: k, typ: t, live: u}
		name := k.String()
		switch {
		case u.GetLabels()[LabelApp] != app.Name:
			op.action = plumb.Action{Type: plumb.ActionUnchanged, Object: name, Reason: plumb.ReasonRemovedInGit, Detail: detailNotLabeled}
		case !prune:
			op.action = plumb.Action{Type: plumb.ActionUnchanged, Object: name, Reason: plumb.ReasonPruneDisabled, Detail: detailPruneOff}
		case annotationIs(u, AnnotationPrune, valuePruneDisable):
			op.action = plumb.Action{Type: plumb.ActionUnchanged, Object: name, Reason: plumb.ReasonPruneDisabled, Detail: detailOptOut}
		default:
			diff, err := Diff(name, u, nil)
			if err != nil {
				diff = fmt.Sprintf("(no diff: %v)", err)
			}
			op.action = plumb.Action{Type: plumb.ActionDelete, Object: name, Reason: plumb.ReasonRemovedInGit, Diff: diff}
		}
		out = append(out, op)
	}
	// Deletes run in reverse apply order.
	sortBy(out, func(o *objPlan) ObjKey { return o.key })
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// skipDeletes marks every delete of the plan as not done.
func (ex *executor) skipDeletes(msg string) {
	for i, op := range ex.steps {
		if op.action.Type == plumb.ActionDelete {
			ex.res.Actions[i].Error = fmt.Sprintf("delete %s: %s", op.key, msg)
		}
	}
}
