// Package plumb holds the domain types shared by every part of the GitOps engine:
// what a source revision is, what an app wants (Desired), what a target driver
// plans to do about it (Plan, Action) and what happened (Result, Health).
//
// The packages under internal/ provide these: source/git produces Commits and
// file trees, render turns trees into Desired state, target drivers Plan and
// Apply, the engine drives the loop and the store records it.
package plumb

import (
	"io/fs"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Commit is the metadata of the Git commit a sync deploys.
type Commit struct {
	Revision string    `json:"revision"`
	Author   string    `json:"author,omitempty"`
	Email    string    `json:"email,omitempty"`
	Message  string    `json:"message,omitempty"`
	Time     time.Time `json:"time,omitzero"`
}

// ShortRevision returns the first 7 characters of the revision.
func (c Commit) ShortRevision() string { return Short(c.Revision) }

// Short abbreviates a Git object name to 7 characters.
func Short(rev string) string {
	if len(rev) > 7 {
		return rev[:7]
	}
	return rev
}

// AppRef names the app a driver works for. Drivers use Name to find their
// inventory in the target; Namespace is a hint for namespaced targets.
type AppRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// File is one regular file of desired state, with a path relative to the app
// root (slash-separated) and its permission bits.
type File struct {
	Path string      `json:"path"`
	Mode fs.FileMode `json:"mode"`
	Data []byte      `json:"-"`
}

// Desired is what an app should look like in its target at one revision.
// File-oriented drivers read Files; object-oriented drivers read Objects.
type Desired struct {
	Revision string                       `json:"revision"`
	Files    []File                       `json:"files,omitempty"`
	Objects  []*unstructured.Unstructured `json:"-"`
}

// ActionType is what a driver does to one object.
type ActionType string

// The action types, in the order a reader cares about them.
const (
	ActionCreate    ActionType = "create"
	ActionUpdate    ActionType = "update"
	ActionDelete    ActionType = "delete"
	ActionUnchanged ActionType = "unchanged"
)

// Reason says why an action is planned. It answers "why did it redeploy?".
type Reason string

// The reasons a driver may give.
const (
	ReasonAddedInGit    Reason = "added in Git"
	ReasonChangedInGit  Reason = "changed in Git"
	ReasonRemovedInGit  Reason = "removed from Git"
	ReasonDrifted       Reason = "drifted in target"
	ReasonMissingLive   Reason = "missing in target"
	ReasonUpToDate      Reason = "up to date"
	ReasonAppRemoved    Reason = "app removed from config"
	ReasonPruneDisabled Reason = "removed from Git; prune disabled"
)

// Action is one planned change to one object of an app.
type Action struct {
	Type   ActionType `json:"type"`
	Object string     `json:"object"`
	Reason Reason     `json:"reason"`
	// Detail adds what the target can tell, e.g. who drifted it.
	Detail string `json:"detail,omitempty"`
	// Diff is a readable, redacted diff from live to desired.
	Diff string `json:"diff,omitempty"`
}

// Changes reports whether the action writes to the target.
func (a Action) Changes() bool { return a.Type != ActionUnchanged }

// Plan is a driver's answer to "what would it take to make the target look
// like Desired". Apply executes exactly the plan.
type Plan struct {
	App     AppRef   `json:"app"`
	Desired Desired  `json:"-"`
	Actions []Action `json:"actions"`
	// Prune allows delete actions to run; a plan built with Prune false
	// lists removals as unchanged actions with ReasonPruneDisabled.
	Prune bool `json:"prune"`
}

// HasChanges reports whether applying the plan would change the target.
func (p Plan) HasChanges() bool {
	for _, a := range p.Actions {
		if a.Changes() {
			return true
		}
	}
	return false
}

// Count returns how many actions of type t the plan holds.
func (p Plan) Count(t ActionType) int {
	n := 0
	for _, a := range p.Actions {
		if a.Type == t {
			n++
		}
	}
	return n
}

// ActionResult is the outcome of one action.
type ActionResult struct {
	Action
	Error string `json:"error,omitempty"`
}

// HookRun is the captured outcome of a command a driver ran (afterApply,
// healthCheck).
type HookRun struct {
	Name     string        `json:"name"`
	Command  string        `json:"command"`
	ExitCode int           `json:"exitCode"`
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
}

// Result is what Apply did.
type Result struct {
	Actions []ActionResult `json:"actions"`
	Hooks   []HookRun      `json:"hooks,omitempty"`
}

// Failed reports whether any action failed.
func (r Result) Failed() bool {
	for _, a := range r.Actions {
		if a.Error != "" {
			return true
		}
	}
	return false
}

// HealthStatus is the health of an app or object.
type HealthStatus string

// The health states, from best to worst.
const (
	HealthHealthy     HealthStatus = "Healthy"
	HealthProgressing HealthStatus = "Progressing"
	HealthDegraded    HealthStatus = "Degraded"
	HealthMissing     HealthStatus = "Missing"
	HealthUnknown     HealthStatus = "Unknown"
)

// Health is the health of an app, naming the worst object when there is one.
type Health struct {
	Status  HealthStatus `json:"status"`
	Message string       `json:"message,omitempty"`
	Object  string       `json:"object,omitempty"`
	Hooks   []HookRun    `json:"hooks,omitempty"`
}

// SyncStatus says whether the target matches Git.
type SyncStatus string

// The sync states.
const (
	SyncSynced    SyncStatus = "Synced"
	SyncOutOfSync SyncStatus = "OutOfSync"
	SyncFailed    SyncStatus = "Failed"
	SyncUnknown   SyncStatus = "Unknown"
	SyncSyncing   SyncStatus = "Syncing"
)

// Trigger says what started a reconcile.
type Trigger string

// The triggers.
const (
	TriggerRevision Trigger = "revision"
	TriggerInterval Trigger = "interval"
	TriggerDrift    Trigger = "drift"
	TriggerManual   Trigger = "manual"
	TriggerRollback Trigger = "rollback"
	TriggerConfig   Trigger = "config"
	TriggerStartup  Trigger = "startup"
	TriggerWebhook  Trigger = "webhook"
)

// Drift is a change a watcher saw in the target outside plumb.
type Drift struct {
	Object string `json:"object"`
	// Detail says what changed and, when the target can tell, by whom.
	Detail string `json:"detail,omitempty"`
}

// Resource is one object an app owns, with its sync state and health.
type Resource struct {
	Object  string       `json:"object"`
	Sync    SyncStatus   `json:"sync"`
	Health  HealthStatus `json:"health,omitempty"`
	Message string       `json:"message,omitempty"`
	// Reason is why the object is out of sync, when it is.
	Reason Reason `json:"reason,omitempty"`
}
