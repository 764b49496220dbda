package metrics

import (
	"strings"
	"time"
	"unicode/utf8"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// Reconciled observes one reconcile. The result label is the record's
// result; a reconcile that recorded nothing is "error" when it failed (a
// repeated failure, a refusal) and "none" otherwise (waiting for a
// dependency, drift only reported). plumb_sync_total counts recorded
// results only.
func (m *Metrics) Reconciled(_ string, trigger plumb.Trigger, result store.SyncResult, d time.Duration, err error) {
	label := string(result)
	switch {
	case label != "":
		m.syncs.WithLabelValues(label).Inc()
	case err != nil:
		label = "error"
	default:
		label = "none"
	}
	m.reconcile.WithLabelValues(string(trigger), label).Observe(d.Seconds())
}

// Fetched observes one fetch of a source.
func (m *Metrics) Fetched(source string, d time.Duration, err error) {
	source = labelValue(source)
	m.fetch.WithLabelValues(source).Observe(d.Seconds())
	if err != nil {
		m.fetchErrs.WithLabelValues(source).Inc()
	}
}

// Drifted counts one change a target watcher reported, by DriftBy.
func (m *Metrics) Drifted(app string, d plumb.Drift) {
	m.drift.WithLabelValues(labelValue(app), DriftBy(d.Detail)).Inc()
}

// WebhookDelivered counts one webhook delivery to receiver. result should
// come from a small fixed set (e.g. "accepted", "ignored", "unauthorized",
// "invalid"), as each value is a series.
func (m *Metrics) WebhookDelivered(receiver, result string) {
	m.webhooks.WithLabelValues(labelValue(receiver), labelValue(result)).Inc()
}

// unknownActor is the by label of drift whose author the target cannot tell.
const unknownActor = "unknown"

// maxLabel bounds the length of a label value taken from outside, in runes.
const maxLabel = 64

// labelValue makes s a valid label value (valid UTF-8, Prometheus refuses
// anything else) of at most maxLabel runes.
func labelValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxLabel {
		return s
	}
	return string([]rune(s)[:maxLabel])
}

// DriftBy returns who made a drift, from its Detail: the field manager the
// kubernetes driver names ("kubectl-edit (Update) changed spec.replicas
// 3→5" is kubectl-edit; of several changes, the first one's), or "unknown"
// when the detail names none (the files driver's "content changed", a
// deletion, "unknown manager changed ...").
func DriftBy(detail string) string {
	first, _, _ := strings.Cut(detail, "; ")
	who, _, found := strings.Cut(first, " changed ")
	if !found {
		return unknownActor
	}
	// The manager is followed by its operation in parentheses; a detail
	// without one is not the kubernetes driver's attribution.
	open := strings.LastIndex(who, " (")
	if open <= 0 || !strings.HasSuffix(who, ")") {
		return unknownActor
	}
	manager := who[:open]
	if manager == "unknown manager" {
		return unknownActor
	}
	return labelValue(manager)
}
