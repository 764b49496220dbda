package config

import (
	"fmt"
	"slices"
)

// Receiver accepts Git webhooks at POST /hooks/<name>. A push whose
// signature checks out makes plumb fetch each of Sources at once (and
// reconcile the apps whose revision moved) instead of waiting for the
// next poll. The shared secret is only ever read from SecretFile.
type Receiver struct {
	Name string `json:"name"`
	// Type is the sender: github (X-Hub-Signature-256), gitlab
	// (X-Gitlab-Token), gitea or forgejo (X-Gitea-Signature), or generic
	// (X-Plumb-Signature: sha256=<hex HMAC of the body>).
	Type string `json:"type"`
	// SecretFile holds the webhook secret: the HMAC key, or GitLab's
	// token. Surrounding white space is ignored.
	SecretFile string `json:"secretFile"`
	// Sources names the Sources a push fetches.
	Sources []string `json:"sources"`
	Pos     Pos      `json:"-"`
}

// The receiver types.
const (
	ReceiverGeneric = "generic"
	ReceiverForgejo = "forgejo"
	ReceiverGitea   = "gitea"
	ReceiverGitHub  = "github"
	ReceiverGitLab  = "gitlab"
)

// ReceiverTypes lists the receiver types, sorted.
func ReceiverTypes() []string {
	return []string{ReceiverForgejo, ReceiverGeneric, ReceiverGitea, ReceiverGitHub, ReceiverGitLab}
}

// Receiver returns the receiver named name, or nil.
func (c *Config) Receiver(name string) *Receiver {
	for _, r := range c.Receivers {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Equal reports whether r and o define the same receiver, ignoring where
// they were declared.
func (r *Receiver) Equal(o *Receiver) bool { return equalIgnoringPos(r, o) }

// validateReceiver checks a Receiver's own fields; its sources are checked
// once every document is read.
func validateReceiver(d *document, r *Receiver) {
	if d.require("spec.type", r.Type) && !slices.Contains(ReceiverTypes(), r.Type) {
		d.errorf("spec.type", "unknown type %q%s", truncate(r.Type), suggest(r.Type, ReceiverTypes()))
	}
	checkSecretFile(d, "spec.secretFile", r.SecretFile)
	if len(r.Sources) == 0 {
		d.require("spec.sources", "")
		return
	}
	seen := map[string]bool{}
	for i, s := range r.Sources {
		field := fmt.Sprintf("spec.sources[%d]", i)
		switch {
		case !d.require(field, s):
		case seen[s]:
			d.errorf(field, "Source %q is listed twice", s)
		}
		seen[s] = true
	}
}

// checkReceiverRefs reports a Receiver's references to missing Sources.
func checkReceiverRefs(d *document, r *Receiver, byKind map[string]map[string]*document) {
	for i, s := range r.Sources {
		if i == slices.Index(r.Sources, s) {
			checkRef1(d, fmt.Sprintf("spec.sources[%d]", i), "Source", s, byKind["Source"])
		}
	}
}
