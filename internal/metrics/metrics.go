// Package metrics exports plumb's Prometheus metrics on /metrics: how long
// reconciles take and how they end, drift seen in targets and who caused
// it, Git fetches, the work queue, webhook deliveries, every app's sync and
// health state, and the DORA measures of the last 30 days.
//
// Metrics keeps its own registry (with the Go runtime and process
// collectors), so nothing else in the binary adds series to it by accident.
// It implements engine.Observer; Queue returns the engine's
// workqueue.MetricsProvider; WebhookReport takes the webhook handler's
// reports (webhook.Options.Report).
//
// Cardinality. plumb is meant to run thousands of apps, so series whose
// count grows with the number of apps are kept to the few that need the
// app: reconcile durations are a histogram by trigger and result (a bounded
// set: 8 triggers × 7 results × 14 buckets, whatever the number of apps),
// not by app, since a per-app histogram would cost ~16 series per app;
// per-app series are the state gauges (one series per app and gauge, as
// only the current state is exported), the DORA gauges, and the drift
// counter, which only apps that drift get. Per-app reconcile detail is in
// the sync history (API, `plumb history`), not in Prometheus.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/store"
)

// StatusLister is what the app state gauges read at scrape time.
type StatusLister interface {
	ListStatus(ctx context.Context) ([]store.AppStatus, error)
}

// SyncLister is what the DORA gauges read at scrape time.
type SyncLister interface {
	ListAllSyncs(ctx context.Context, since time.Time) ([]store.SyncRecord, error)
}

// Options configure Metrics. Every field is optional.
type Options struct {
	// Status, when set, exports plumb_app_* gauges for every app.
	Status StatusLister
	// Syncs, when set, exports plumb_dora_* gauges.
	Syncs SyncLister
	// DORAWindow is the window of the DORA gauges (default 30 days).
	DORAWindow time.Duration
	// DORAEvery is how long a DORA computation is reused by later scrapes
	// (default 1 minute): it reads the whole window's history.
	DORAEvery time.Duration
	// ScrapeTimeout bounds the store reads of one scrape (default 10s).
	ScrapeTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Metrics holds plumb's metrics. Create it with New; its methods are safe
// for concurrent use.
type Metrics struct {
	reg       *prometheus.Registry
	reconcile *prometheus.HistogramVec
	syncs     *prometheus.CounterVec
	drift     *prometheus.CounterVec
	fetch     *prometheus.HistogramVec
	fetchErrs *prometheus.CounterVec
	webhooks  *prometheus.CounterVec
	queue     *queueMetrics
}

var _ engine.Observer = (*Metrics)(nil)

// New returns Metrics with a fresh registry.
func New(opts Options) *Metrics {
	opts = opts.withDefaults()
	m := &Metrics{reg: prometheus.NewRegistry(), queue: newQueueMetrics()}
	m.reconcile = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "plumb_reconcile_duration_seconds",
		Help:    "Time one reconcile of one app took (fetch to health), by trigger and result.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
	}, []string{"trigger", "result"})
	m.syncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plumb_sync_total", Help: "Recorded syncs, by result.",
	}, []string{"result"})
	m.drift = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plumb_drift_total", Help: "Changes made to targets outside plumb, by app and by who made them when the target can tell.",
	}, []string{"app", "by"})
	m.fetch = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "plumb_git_fetch_duration_seconds",
		Help:    "Time one fetch of a source took, failed ones included.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"source"})
	m.fetchErrs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plumb_git_fetch_errors_total", Help: "Fetches of a source that failed.",
	}, []string{"source"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plumb_webhook_deliveries_total", Help: "Webhook deliveries received, by receiver and result.",
	}, []string{"receiver", "result"})
	m.reg.MustRegister(m.reconcile, m.syncs, m.drift, m.fetch, m.fetchErrs, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.queue.register(m.reg)
	if opts.Status != nil {
		m.reg.MustRegister(&statusCollector{list: opts.Status, timeout: opts.ScrapeTimeout})
	}
	if opts.Syncs != nil {
		m.reg.MustRegister(newDORACollector(opts))
	}
	return m
}

func (o Options) withDefaults() Options {
	if o.DORAWindow <= 0 {
		o.DORAWindow = 30 * 24 * time.Hour
	}
	if o.DORAEvery <= 0 {
		o.DORAEvery = time.Minute
	}
	if o.ScrapeTimeout <= 0 {
		o.ScrapeTimeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Registry returns the registry, to register more collectors on it.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format. A store
// read that fails at scrape time leaves its series out and the rest is
// served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Registry: m.reg})
}
