package metrics

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/webhook"
)

// TestObserverSeries drives every Observer method and the webhook counter
// and checks the exact series a scrape serves.
func TestObserverSeries(t *testing.T) {
	m := New(Options{})
	boom := errors.New("boom")
	m.Reconciled("web", plumb.TriggerRevision, store.ResultSucceeded, 1500*time.Millisecond, nil)
	m.Reconciled("db", plumb.TriggerRevision, store.ResultSucceeded, 40*time.Second, nil)
	m.Reconciled("web", plumb.TriggerManual, store.ResultFailed, 200*time.Millisecond, boom)
	m.Reconciled("web", plumb.TriggerInterval, "", 10*time.Millisecond, boom)         // a repeated failure, not recorded
	m.Reconciled("web", plumb.TriggerDrift, "", 10*time.Millisecond, nil)             // drift only reported
	m.Reconciled("web", plumb.TriggerInterval, store.ResultSkipped, time.Second, nil) // commit did not touch it
	m.Fetched("site", 300*time.Millisecond, nil)
	m.Fetched("site", 2*time.Second, boom)
	m.Fetched("infra", 20*time.Millisecond, nil)
	m.Drifted("web", plumb.Drift{Object: "apps/v1/Deployment/web/web", Detail: "kubectl-edit (Update) changed spec.replicas 3→5"})
	m.Drifted("web", plumb.Drift{Object: "apps/v1/Deployment/web/web", Detail: "kubectl-edit (Update) changed spec.replicas 5→6"})
	m.Drifted("web", plumb.Drift{Object: "v1/ConfigMap/web/cfg", Detail: "deleted from the target, or its plumb.dev/app label removed"})
	m.Drifted("site", plumb.Drift{Object: "index.html", Detail: "content changed"})
	m.WebhookDelivered("github", "accepted")
	m.WebhookDelivered("github", "accepted")
	m.WebhookDelivered("github", "unauthorized")
	golden(t, "observer.txt", series(scrape(t, m.Handler()),
		"plumb_reconcile_", "plumb_sync_", "plumb_drift_", "plumb_git_", "plumb_webhook_"))
}

// TestRegistryHasRuntimeCollectors checks the Go and process collectors.
func TestRegistryHasRuntimeCollectors(t *testing.T) {
	body := scrape(t, New(Options{}).Handler())
	for _, name := range []string{"go_goroutines ", "process_resident_memory_bytes ", "process_start_time_seconds "} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("scrape has no %s series", strings.TrimSpace(name))
		}
	}
	if strings.Contains(body, "plumb_app_") || strings.Contains(body, "plumb_dora_") {
		t.Errorf("without Status and Syncs there must be no app or DORA series:\n%s", series(body, "plumb_app_", "plumb_dora_"))
	}
}

func TestDriftBy(t *testing.T) {
	for _, c := range []struct{ detail, want string }{
		{"kubectl-edit (Update) changed spec.replicas 3→5", "kubectl-edit"},
		{"kube-controller-manager (Update status) changed status.replicas 1→2", "kube-controller-manager"},
		{"helm (Apply) changed spec.template.spec.containers[name=web].image a→b; kubectl-edit (Update) changed spec.replicas 3→5", "helm"},
		{"unknown manager changed spec.replicas 3→5", "unknown"},
		{"unknown manager (Update) changed spec.replicas 3→5", "unknown"},
		{"content changed", "unknown"},
		{"content changed; mode changed 0644→0600", "unknown"},
		{"mode changed 0644→0600", "unknown"},
		{"deleted", "unknown"},
		{"deleted from the target, or its plumb.dev/app label removed", "unknown"},
		{"", "unknown"},
		{" (Update) changed x 1→2", "unknown"},
		{strings.Repeat("é", 70) + " (Update) changed x 1→2", strings.Repeat("é", 64)},
		{"bad\xffname (Update) changed x 1→2", "bad\uFFFDname"},
	} {
		if got := DriftBy(c.detail); got != c.want {
			t.Errorf("DriftBy(%q) = %q, want %q", c.detail, got, c.want)
		}
	}
}

// TestLabelValuesFromOutside checks that names that are not valid label
// values are made valid rather than panicking.
func TestLabelValuesFromOutside(t *testing.T) {
	m := New(Options{})
	m.WebhookDelivered("git\xffhub", strings.Repeat("x", 100))
	m.Fetched("s\xfe", time.Second, errors.New("x"))
	m.Drifted("a\xff", plumb.Drift{Detail: "content changed"})
	body := scrape(t, m.Handler())
	for _, want := range []string{
		`plumb_webhook_deliveries_total{receiver="git` + "\uFFFD" + `hub",result="` + strings.Repeat("x", 64) + `"} 1`,
		`plumb_git_fetch_errors_total{source="s` + "\uFFFD" + `"} 1`,
		`plumb_drift_total{app="a` + "\uFFFD" + `",by="unknown"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

// TestWebhookReport feeds the webhook handler's reports and checks that
// receivers named in URLs that do not exist share one series.
func TestWebhookReport(t *testing.T) {
	m := New(Options{})
	for _, r := range []webhook.Report{
		{Receiver: "github", Status: http.StatusAccepted},
		{Receiver: "github", Status: http.StatusAccepted},
		{Receiver: "github", Status: http.StatusOK},
		{Receiver: "github", Status: http.StatusUnauthorized, Err: "bad signature"},
		{Receiver: "gitlab", Status: http.StatusBadRequest},
		{Receiver: "gitlab", Status: http.StatusRequestEntityTooLarge},
		{Receiver: "gitlab", Status: http.StatusMethodNotAllowed},
		{Receiver: "gitlab", Status: http.StatusInternalServerError},
		{Receiver: "gitlab", Status: http.StatusTeapot},
		{Receiver: "probe-1", Status: http.StatusNotFound},
		{Receiver: "probe-2", Status: http.StatusNotFound},
	} {
		m.WebhookReport(r)
	}
	golden(t, "webhook.txt", series(scrape(t, m.Handler()), "plumb_webhook_"))
}
