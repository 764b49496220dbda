package config

import "time"

// Notifier sends a message when something happens to an app: to a chat
// (Slack, Microsoft Teams, Discord), to any HTTP endpoint (a signed
// webhook) or to the commit status of the deployed revision on GitHub or
// GitLab. Exactly one provider is set; Provider names it. Secrets (chat
// webhook URLs, which hold tokens, HMAC keys and API tokens) are only
// ever read from files.
type Notifier struct {
	Name     string         `json:"name"`
	Provider string         `json:"provider"`
	Slack    *ChatWebhook   `json:"slack,omitempty"`
	Teams    *ChatWebhook   `json:"teams,omitempty"`
	Discord  *ChatWebhook   `json:"discord,omitempty"`
	Webhook  *SignedWebhook `json:"webhook,omitempty"`
	GitHub   *CommitStatus  `json:"github,omitempty"`
	GitLab   *CommitStatus  `json:"gitlab,omitempty"`
	// Events lists the event types to send (default: every one of
	// NotifierEvents).
	Events []string `json:"events,omitempty"`
	// Apps lists glob patterns (path.Match syntax) of the app names to
	// send events of (default: every app).
	Apps []string `json:"apps,omitempty"`
	// RateLimit bounds the messages sent per app; events over the limit
	// are counted and summed up in one later message.
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	Pos       Pos        `json:"-"`
}

// ChatWebhook is an incoming webhook of a chat service. The URL holds a
// token, so it is read from a file.
type ChatWebhook struct {
	WebhookURLFile string `json:"webhookURLFile"`
}

// SignedWebhook posts every message as JSON to URL, signed with an HMAC
// SHA-256 of the body keyed with the content of SecretFile.
type SignedWebhook struct {
	URL        string `json:"url"`
	SecretFile string `json:"secretFile"`
}

// CommitStatus sets a commit status on the revision an event concerns,
// in the repository of the app's Git source. BaseURL overrides the API
// location: for GitHub the REST API root (default https://api.github.com
// for github.com, https://HOST/api/v3 for other hosts), for GitLab the
// server URL under which /api/v4 lives (default https://HOST).
type CommitStatus struct {
	TokenFile string `json:"tokenFile"`
	BaseURL   string `json:"baseURL,omitempty"`
}

// RateLimit allows Burst messages per app at once, refilled evenly over
// Per (a token bucket).
type RateLimit struct {
	Burst int      `json:"burst"`
	Per   Duration `json:"per"`
}

// The notifier providers, in the order they are documented.
const (
	ProviderSlack   = "slack"
	ProviderTeams   = "teams"
	ProviderDiscord = "discord"
	ProviderWebhook = "webhook"
	ProviderGitHub  = "github"
	ProviderGitLab  = "gitlab"
)

// NotifierProviders lists the providers a Notifier may use.
func NotifierProviders() []string {
	return []string{ProviderSlack, ProviderTeams, ProviderDiscord, ProviderWebhook, ProviderGitHub, ProviderGitLab}
}

// NotifierEvents lists the event types a Notifier can send. They are the
// engine's event names (internal/engine, bus.go).
func NotifierEvents() []string {
	return []string{
		"sync.succeeded", "sync.failed",
		"health.degraded", "health.recovered",
		"drift.detected", "drift.corrected",
		"app.rollback",
	}
}

// Defaults of a Notifier.
const (
	DefaultRateBurst = 10
	DefaultRatePer   = 10 * time.Minute
)

// Notifier returns the notifier named name, or nil.
func (c *Config) Notifier(name string) *Notifier {
	for _, n := range c.Notifiers {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Equal reports whether n and o define the same notifier, ignoring where
// they were declared.
func (n *Notifier) Equal(o *Notifier) bool { return equalIgnoringPos(n, o) }

// Hash returns a stable hex digest of the notifier's settings.
func (n *Notifier) Hash() string { return hash(n) }

// setDefaults fills the event list, app patterns and rate limit.
func (n *Notifier) setDefaults() {
	if len(n.Events) == 0 {
		n.Events = NotifierEvents()
	}
	if len(n.Apps) == 0 {
		n.Apps = []string{"*"}
	}
	if n.RateLimit == nil {
		n.RateLimit = &RateLimit{Burst: DefaultRateBurst, Per: Duration{DefaultRatePer}}
	}
}

// providers reports, for each provider name, whether its spec is set.
func (n *Notifier) providers() map[string]bool {
	return map[string]bool{
		ProviderSlack: n.Slack != nil, ProviderTeams: n.Teams != nil, ProviderDiscord: n.Discord != nil,
		ProviderWebhook: n.Webhook != nil, ProviderGitHub: n.GitHub != nil, ProviderGitLab: n.GitLab != nil,
	}
}
