package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"plumb.dev/plumb/internal/config"
)

// eventKind is what plumb does with an event.
type eventKind int

const (
	kindOther eventKind = iota // answered, no effect
	kindPing                   // the sender checks the hook: answered 200
	kindPush                   // triggers the sources
)

// provider is what differs between senders.
type provider struct {
	// verify checks the request's signature of body with secret.
	verify func(h http.Header, body, secret []byte) error
	// event names the event and says what kind it is.
	event func(h http.Header) (string, eventKind)
	// delivery returns the sender's delivery ID, or "".
	delivery func(h http.Header) string
	// parse reads a push event.
	parse func(h http.Header, body []byte) (Push, error)
}

// providers maps receiver types to providers.
var providers = map[string]*provider{
	config.ReceiverGitHub: {
		verify:   hmacHeader("X-Hub-Signature-256", "sha256="),
		event:    githubEvent,
		delivery: header("X-GitHub-Delivery"),
		parse:    parseGitHubLike,
	},
	config.ReceiverGitLab: {
		verify:   gitlabToken,
		event:    gitlabEvent,
		delivery: header("X-Gitlab-Event-UUID"),
		parse:    parseGitLab,
	},
	config.ReceiverGitea:   gitea,
	config.ReceiverForgejo: gitea,
	config.ReceiverGeneric: {
		verify:   hmacHeader("X-Plumb-Signature", "sha256="),
		event:    genericEvent,
		delivery: header("X-Plumb-Delivery"),
		parse:    parseGeneric,
	},
}

// gitea serves Gitea and Forgejo, which sends both X-Gitea-* and
// X-Forgejo-* headers.
var gitea = &provider{
	verify:   hmacHeader("X-Gitea-Signature", "", "X-Forgejo-Signature"),
	event:    giteaEvent,
	delivery: header("X-Gitea-Delivery", "X-Forgejo-Delivery"),
	parse:    parseGitHubLike,
}

var (
	errMissingSignature = errors.New("missing signature")
	errBadSignature     = errors.New("signature does not match")
)

// header returns a reader of the first of names that is set.
func header(names ...string) func(http.Header) string {
	return func(h http.Header) string {
		for _, n := range names {
			if v := h.Get(n); v != "" {
				return v
			}
		}
		return ""
	}
}

// hmacHeader checks a hex HMAC-SHA256 of the body, after prefix, in the
// first of the named headers that is set.
func hmacHeader(name, prefix string, more ...string) func(http.Header, []byte, []byte) error {
	get := header(append([]string{name}, more...)...)
	return func(h http.Header, body, secret []byte) error {
		v := get(h)
		if v == "" {
			return fmt.Errorf("%w: no %s header", errMissingSignature, name)
		}
		got, err := hex.DecodeString(strings.TrimPrefix(v, prefix))
		if err != nil || !strings.HasPrefix(v, prefix) {
			return fmt.Errorf("%w: %s must be %s<hex HMAC-SHA256 of the body>", errBadSignature, name, prefix)
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if !hmac.Equal(got, mac.Sum(nil)) {
			return fmt.Errorf("%w (%s)", errBadSignature, name)
		}
		return nil
	}
}

// gitlabToken checks X-Gitlab-Token, which is the secret itself.
func gitlabToken(h http.Header, _, secret []byte) error {
	v := h.Get("X-Gitlab-Token")
	if v == "" {
		return fmt.Errorf("%w: no X-Gitlab-Token header", errMissingSignature)
	}
	// Compare digests: equal lengths, so the time taken says nothing
	// about the secret's length either.
	got, want := sha256.Sum256([]byte(v)), sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return fmt.Errorf("%w (X-Gitlab-Token)", errBadSignature)
	}
	return nil
}

func githubEvent(h http.Header) (string, eventKind) {
	e := h.Get("X-GitHub-Event")
	return e, map[string]eventKind{"push": kindPush, "ping": kindPing}[e]
}

func gitlabEvent(h http.Header) (string, eventKind) {
	e := h.Get("X-Gitlab-Event")
	return e, map[string]eventKind{"Push Hook": kindPush, "Tag Push Hook": kindPush}[e]
}

func giteaEvent(h http.Header) (string, eventKind) {
	e := header("X-Gitea-Event", "X-Forgejo-Event")(h)
	return e, map[string]eventKind{"push": kindPush}[e]
}

func genericEvent(h http.Header) (string, eventKind) {
	e := h.Get("X-Plumb-Event")
	if e == "" {
		e = "push"
	}
	return e, map[string]eventKind{"push": kindPush, "ping": kindPing}[e]
}
