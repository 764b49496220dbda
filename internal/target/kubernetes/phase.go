package kubernetes

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb"
)

// hookTimeout bounds the wait for pre-phase objects (a migration Job) to
// become healthy.
const hookTimeout = 5 * time.Minute

// waitHooks waits until every object of the pre phase that was just
// applied is healthy (a Job has completed); a failed or timed-out hook
// fails its action, and the later stages are skipped.
func (ex *executor) waitHooks(ctx context.Context, steps []step) bool {
	errs := forEach(ctx, len(steps), ex.d.concurrency, func(ctx context.Context, k int) error {
		return ex.waitHook(ctx, steps[k].op)
	})
	ok := true
	for k, err := range errs {
		if err != nil {
			ex.res.Actions[steps[k].i].Error = ex.ps.p.scrub.Scrub(fmt.Sprintf("pre-phase hook %s: %v", steps[k].op.key, err))
			ok = false
		}
	}
	return ok
}

// waitHook polls one object until it is Healthy or Degraded.
func (ex *executor) waitHook(ctx context.Context, op *objPlan) error {
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	ri := ex.cl.Resource(op.typ.gvr).Namespace(op.key.Namespace)
	var last plumb.Health
	for {
		u, err := ri.Get(ctx, op.key.Name, metav1.GetOptions{})
		if err == nil {
			last = hookHealth(u)
			switch last.Status {
			case plumb.HealthHealthy:
				return nil
			case plumb.HealthDegraded:
				return fmt.Errorf("failed: %s", last.Message)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not healthy within %s (%s: %s)", hookTimeout, last.Status, last.Message)
		case <-time.After(pollInterval):
		}
	}
}

// hookHealth is ObjectHealth, except that a Job is healthy only once it has
// completed (kstatus calls a running Job current).
func hookHealth(u *unstructured.Unstructured) plumb.Health {
	if u.GroupVersionKind().Group != "batch" || u.GetKind() != "Job" {
		return ObjectHealth(u)
	}
	switch {
	case conditionTrue(u, "Complete"):
		return plumb.Health{Status: plumb.HealthHealthy, Message: "Job completed"}
	case conditionTrue(u, "Failed"):
		return plumb.Health{Status: plumb.HealthDegraded, Message: "Job failed"}
	}
	return plumb.Health{Status: plumb.HealthProgressing, Message: "Job has not completed"}
}
