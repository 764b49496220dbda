package notify

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// eventKind says how an event type reads in a title and how bad it is.
type eventKind struct {
	what     string
	severity Severity
}

// eventKinds covers the event types a Notifier can send.
var eventKinds = map[string]eventKind{
	"sync.succeeded":   {"synced", SeveritySuccess},
	"sync.failed":      {"sync failed", SeverityError},
	"health.degraded":  {"health degraded", SeverityError},
	"health.recovered": {"health recovered", SeveritySuccess},
	"drift.detected":   {"drift detected", SeverityWarning},
	"drift.corrected":  {"drift corrected", SeveritySuccess},
	"app.rollback":     {"rolled back", SeverityWarning},
}

// kindOf returns the kind of an event type, reading unknown types as
// warnings named by their type.
func kindOf(typ string) eventKind {
	if k, ok := eventKinds[typ]; ok {
		return k
	}
	return eventKind{typ, SeverityWarning}
}

// NewMessage builds the message for event ev of an app with context ac.
// The revision is the event's, else the app's last applied one; the
// commit's author and message are used only when they are of that
// revision.
func NewMessage(ev store.Event, ac AppContext) Message {
	k := kindOf(ev.Type)
	rev := firstNonEmpty(ev.Revision, ac.Commit.Revision)
	commit := ac.Commit
	if commit.Revision != rev {
		commit = plumb.Commit{Revision: rev}
	}
	m := Message{
		Event: ev.Type, Severity: k.severity, App: ev.App, Text: ev.Message,
		Reason: ac.Reason, Revision: rev, Commit: commit, Target: ac.Target,
		SourceURL: ac.SourceURL, Link: ac.Link, Time: ev.Time, Detail: ev.Detail,
	}
	m.Title = fmt.Sprintf("%s: %s", ev.App, k.what)
	if rev != "" {
		m.Title += " at " + plumb.Short(rev)
	}
	return m
}

// What is the event as a short phrase, like "sync failed".
func (m Message) What() string { return kindOf(m.Event).what }

// CommitLine describes the commit in one line, like
// "1a2b3c4 by Alice: fix the probe", or "" without a revision.
func (m Message) CommitLine() string {
	if m.Revision == "" {
		return ""
	}
	s := plumb.Short(m.Revision)
	if m.Commit.Author != "" {
		s += " by " + m.Commit.Author
	}
	if subject := firstLine(m.Commit.Message); subject != "" {
		s += ": " + subject
	}
	return s
}

// SuppressedLine tells how many more events the rate limit held back,
// or "" when none were.
func (m Message) SuppressedLine() string {
	if m.Suppressed == 0 {
		return ""
	}
	return fmt.Sprintf("%d more %s for %s suppressed by the rate limit (%s); this is the latest.",
		m.Suppressed, plural(m.Suppressed, "event", "events"), m.App, m.Limit)
}

// fact is one labelled value of a message, shown as a field or fact.
type fact struct{ name, value string }

// facts lists the labelled values of a message that are set, in the
// order chat providers show them.
func (m Message) facts() []fact {
	all := []fact{
		{"App", m.App},
		{"Commit", m.CommitLine()},
		{"Target", m.Target},
		{"Why", m.Reason},
	}
	out := all[:0]
	for _, f := range all {
		if f.value != "" {
			out = append(out, f)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// firstLine returns the first line of s, trimmed.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// truncate shortens s to at most max runes, ending with "…" when cut.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
