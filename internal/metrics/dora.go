package metrics

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"plumb.dev/plumb/internal/dora"
)

// doraMeasure is one DORA gauge, exported per app as plumb_dora_NAME{app}
// and over all apps as plumb_dora_overall_NAME.
type doraMeasure struct {
	name, help string
	// quantiles says the gauge is a duration summary with a quantile label.
	quantiles bool
	// value returns the gauge's value(s), or nil when the measure has no
	// value (no samples, no attempts).
	value func(m dora.Measures) []float64
}

var doraMeasures = []doraMeasure{
	{name: "deployments", help: "Deployments in the window.",
		value: func(m dora.Measures) []float64 { return []float64{float64(m.Deployments)} }},
	{name: "deployment_frequency_per_day", help: "Deployments per day over the window.",
		value: func(m dora.Measures) []float64 { return []float64{m.DeploymentsPerDay} }},
	{name: "lead_time_seconds", help: "Lead time for changes (commit to live), median and 90th percentile; absent without deployments.", quantiles: true,
		value: func(m dora.Measures) []float64 { return durations(m.LeadTime) }},
	{name: "change_failure_ratio", help: "Failed deployment attempts / deployment attempts (0 to 1); absent without attempts.",
		value: func(m dora.Measures) []float64 {
			if m.Attempts == 0 {
				return nil
			}
			return []float64{m.ChangeFailureRate}
		}},
	{name: "time_to_restore_seconds", help: "Time from a failure to the next healthy sync, median and 90th percentile; absent without restored failures.", quantiles: true,
		value: func(m dora.Measures) []float64 { return durations(m.TimeToRestore) }},
	{name: "unrestored_failures", help: "Failures that started in the window and are not restored yet.",
		value: func(m dora.Measures) []float64 { return []float64{float64(m.Unrestored)} }},
}

// quantileLabels label the two values durations returns.
var quantileLabels = []string{"0.5", "0.9"}

func durations(d dora.Durations) []float64 {
	if d.Samples == 0 {
		return nil
	}
	return []float64{d.MedianSeconds, d.P90Seconds}
}

// doraCollector exports the DORA measures of the last window, computed from
// the sync history at scrape time and reused for a while.
type doraCollector struct {
	list              SyncLister
	window, every     time.Duration
	timeout           time.Duration
	now               func() time.Time
	perApp, overall   []*prometheus.Desc
	windowDesc, error *prometheus.Desc

	mu     sync.Mutex
	at     time.Time
	report dora.Report
}

func newDORACollector(o Options) *doraCollector {
	c := &doraCollector{list: o.Syncs, window: o.DORAWindow, every: o.DORAEvery, timeout: o.ScrapeTimeout, now: o.Now}
	for _, m := range doraMeasures {
		labels, overall := []string{"app"}, []string(nil)
		if m.quantiles {
			labels, overall = append(labels, "quantile"), []string{"quantile"}
		}
		c.perApp = append(c.perApp, prometheus.NewDesc("plumb_dora_"+m.name, m.help, labels, nil))
		c.overall = append(c.overall, prometheus.NewDesc("plumb_dora_overall_"+m.name, m.help+" Over all apps.", overall, nil))
	}
	c.windowDesc = prometheus.NewDesc("plumb_dora_window_seconds", "The window the plumb_dora_* gauges measure, ending now.", nil, nil)
	return c
}

// Describe sends the descriptors of the DORA gauges.
func (c *doraCollector) Describe(ch chan<- *prometheus.Desc) {
	for i := range c.perApp {
		ch <- c.perApp[i]
		ch <- c.overall[i]
	}
	ch <- c.windowDesc
}

// Collect sends the DORA gauges of the last window.
func (c *doraCollector) Collect(ch chan<- prometheus.Metric) {
	rep, err := c.current()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.windowDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.windowDesc, prometheus.GaugeValue, c.window.Seconds())
	for i, m := range doraMeasures {
		send(ch, c.overall[i], m, rep.Overall)
		for _, a := range rep.Apps {
			send(ch, c.perApp[i], m, a.Measures, labelValue(a.App))
		}
	}
}

// send sends the values of measure m as gauges of desc.
func send(ch chan<- prometheus.Metric, desc *prometheus.Desc, m doraMeasure, ms dora.Measures, labels ...string) {
	for i, v := range m.value(ms) {
		ls := labels
		if m.quantiles {
			ls = append(append([]string(nil), labels...), quantileLabels[i])
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, ls...)
	}
}

// current returns the report of the window ending now, computing it again
// when the last one is older than c.every.
func (c *doraCollector) current() (dora.Report, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !c.at.IsZero() && now.Sub(c.at) < c.every {
		return c.report, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	from := now.Add(-c.window)
	recs, err := c.list.ListAllSyncs(ctx, from)
	if err != nil {
		return dora.Report{}, fmt.Errorf("list syncs since %s for DORA metrics: %w", from.Format(time.RFC3339), err)
	}
	c.at, c.report = now, dora.Compute(recs, from, now)
	return c.report, nil
}
