package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/util/workqueue"
)

// queueMetrics implements workqueue.MetricsProvider with one series per
// queue name. A provider asked twice for the same name (an engine made
// again) hands out the same series.
type queueMetrics struct {
	depth, unfinished, longest *prometheus.GaugeVec
	adds, retries              *prometheus.CounterVec
	latency, work              *prometheus.HistogramVec
}

var _ workqueue.MetricsProvider = (*queueMetrics)(nil)

// queueBuckets span a millisecond to ten minutes.
var queueBuckets = prometheus.ExponentialBuckets(0.001, 4, 9)

func newQueueMetrics() *queueMetrics {
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "plumb_workqueue_" + name, Help: help}, []string{"name"})
	}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plumb_workqueue_" + name, Help: help}, []string{"name"})
	}
	histogram := func(name, help string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "plumb_workqueue_" + name, Help: help, Buckets: queueBuckets}, []string{"name"})
	}
	return &queueMetrics{
		depth:      gauge("depth", "Apps waiting in the work queue."),
		unfinished: gauge("unfinished_work_seconds", "Seconds of work in progress not yet observed by work_duration; large values mean stuck reconciles."),
		longest:    gauge("longest_running_processor_seconds", "Seconds the longest running reconcile has been running."),
		adds:       counter("adds_total", "Apps added to the work queue."),
		retries:    counter("retries_total", "Apps requeued after a failure (with backoff)."),
		latency:    histogram("queue_duration_seconds", "Seconds an app waited in the queue before its reconcile started."),
		work:       histogram("work_duration_seconds", "Seconds a reconcile took, as the queue sees it."),
	}
}

func (q *queueMetrics) register(r prometheus.Registerer) {
	r.MustRegister(q.depth, q.unfinished, q.longest, q.adds, q.retries, q.latency, q.work)
}

// Queue returns the provider to pass as engine.Options.QueueMetrics.
func (m *Metrics) Queue() workqueue.MetricsProvider { return m.queue }

// NewDepthMetric returns the depth gauge of queue name.
func (q *queueMetrics) NewDepthMetric(name string) workqueue.GaugeMetric {
	return q.depth.WithLabelValues(name)
}

// NewAddsMetric returns the adds counter of queue name.
func (q *queueMetrics) NewAddsMetric(name string) workqueue.CounterMetric {
	return q.adds.WithLabelValues(name)
}

// NewLatencyMetric returns the queue latency histogram of queue name.
func (q *queueMetrics) NewLatencyMetric(name string) workqueue.HistogramMetric {
	return q.latency.WithLabelValues(name)
}

// NewWorkDurationMetric returns the work duration histogram of queue name.
func (q *queueMetrics) NewWorkDurationMetric(name string) workqueue.HistogramMetric {
	return q.work.WithLabelValues(name)
}

// NewUnfinishedWorkSecondsMetric returns the unfinished work gauge of
// queue name.
func (q *queueMetrics) NewUnfinishedWorkSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return q.unfinished.WithLabelValues(name)
}

// NewLongestRunningProcessorSecondsMetric returns the longest running
// processor gauge of queue name.
func (q *queueMetrics) NewLongestRunningProcessorSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return q.longest.WithLabelValues(name)
}

// NewRetriesMetric returns the retries counter of queue name.
func (q *queueMetrics) NewRetriesMetric(name string) workqueue.CounterMetric {
	return q.retries.WithLabelValues(name)
}
