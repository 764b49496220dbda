package config

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// validateNotifier checks a Notifier's provider, rules and rate limit and
// sets its Provider.
func validateNotifier(d *document, n *Notifier) {
	validateProvider(d, n)
	checkEvents(d, n.Events)
	checkAppPatterns(d, n.Apps)
	if n.RateLimit != nil {
		checkRateLimit(d, n.RateLimit)
	}
}

// validateProvider checks that exactly one provider is set, and its spec.
func validateProvider(d *document, n *Notifier) {
	var set []string
	for _, p := range NotifierProviders() {
		if d.has("spec." + p) {
			set = append(set, p)
		}
	}
	switch len(set) {
	case 0:
		d.errorf("spec", "a Notifier needs one provider: %s", orList(NotifierProviders()))
		return
	case 1:
		n.Provider = set[0]
	default:
		d.errorf("spec."+set[1], "a Notifier has exactly one provider, got %s", andList(set))
		return
	}
	field := "spec." + n.Provider
	switch n.Provider {
	case ProviderSlack, ProviderTeams, ProviderDiscord:
		chat := map[string]*ChatWebhook{ProviderSlack: n.Slack, ProviderTeams: n.Teams, ProviderDiscord: n.Discord}
		checkSecretFile(d, field+".webhookURLFile", chat[n.Provider].WebhookURLFile)
	case ProviderWebhook:
		checkSignedWebhook(d, field, n.Webhook)
	case ProviderGitHub:
		checkCommitStatus(d, field, n.GitHub)
	case ProviderGitLab:
		checkCommitStatus(d, field, n.GitLab)
	}
}

// checkSecretFile requires an absolute path to a file holding a secret.
func checkSecretFile(d *document, field, file string) {
	if d.require(field, file) {
		checkAbs(d, field, file)
	}
}

// checkSignedWebhook checks a generic webhook's URL and HMAC secret file.
func checkSignedWebhook(d *document, field string, w *SignedWebhook) {
	if d.require(field+".url", w.URL) {
		if msg := checkHTTPURL(w.URL, false); msg != "" {
			d.errorf(field+".url", "%s", msg)
		}
	}
	checkSecretFile(d, field+".secretFile", w.SecretFile)
}

// checkCommitStatus checks a GitHub or GitLab commit status spec.
func checkCommitStatus(d *document, field string, c *CommitStatus) {
	checkSecretFile(d, field+".tokenFile", c.TokenFile)
	if d.has(field+".baseURL") && d.require(field+".baseURL", c.BaseURL) {
		if msg := checkHTTPURL(c.BaseURL, true); msg != "" {
			d.errorf(field+".baseURL", "%s", msg)
		}
	}
}

// checkHTTPURL returns what is wrong with an http(s) URL, or "". It never
// echoes the URL, which may hold a token. A base URL must have no query.
func checkHTTPURL(raw string, base bool) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "not a valid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an http:// or https:// URL"
	case u.Host == "":
		return "needs a host"
	case u.User != nil:
		return "must not hold credentials"
	case base && (u.RawQuery != "" || u.Fragment != ""):
		return "must not have a query or fragment"
	}
	return ""
}

// checkEvents checks the event types: known, each listed once.
func checkEvents(d *document, events []string) {
	if d.has("spec.events") && len(events) == 0 {
		d.errorf("spec.events", "must not be empty: leave it out to send every event")
	}
	known := NotifierEvents()
	for i, ev := range events {
		field := fmt.Sprintf("spec.events[%d]", i)
		switch {
		case !d.require(field, ev):
		case !slices.Contains(known, ev):
			d.errorf(field, "unknown event %q%s", truncate(ev), suggest(ev, known))
		case slices.Index(events, ev) != i:
			d.errorf(field, "event %q is listed twice", ev)
		}
	}
}

// checkAppPatterns checks the app name globs.
func checkAppPatterns(d *document, apps []string) {
	if d.has("spec.apps") && len(apps) == 0 {
		d.errorf("spec.apps", "must not be empty: leave it out to send events of every app")
	}
	for i, p := range apps {
		field := fmt.Sprintf("spec.apps[%d]", i)
		if !d.require(field, p) {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			d.errorf(field, "invalid pattern %q: want a glob like \"team-a-*\" (*, ?, [a-z])", truncate(p))
			continue
		}
		if !strings.ContainsAny(p, `*?[\`) && (len(p) > 63 || !nameRE.MatchString(p)) {
			d.errorf(field, "%q matches no app: app names use lowercase letters, digits and '-'", truncate(p))
		}
	}
}

// checkRateLimit requires both a burst of at least 1 and a period.
func checkRateLimit(d *document, r *RateLimit) {
	const field = "spec.rateLimit"
	if !d.has(field + ".burst") {
		d.errorf(field+".burst", "required field missing")
	} else if r.Burst < 1 {
		d.errorf(field+".burst", "must be at least 1, got %d", r.Burst)
	}
	if !d.has(field + ".per") {
		d.errorf(field+".per", "required field missing")
	}
}
