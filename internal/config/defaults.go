package config

import (
	"path"
	"slices"
	"strings"
	"time"
)

// Defaults of the target drivers.
const (
	DefaultCheckInterval      = 30 * time.Second
	DefaultHookTimeout        = 30 * time.Second
	DefaultInventoryNamespace = "plumb-system"
	DefaultConcurrency        = 64
)

// setDefaults fills fields left out, normalizes paths and sorts the
// objects by name. It runs only on a valid config.
func (c *Config) setDefaults() {
	for _, s := range c.Sources {
		s.Git.setDefaults()
	}
	for _, t := range c.Targets {
		if t.Files != nil {
			t.Files.setDefaults()
		}
		if t.Kubernetes != nil {
			t.Kubernetes.setDefaults()
		}
	}
	for _, a := range c.Apps {
		a.Path = path.Clean(a.Path)
		orDefault(&a.Interval, DefaultAppInterval)
		orDefault(&a.Timeout, DefaultAppTimeout)
	}
	slices.SortFunc(c.Sources, func(a, b *Source) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(c.Targets, func(a, b *Target) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(c.Apps, func(a, b *App) int { return strings.Compare(a.Name, b.Name) })
	for _, n := range c.Notifiers {
		n.setDefaults()
	}
	slices.SortFunc(c.Notifiers, func(a, b *Notifier) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(c.Receivers, func(a, b *Receiver) int { return strings.Compare(a.Name, b.Name) })
	c.automationDefaults()
}

func (g *GitSource) setDefaults() {
	orDefault(&g.Interval, DefaultSourceInterval)
	g.Commit = strings.ToLower(g.Commit)
	if g.Branch == "" && g.Tag == "" && g.Semver == "" && g.Commit == "" {
		g.Branch = DefaultBranch
	}
}

func (f *FilesTarget) setDefaults() {
	f.Root = path.Clean(f.Root)
	orDefault(&f.CheckInterval, DefaultCheckInterval)
	for _, h := range []*Hook{f.AfterApply, f.HealthCheck} {
		if h != nil {
			orDefault(&h.Timeout, DefaultHookTimeout)
		}
	}
}

func (k *KubernetesTarget) setDefaults() {
	if k.InventoryNamespace == "" {
		k.InventoryNamespace = DefaultInventoryNamespace
	}
	if k.Concurrency == 0 {
		k.Concurrency = DefaultConcurrency
	}
}

// orDefault sets d to def when it is zero.
func orDefault(d *Duration, def time.Duration) {
	if d.Duration == 0 {
		d.Duration = def
	}
}
