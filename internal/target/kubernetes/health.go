package kubernetes

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/target"
)

// healthRank orders health from best to worst.
var healthRank = map[plumb.HealthStatus]int{
	plumb.HealthHealthy:     0,
	plumb.HealthUnknown:     1,
	plumb.HealthProgressing: 2,
	plumb.HealthDegraded:    3,
	plumb.HealthMissing:     4,
}

// Health computes kstatus for every object app owns and returns the worst,
// naming that object and its message. It reads the shared informers'
// caches when they serve the app's kinds (see observe), so that polling
// the health of many apps costs the API server nothing.
func (d *Driver) Health(ctx context.Context, app plumb.AppRef) (plumb.Health, error) {
	objs, err := d.objectHealth(ctx, app)
	if err != nil {
		return plumb.Health{Status: plumb.HealthUnknown}, fmt.Errorf("health %s: %w", app.Name, err)
	}
	if len(objs) == 0 {
		return plumb.Health{Status: plumb.HealthMissing, Message: "the app owns nothing in the target"}, nil
	}
	worst := plumb.Health{Status: plumb.HealthHealthy}
	for _, h := range objs {
		if healthRank[h.Status] > healthRank[worst.Status] {
			worst = h
		}
	}
	if worst.Object == "" {
		worst.Message = fmt.Sprintf("%d objects healthy", len(objs))
	} else {
		worst.Message = worst.Object + ": " + worst.Message
	}
	return worst, nil
}

// objectHealth returns the health of each object app's inventory holds,
// in apply order, each naming its object as plan actions do.
func (d *Driver) objectHealth(ctx context.Context, app plumb.AppRef) ([]plumb.Health, error) {
	st := d.state(app.Name)
	inv, err := d.inventory(ctx, app.Name, st)
	if err != nil {
		return nil, err
	}
	live, err := d.observe(ctx, app, st, inv)
	if err != nil {
		return nil, err
	}
	out := make([]plumb.Health, 0, len(inv))
	for _, k := range inv.Keys() {
		h := ObjectHealth(live[k])
		h.Object = k.String()
		out = append(out, h)
	}
	return out, nil
}

// ObjectHealth maps the kstatus of u (nil when missing) to plumb's health.
func ObjectHealth(u *unstructured.Unstructured) plumb.Health {
	if u == nil {
		return plumb.Health{Status: plumb.HealthMissing, Message: "not found in the target"}
	}
	res, err := status.Compute(u)
	if err != nil {
		return plumb.Health{Status: plumb.HealthUnknown, Message: err.Error()}
	}
	switch res.Status {
	case status.CurrentStatus:
		return plumb.Health{Status: plumb.HealthHealthy, Message: res.Message}
	case status.FailedStatus:
		return plumb.Health{Status: plumb.HealthDegraded, Message: res.Message}
	case status.InProgressStatus, status.TerminatingStatus:
		return plumb.Health{Status: plumb.HealthProgressing, Message: res.Message}
	case status.NotFoundStatus:
		return plumb.Health{Status: plumb.HealthMissing, Message: res.Message}
	}
	return plumb.Health{Status: plumb.HealthUnknown, Message: res.Message}
}

// WaitHealthy polls hc every interval until app is Healthy or ctx ends.
// When ctx ends first, an app still Progressing is reported Degraded with
// the object that held it up. The error is the last Health error, when no
// Health call succeeded after it.
func WaitHealthy(ctx context.Context, hc target.HealthChecker, app plumb.AppRef, interval time.Duration) (plumb.Health, error) {
	last := plumb.Health{Status: plumb.HealthUnknown, Message: "health not known yet"}
	var lastErr error
	for {
		h, err := hc.Health(ctx, app)
		switch {
		case err == nil && h.Status == plumb.HealthHealthy:
			return h, nil
		case err == nil:
			last, lastErr = h, nil
		case ctx.Err() == nil:
			lastErr = err
		}
		select {
		case <-ctx.Done():
			return timedOut(last), lastErr
		case <-time.After(interval):
		}
	}
}

// timedOut turns the health an app ended a wait with into a verdict.
func timedOut(h plumb.Health) plumb.Health {
	if h.Status == plumb.HealthProgressing || h.Status == plumb.HealthUnknown {
		h.Message = fmt.Sprintf("timed out waiting for %s: %s", h.Object, h.Message)
		h.Status = plumb.HealthDegraded
	}
	return h
}
