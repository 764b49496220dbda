// Package generate expands AppSets into Apps. A generator lists items —
// directories of a source matching a glob, branches matching a glob
// (preview environments), or open pull requests on GitHub or GitLab — and
// each item becomes an App from the AppSet's template (plus, for branches
// and pull requests, a Source following the item's branch, and with a
// target template its own Target).
//
// The daemon merges the generated objects into the loaded config before
// handing it to the engine (engine.SetConfig), so generated Apps are
// ordinary Apps: an App whose item disappears leaves the config and the
// engine removes it (pruning what it owned when it has prune set).
//
// A failing generator never deletes anything: an Expander keeps the last
// good output of each AppSet (in memory and on disk, so a restart while an
// API is down deletes nothing either) and uses it until the generator
// works again. Only a generator that worked and no longer lists an item
// removes the item's App. Generated objects are validated with the config
// (config.Merge) before they are used; an invalid output is an error of
// its AppSet, which keeps its last good output too.
package generate

import (
	"context"
	"regexp"
	"strings"

	"plumb.dev/plumb/internal/config"
)

// Item is one thing a generator found.
type Item struct {
	// Name is unique within the AppSet and a DNS label ({{.name}}).
	Name string `json:"name"`
	// Values are the template's placeholders.
	Values map[string]string `json:"values"`
	// Branch or Commit, for branches and pull requests, is what the
	// item's own Source follows.
	Branch string `json:"branch,omitempty"`
	Commit string `json:"commit,omitempty"`
}

// Generator lists the items of one AppSet. A nil error means the list is
// complete: an item missing from it is gone.
type Generator interface {
	Items(ctx context.Context) ([]Item, error)
}

var nonLabel = regexp.MustCompile(`[^a-z0-9]+`)

// Slug turns s into a DNS label of at most max characters: lowercase
// letters, digits and '-' ("preview/Fix_1" becomes "preview-fix-1"). A
// name that must be cut ends with a hash of the whole.
func Slug(s string, max int) string {
	out := strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if out == "" {
		out = "x"
	}
	if len(out) <= max {
		return out
	}
	h := shortHash(s)
	return strings.TrimRight(out[:max-len(h)-1], "-") + "-" + h
}

// unique makes item names distinct: an item whose name an earlier one
// took gets a hash of its key appended.
func unique(items []Item, key func(Item) string) []Item {
	seen := map[string]bool{}
	for i := range items {
		if seen[items[i].Name] {
			items[i].Name = Slug(items[i].Name+"-"+shortHash(key(items[i])), 63)
			items[i].Values["name"] = items[i].Name
		}
		seen[items[i].Name] = true
	}
	return items
}

// DefaultInterval re-exports the AppSet default for callers' loops.
const DefaultInterval = config.DefaultAppSetInterval
