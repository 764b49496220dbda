package config

import (
	"slices"
	"testing"
	"time"
)

// TestNotifierDefaultsAndLookup checks the defaults of a minimal
// Notifier, lookup by name, and Equal/Hash ignoring positions.
func TestNotifierDefaultsAndLookup(t *testing.T) {
	doc := func(file string) File {
		return yamlFile(file,
			"apiVersion: plumb.dev/v1alpha1",
			"kind: Notifier",
			"metadata: {name: chat}",
			"spec: {discord: {webhookURLFile: /etc/plumb/discord}}",
		)
	}
	a, err := Parse([]File{doc("a.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	n := a.Notifier("chat")
	if n == nil || a.Notifier("other") != nil {
		t.Fatalf("Notifier lookup: %v / %v", n, a.Notifier("other"))
	}
	if n.Provider != ProviderDiscord || !slices.Equal(n.Events, NotifierEvents()) || !slices.Equal(n.Apps, []string{"*"}) {
		t.Errorf("defaults: provider %q events %v apps %v", n.Provider, n.Events, n.Apps)
	}
	if n.RateLimit == nil || n.RateLimit.Burst != DefaultRateBurst || n.RateLimit.Per.Duration != 10*time.Minute {
		t.Errorf("default rate limit %+v", n.RateLimit)
	}
	b, _ := Parse([]File{yamlFile("b.yaml", "# moved", "---"), doc("b.yaml")})
	if n.Pos == b.Notifiers[0].Pos {
		t.Fatal("test needs different positions")
	}
	if !n.Equal(b.Notifiers[0]) || n.Hash() != b.Notifiers[0].Hash() {
		t.Error("the same notifier at another position differs")
	}
	b.Notifiers[0].Apps = []string{"web"}
	if n.Equal(b.Notifiers[0]) || n.Hash() == b.Notifiers[0].Hash() {
		t.Error("notifiers with different apps are equal")
	}
}
