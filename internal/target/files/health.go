package files

import (
	"context"
	"fmt"
	"strings"

	"plumb.dev/plumb"
)

// Health reports the app's health: Missing when it owns nothing yet or some
// owned files are gone; otherwise the target's healthCheck hook decides
// (Degraded with its output when it fails), and without one the app is
// Healthy. Drifted content does not make an app unhealthy; that is sync
// status, not health.
func (d *Driver) Health(ctx context.Context, app plumb.AppRef) (plumb.Health, error) {
	if err := checkApp(app.Name); err != nil {
		return plumb.Health{}, fmt.Errorf("health: %w", err)
	}
	h, err := d.presence(app.Name)
	if err != nil {
		return plumb.Health{}, fmt.Errorf("health of app %q: %w", app.Name, err)
	}
	if h.Status != plumb.HealthHealthy || d.healthCheck == nil {
		return h, nil
	}
	run := d.runHook(ctx, "healthCheck", d.healthCheck, app.Name, "")
	h.Hooks = []plumb.HookRun{run}
	if run.Error != "" {
		h.Status = plumb.HealthDegraded
		h.Message = "health check failed: " + run.Error
		if out := strings.TrimSpace(run.Output); out != "" {
			h.Message += ": " + lastLines(out, 5)
		}
		return h, nil
	}
	h.Message += "; health check passed"
	return h, nil
}

// presence checks that every owned file exists.
func (d *Driver) presence(app string) (plumb.Health, error) {
	d.shared.mu.RLock()
	defer d.shared.mu.RUnlock()
	t, err := d.open(false)
	if err != nil {
		return plumb.Health{}, err
	}
	defer t.close()
	inv, err := readInventory(t, app)
	if err != nil {
		return plumb.Health{}, err
	}
	if !inv.found {
		return plumb.Health{Status: plumb.HealthMissing, Message: "nothing applied yet"}, nil
	}
	var missing []string
	for _, e := range inv.Files {
		if _, err := t.lstat(e.Path); isNotExist(err) {
			missing = append(missing, e.Path)
		}
	}
	if len(missing) > 0 {
		return plumb.Health{
			Status:  plumb.HealthMissing,
			Object:  missing[0],
			Message: fmt.Sprintf("%d of %d owned files are missing: %s", len(missing), len(inv.Files), firstN(missing, 5)),
		}, nil
	}
	return plumb.Health{Status: plumb.HealthHealthy, Message: fmt.Sprintf("all %d owned files present", len(inv.Files))}, nil
}

// firstN lists up to n names, saying how many more there are.
func firstN(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// lastLines keeps the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
