package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"plumb.dev/plumb"
)

var (
	syncStatusDesc = prometheus.NewDesc("plumb_app_sync_status",
		"The app's sync state: 1 for the current status (Synced, OutOfSync, Failed, Syncing, Unknown).", []string{"app", "status"}, nil)
	healthStatusDesc = prometheus.NewDesc("plumb_app_health_status",
		"The app's health: 1 for the current status (Healthy, Progressing, Degraded, Missing, Unknown).", []string{"app", "status"}, nil)
	lastSyncDesc = prometheus.NewDesc("plumb_app_last_sync_timestamp_seconds",
		"When the app last matched Git (a sync or a reconcile that found nothing to do), as a Unix time.", []string{"app"}, nil)
)

// statusCollector exports every app's state, read from the store at
// scrape time. Only the current state of each app is a series (value 1):
// at thousands of apps, one series per possible state would multiply the
// series by five for zeros.
type statusCollector struct {
	list    StatusLister
	timeout time.Duration
}

// Describe sends the descriptors of the app state gauges.
func (c *statusCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- syncStatusDesc
	ch <- healthStatusDesc
	ch <- lastSyncDesc
}

// Collect reads every app's status and sends its gauges.
func (c *statusCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	sts, err := c.list.ListStatus(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(syncStatusDesc, fmt.Errorf("list app status: %w", err))
		return
	}
	for _, st := range sts {
		app := labelValue(st.App)
		ch <- prometheus.MustNewConstMetric(syncStatusDesc, prometheus.GaugeValue, 1, app, orUnknown(string(st.Sync)))
		ch <- prometheus.MustNewConstMetric(healthStatusDesc, prometheus.GaugeValue, 1, app, orUnknown(string(st.Health)))
		if !st.LastSyncAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(lastSyncDesc, prometheus.GaugeValue, float64(st.LastSyncAt.UnixNano())/1e9, app)
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return string(plumb.SyncUnknown)
	}
	return labelValue(s)
}
