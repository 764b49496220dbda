// Package notify tells people and systems what plumb did: it turns the
// engine's events (sync succeeded or failed, health degraded or recovered,
// drift detected or corrected, rollback) into messages and delivers them
// through providers — Slack, Microsoft Teams and Discord incoming webhooks,
// a generic HMAC-signed webhook, and GitHub and GitLab commit statuses.
//
// A Dispatcher routes each event to the Notifiers whose rules match it,
// drops repeats, rate-limits per notifier and app (summing up what it held
// back in one later message), retries failed deliveries with backoff and
// reports deliveries that failed for good as events of their own. Secrets
// (webhook URLs, HMAC keys, API tokens) are read from files when a message
// is sent and never appear in errors or events.
package notify

import (
	"context"
	"time"

	"plumb.dev/plumb"
)

// EventDeliveryFailed is the type of the event the Dispatcher reports
// when a message could not be delivered.
const EventDeliveryFailed = "notify.failed"

// Provider delivers one message to one destination. Send returns an
// *HTTPError for an answer it did not expect, an error wrapped by
// Permanent when trying again cannot help, and any other error for a
// failure worth retrying (network errors).
type Provider interface {
	Send(ctx context.Context, msg Message) error
}

// Severity says how good or bad the news of a message is.
type Severity string

// The severities, which providers show as colors or states.
const (
	SeveritySuccess Severity = "success"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Message is what a provider sends: what happened (Event, Title, Text), to
// which app, at which commit and why, with where to see more (Link).
type Message struct {
	// ID is unique per message and the same on every retry, so that a
	// receiver can drop repeated deliveries.
	ID       string `json:"id"`
	Notifier string `json:"notifier"`
	// Event is the engine's event type, like "sync.failed".
	Event    string   `json:"event"`
	Severity Severity `json:"severity"`
	App      string   `json:"app"`
	// Title says in one line what happened to which app, like
	// "web: sync failed at 1a2b3c4".
	Title string `json:"title"`
	// Text is the engine's account of the event (an error, a summary of
	// what changed, what drifted and by whom).
	Text string `json:"message"`
	// Reason says why the reconcile ran (a new revision, a drift, a
	// person's request).
	Reason   string       `json:"reason,omitempty"`
	Revision string       `json:"revision,omitempty"`
	Commit   plumb.Commit `json:"commit,omitzero"`
	Target   string       `json:"target,omitempty"`
	// SourceURL is the Git URL of the app's source; commit status
	// providers find the repository in it.
	SourceURL string            `json:"-"`
	Link      string            `json:"link,omitempty"`
	Time      time.Time         `json:"time"`
	Detail    map[string]string `json:"detail,omitempty"`
	// Suppressed counts the events of the app the rate limit dropped
	// before this one, the latest, since the last message.
	Suppressed int `json:"suppressed,omitempty"`
	// Limit describes the rate limit when Suppressed is set, like
	// "10 per 10m".
	Limit string `json:"limit,omitempty"`
}

// AppInfo looks up what a message says about an app besides the event.
// The daemon implements it with the engine's config and the store.
type AppInfo interface {
	// AppContext returns the app's context at revision, or at its last
	// applied revision when revision is "".
	AppContext(ctx context.Context, app, revision string) (AppContext, error)
}

// AppContext is what AppInfo knows about an app at one revision.
type AppContext struct {
	// Commit is the metadata (author, message) of the revision.
	Commit plumb.Commit
	// Target names the app's target.
	Target string
	// SourceURL is the Git URL of the app's source.
	SourceURL string
	// Reason says why the latest reconcile of the revision ran.
	Reason string
	// Link is where people see the app in plumb (UI or API), if known.
	Link string
}

// AppInfoFunc adapts a function to AppInfo.
type AppInfoFunc func(ctx context.Context, app, revision string) (AppContext, error)

// AppContext calls f.
func (f AppInfoFunc) AppContext(ctx context.Context, app, revision string) (AppContext, error) {
	return f(ctx, app, revision)
}
