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
// naming that object and its message.
func (d *Driver) Health(ctx context.Context, app plumb.AppRef) (plumb.Health, error) {
	st := d.state(app.Name)
	inv, err := d.inventory(ctx, app.Name, st)
	if err != nil {
		return plumb.Health{Status: plumb.HealthUnknown}, fmt.Errorf("health %s: %w", app.Name, err)
	}
	if len(inv) == 0 {
		return plumb.Health{Status: plumb.HealthMissing, Message: "the app owns nothing in the target"}, nil
	}
	live, err := d.liveOf(ctx, app, inv)
	if err != nil {
		return plumb.Health{Status: plumb.HealthUnknown}, fmt.Errorf("health %s: %w", app.Name, err)
	}
	worst := plumb.Health{Status: plumb.HealthHealthy}
	for _, k := range inv.Keys() {
		h := ObjectHealth(live[k])
		h.Object = k.String()
		if healthRank[h.Status] > healthRank[worst.Status] {
			worst = h
		}
	}
	if worst.Object == "" {
		worst.Message = fmt.Sprintf("%d objects healthy", len(inv))
	} else {
		worst.Message = worst.Object + ": " + worst.Message
	}
	return worst, nil
}

// liveOf returns the live objects of the inventory entries.
func (d *Driver) liveOf(ctx context.Context, app plumb.AppRef, inv Inventory) (liveSet, error) {
	cl, err := d.clientFor(app)
	if err != nil {
		return nil, err
	}
	types := map[ObjKey]typeInfo{}
	for k, e := range inv {
		t, ok, err := d.entryType(e)
		if err != nil {
			return nil, err
		}
		if ok {
			types[k] = t
		}
	}
	return d.live(ctx, cl, app.Name, scopesOf(nil, types))
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
