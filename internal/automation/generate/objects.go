package generate

import (
	"encoding/json"
	"fmt"

	"plumb.dev/plumb/internal/config"
)

// build makes an AppSet's objects for its items.
func build(set *config.AppSet, base *config.Config, items []Item) (config.Generated, error) {
	g := config.Generated{AppSet: set.Name}
	src := base.Source(set.Generator.Source())
	for _, it := range items {
		values := copyValues(it.Values)
		values["source"] = set.Generator.Source()
		if it.Branch != "" || it.Commit != "" {
			s, err := itemSource(set, src, it)
			if err != nil {
				return g, err
			}
			g.Sources = append(g.Sources, s)
			values["source"] = s.Name
		}
		if set.TargetTemplate != nil {
			t, err := itemTarget(set.TargetTemplate, values)
			if err != nil {
				return g, fmt.Errorf("item %s: targetTemplate.%w", it.Name, err)
			}
			g.Targets = append(g.Targets, t)
		}
		a, err := itemApp(&set.Template, values)
		if err != nil {
			return g, fmt.Errorf("item %s: template.%w", it.Name, err)
		}
		g.Apps = append(g.Apps, a)
	}
	return g, nil
}

func copyValues(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// itemSource is the generator's source following the item's branch or
// commit, named <appset>-<item>.
func itemSource(set *config.AppSet, src *config.Source, it Item) (*config.Source, error) {
	if src == nil || src.Git == nil {
		return nil, fmt.Errorf("source %q is not a git source", set.Generator.Source())
	}
	g := *src.Git
	g.Branch, g.Tag, g.Semver, g.Commit = it.Branch, "", "", it.Commit
	return &config.Source{Name: Slug(set.Name+"-"+it.Name, 63), Git: &g}, nil
}

// itemTarget expands the target template.
func itemTarget(tpl *config.TargetTemplate, values map[string]string) (*config.Target, error) {
	name, err := config.ExpandTemplate(tpl.Metadata.Name, values)
	if err != nil {
		return nil, fmt.Errorf("metadata.name: %w", err)
	}
	spec, err := config.ExpandStrings(&tpl.Spec, values)
	if err != nil {
		return nil, fmt.Errorf("spec.%w", err)
	}
	return &config.Target{Name: name, Files: spec.Files, Kubernetes: spec.Kubernetes}, nil
}

// itemApp expands the app template.
func itemApp(tpl *config.AppTemplate, values map[string]string) (*config.App, error) {
	name, err := config.ExpandTemplate(tpl.Metadata.Name, values)
	if err != nil {
		return nil, fmt.Errorf("metadata.name: %w", err)
	}
	spec, err := config.ExpandStrings(&tpl.Spec, values)
	if err != nil {
		return nil, fmt.Errorf("spec.%w", err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	a := &config.App{}
	if err := json.Unmarshal(b, a); err != nil {
		return nil, err
	}
	a.Name = name
	return a, nil
}
