package metrics

import (
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/util/workqueue"
	clocktesting "k8s.io/utils/clock/testing"
)

// newQueue returns a rate-limiting queue configured as the engine's
// (engine.Options.QueueMetrics), on a fake clock.
func newQueue(t *testing.T, m *Metrics, clk *clocktesting.FakeClock) workqueue.TypedRateLimitingInterface[string] {
	t.Helper()
	limiter := workqueue.NewTypedItemExponentialFailureRateLimiter[string](time.Millisecond, time.Millisecond)
	q := workqueue.NewTypedRateLimitingQueueWithConfig(limiter, workqueue.TypedRateLimitingQueueConfig[string]{
		Name: "plumb", MetricsProvider: m.Queue(), Clock: clk,
	})
	t.Cleanup(q.ShutDown)
	return q
}

// TestQueueMetrics drives a real work queue with the provider and checks
// depth, adds, latency, work duration and retries.
func TestQueueMetrics(t *testing.T) {
	m := New(Options{})
	clk := clocktesting.NewFakeClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	q := newQueue(t, m, clk)
	q.Add("web")
	q.Add("db")
	q.Add("web") // coalesced: not added again
	clk.Step(2 * time.Second)
	item, _ := q.Get()
	clk.Step(3 * time.Second)
	q.Done(item)
	item, _ = q.Get()
	q.Done(item)
	q.AddRateLimited("web")
	q.AddRateLimited("web")
	golden(t, "queue.txt", series(scrape(t, m.Handler()),
		"plumb_workqueue_depth", "plumb_workqueue_adds", "plumb_workqueue_retries", "plumb_workqueue_queue_duration", "plumb_workqueue_work_duration"))
}

// TestQueueMetricsTwice checks that an engine made again (a second queue
// of the same name) reuses the series instead of failing to register.
func TestQueueMetricsTwice(t *testing.T) {
	m := New(Options{})
	clk := clocktesting.NewFakeClock(time.Now())
	newQueue(t, m, clk).Add("web")
	newQueue(t, m, clk).Add("db")
	body := scrape(t, m.Handler())
	if want := "\nplumb_workqueue_adds_total{name=\"plumb\"} 2\n"; !strings.Contains(body, want) {
		t.Errorf("scrape lacks %s", want)
	}
}
