// Package feedback turns the plans of a pull request's checkout (what
// `plumb diff --local` shows for each app) into review feedback: one commit
// status on the pull request's head commit and one comment on the pull
// request, updated in place on each run, on GitHub or GitLab
// (internal/automation/forge). Reviewers see what merging would change in
// every affected app before they merge.
package feedback

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/forge"
)

// Marker identifies plumb's comment, so that later runs update it.
const Marker = "<!-- plumb:pr-feedback -->"

// DefaultContext is the commit status's name.
const DefaultContext = "plumb/diff"

// AppDiff is one app's plan from the checkout, or why there is none.
type AppDiff struct {
	App     string         `json:"app"`
	Actions []plumb.Action `json:"actions,omitempty"`
	Error   string         `json:"error,omitempty"`
}

// Changes reports whether the app would change.
func (a AppDiff) Changes() bool {
	for _, x := range a.Actions {
		if x.Changes() {
			return true
		}
	}
	return false
}

// Report is the feedback for one head commit.
type Report struct {
	SHA  string    `json:"sha"`
	Apps []AppDiff `json:"apps"`
}

// counts returns how many apps change, fail and stay as they are.
func (r Report) counts() (changed, failed, same int) {
	for _, a := range r.Apps {
		switch {
		case a.Error != "":
			failed++
		case a.Changes():
			changed++
		default:
			same++
		}
	}
	return changed, failed, same
}

// Status is the commit status: a failure when an app could not be
// planned (the change would break it), else success, describing what
// changes.
func (r Report) Status(context, targetURL string) forge.Status {
	changed, failed, same := r.counts()
	st := forge.Status{State: forge.StateSuccess, Context: context, TargetURL: targetURL}
	var parts []string
	if failed > 0 {
		st.State = forge.StateFailure
		parts = append(parts, fmt.Sprintf("%d app(s) fail to plan", failed))
	}
	if changed > 0 {
		var names []string
		for _, a := range r.Apps {
			if a.Error == "" && a.Changes() {
				names = append(names, fmt.Sprintf("%s (%s)", a.App, tally(a.Actions)))
			}
		}
		parts = append(parts, fmt.Sprintf("%d app(s) change: %s", changed, strings.Join(names, ", ")))
	}
	if changed+failed == 0 {
		parts = append(parts, "no app changes")
	}
	if same > 0 && changed+failed > 0 {
		parts = append(parts, fmt.Sprintf("%d unchanged", same))
	}
	st.Description = strings.Join(parts, "; ")
	return st
}

// tally counts the changing actions by type: "1 create, 2 update".
func tally(actions []plumb.Action) string {
	n := map[plumb.ActionType]int{}
	for _, a := range actions {
		if a.Changes() {
			n[a.Type]++
		}
	}
	var parts []string
	for _, t := range []plumb.ActionType{plumb.ActionCreate, plumb.ActionUpdate, plumb.ActionDelete} {
		if n[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[t], t))
		}
	}
	return strings.Join(parts, ", ")
}

// Post sets the commit status on the report's SHA and, when number is
// not 0, writes the comment on the pull request.
func Post(ctx context.Context, c forge.Client, number int, r Report, context, targetURL string) error {
	if context == "" {
		context = DefaultContext
	}
	if err := c.SetStatus(ctx, r.SHA, r.Status(context, targetURL)); err != nil {
		return fmt.Errorf("set commit status: %w", err)
	}
	if number == 0 {
		return nil
	}
	if err := c.Comment(ctx, number, Marker, r.Markdown()); err != nil {
		return fmt.Errorf("comment on #%d: %w", number, err)
	}
	return nil
}

// sorted returns the apps: failing first, then changing, then the rest,
// each by name.
func (r Report) sorted() []AppDiff {
	apps := slices.Clone(r.Apps)
	rank := func(a AppDiff) int {
		switch {
		case a.Error != "":
			return 0
		case a.Changes():
			return 1
		}
		return 2
	}
	slices.SortStableFunc(apps, func(a, b AppDiff) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a.App, b.App)
	})
	return apps
}
