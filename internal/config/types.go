// Package config defines plumb's declarative schema (apiVersion
// plumb.dev/v1alpha1: Source, Target, App, Notifier), decodes it strictly from a
// directory of YAML documents, and validates references and dependencies.
// Every error names the file, line and field at fault.
package config

import (
	"encoding/json"
	"fmt"
	"time"
)

// APIVersion is the only apiVersion this build understands.
const APIVersion = "plumb.dev/v1alpha1"

// Pos is where a document or field was declared.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Duration is a time.Duration written as "30s", "5m" in YAML.
type Duration struct{ time.Duration }

// UnmarshalJSON accepts a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"30s\" or \"5m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: want a number with a unit, like \"30s\" or \"5m\"", s)
	}
	if v < 0 {
		return fmt.Errorf("invalid duration %q: must not be negative", s)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Config is one complete, validated set of plumb documents.
type Config struct {
	Sources []*Source `json:"sources"`
	Targets []*Target `json:"targets"`
	Apps    []*App    `json:"apps"`
	// Notifiers is defined in notifier.go.
	Notifiers []*Notifier `json:"notifiers,omitempty"`
	// Receivers is defined in receiver.go.
	Receivers []*Receiver `json:"receivers,omitempty"`
	// ImagePolicies, ImageUpdates and AppSets are defined in
	// imagepolicy.go, imageupdate.go and appset.go.
	ImagePolicies []*ImagePolicy `json:"imagePolicies,omitempty"`
	ImageUpdates  []*ImageUpdate `json:"imageUpdates,omitempty"`
	AppSets       []*AppSet      `json:"appSets,omitempty"`
}

// Source is a place desired state is fetched from.
type Source struct {
	Name string     `json:"name"`
	Git  *GitSource `json:"git,omitempty"`
	Pos  Pos        `json:"-"`
}

// GitSource is a Git repository and the ref to follow. Exactly one of
// Branch, Tag, Semver and Commit is set (Branch defaults to "main").
type GitSource struct {
	URL      string   `json:"url"`
	Branch   string   `json:"branch,omitempty"`
	Tag      string   `json:"tag,omitempty"`
	Semver   string   `json:"semver,omitempty"`
	Commit   string   `json:"commit,omitempty"`
	Interval Duration `json:"interval,omitzero"`
	Auth     *GitAuth `json:"auth,omitempty"`
}

// GitAuth holds credentials, always read from files so that they never live
// in config or in plumb's database.
type GitAuth struct {
	// UsernameFile and PasswordFile (a token works as password) for HTTPS.
	Username     string `json:"username,omitempty"`
	UsernameFile string `json:"usernameFile,omitempty"`
	PasswordFile string `json:"passwordFile,omitempty"`
	// PrivateKeyFile and KnownHostsFile for SSH.
	PrivateKeyFile string `json:"privateKeyFile,omitempty"`
	KnownHostsFile string `json:"knownHostsFile,omitempty"`
}

// Target is a place desired state is applied to. Exactly one driver spec is
// set; Kind names it.
type Target struct {
	Name       string            `json:"name"`
	Kind       string            `json:"kind"`
	Files      *FilesTarget      `json:"files,omitempty"`
	Kubernetes *KubernetesTarget `json:"kubernetes,omitempty"`
	Pos        Pos               `json:"-"`
}

// FilesTarget writes app files into a directory on this host.
type FilesTarget struct {
	Root        string `json:"root"`
	AfterApply  *Hook  `json:"afterApply,omitempty"`
	HealthCheck *Hook  `json:"healthCheck,omitempty"`
	// CheckInterval is how often live files are re-hashed besides the
	// filesystem watch (default 30s).
	CheckInterval Duration `json:"checkInterval,omitzero"`
}

// Hook is a command run with /bin/sh -c in the target root.
type Hook struct {
	Command string   `json:"command"`
	Timeout Duration `json:"timeout,omitzero"`
}

// KubernetesTarget is a Kubernetes cluster reached through a kubeconfig (or
// in-cluster config when Kubeconfig is empty and InCluster is set).
type KubernetesTarget struct {
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Context    string `json:"context,omitempty"`
	InCluster  bool   `json:"inCluster,omitempty"`
	// Namespaces confines every app on this target to these namespaces:
	// a namespaced object elsewhere, or a cluster-scoped object other than
	// one of these Namespaces, fails the plan and nothing is applied.
	// Empty allows any namespace.
	Namespaces []string `json:"namespaces,omitempty"`
	// InventoryNamespace holds the per-app inventory ConfigMaps
	// (plumb-inventory-<app>); default "plumb-system".
	InventoryNamespace string `json:"inventoryNamespace,omitempty"`
	// ServiceAccount is impersonated for plan, apply and prune: "name" (in
	// the app's namespace, so each app gets its own) or "namespace/name".
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Force deletes and recreates objects whose immutable fields changed
	// (per object: annotation plumb.dev/force: "true").
	Force bool `json:"force,omitempty"`
	// Concurrency bounds parallel API requests per apply stage (default 64).
	Concurrency int `json:"concurrency,omitempty"`
}

// App binds a path of a Source to a Target.
type App struct {
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	Path      string   `json:"path"`
	Target    string   `json:"target"`
	Interval  Duration `json:"interval,omitzero"`
	Prune     bool     `json:"prune,omitempty"`
	SelfHeal  bool     `json:"selfHeal,omitempty"`
	Suspend   bool     `json:"suspend,omitempty"`
	DependsOn []string `json:"dependsOn,omitempty"`
	Timeout   Duration `json:"timeout,omitzero"`
	// Namespace is the default namespace for namespaced objects
	// (Kubernetes targets).
	Namespace string `json:"namespace,omitempty"`
	// Helm, Decryption and Substitute are defined in app_render.go.
	Helm       *HelmChart  `json:"helm,omitempty"`
	Decryption *Decryption `json:"decryption,omitempty"`
	Substitute *Substitute `json:"substitute,omitempty"`
	Pos        Pos         `json:"-"`
}

// Defaults applied when a field is left out.
const (
	DefaultSourceInterval = time.Minute
	DefaultAppInterval    = 5 * time.Minute
	DefaultAppTimeout     = 5 * time.Minute
	DefaultBranch         = "main"
)

// Source returns the source named name, or nil.
func (c *Config) Source(name string) *Source {
	for _, s := range c.Sources {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Target returns the target named name, or nil.
func (c *Config) Target(name string) *Target {
	for _, t := range c.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// App returns the app named name, or nil.
func (c *Config) App(name string) *App {
	for _, a := range c.Apps {
		if a.Name == name {
			return a
		}
	}
	return nil
}
