package config

import (
	"slices"
)

// DependencyOrder returns the apps so that every app comes after the apps
// it depends on; apps that are free to go at the same time are ordered by
// name. Every app appears exactly once, except apps caught in a
// dependency cycle, which Parse rejects.
func (c *Config) DependencyOrder() []*App {
	byName := map[string]*App{}
	for _, a := range c.Apps {
		byName[a.Name] = a
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	for _, a := range c.Apps {
		for _, dep := range uniq(a.DependsOn) {
			if byName[dep] != nil {
				waiting[a.Name]++
				dependents[dep] = append(dependents[dep], a.Name)
			}
		}
	}
	var ready []string
	for _, a := range c.Apps {
		if waiting[a.Name] == 0 {
			ready = append(ready, a.Name)
		}
	}
	order := make([]*App, 0, len(c.Apps))
	for len(ready) > 0 {
		slices.Sort(ready)
		name := ready[0]
		ready = ready[1:]
		order = append(order, byName[name])
		for _, next := range dependents[name] {
			if waiting[next]--; waiting[next] == 0 {
				ready = append(ready, next)
			}
		}
	}
	return order
}

// Dependents returns the names of the apps that depend on the app named
// name, directly or not, sorted.
func (c *Config) Dependents(name string) []string {
	found := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		for _, a := range c.Apps {
			if !found[a.Name] && slices.Contains(a.DependsOn, n) {
				found[a.Name] = true
				walk(a.Name)
			}
		}
	}
	walk(name)
	delete(found, name)
	return sortedKeys(found)
}

// uniq returns s without repeated elements, keeping the first.
func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
