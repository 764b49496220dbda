package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
)

// Equal reports whether s and o define the same source, ignoring where
// they were declared.
func (s *Source) Equal(o *Source) bool { return equalIgnoringPos(s, o) }

// Equal reports whether t and o define the same target, ignoring where
// they were declared.
func (t *Target) Equal(o *Target) bool { return equalIgnoringPos(t, o) }

// Equal reports whether a and o define the same app, ignoring where they
// were declared.
func (a *App) Equal(o *App) bool { return equalIgnoringPos(a, o) }

// Hash returns a stable hex digest of the source's settings (not its
// position), e.g. to record which config a sync used.
func (s *Source) Hash() string { return hash(s) }

// Hash returns a stable hex digest of the target's settings.
func (t *Target) Hash() string { return hash(t) }

// Hash returns a stable hex digest of the app's settings.
func (a *App) Hash() string { return hash(a) }

// equalIgnoringPos compares two objects with their Pos fields cleared.
func equalIgnoringPos[T any](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	clearPos(&x)
	clearPos(&y)
	return reflect.DeepEqual(x, y)
}

// clearPos zeroes the Pos field of the struct v points to.
func clearPos(v any) {
	reflect.ValueOf(v).Elem().FieldByName("Pos").Set(reflect.ValueOf(Pos{}))
}

// hash digests the JSON form of v, which leaves out Pos.
func hash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("config: hash: " + err.Error()) // the schema types always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Changes says which objects differ between two configs, by name.
type Changes struct {
	Sources, Targets, Apps Delta
}

// Delta lists the names of objects of one kind that were added, removed
// or changed, each sorted.
type Delta struct {
	Added, Removed, Changed []string
}

// Empty reports whether nothing changed.
func (d Delta) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// Empty reports whether the two configs define the same objects.
func (c Changes) Empty() bool { return c.Sources.Empty() && c.Targets.Empty() && c.Apps.Empty() }

// Diff compares an old config with a new one (either may be nil, meaning
// empty). An app whose source or target changed is not itself listed as
// changed; callers decide what that means.
func Diff(old, new *Config) Changes {
	if old == nil {
		old = &Config{}
	}
	if new == nil {
		new = &Config{}
	}
	return Changes{
		Sources: delta(old.Sources, new.Sources, (*Source).Equal, func(s *Source) string { return s.Name }),
		Targets: delta(old.Targets, new.Targets, (*Target).Equal, func(t *Target) string { return t.Name }),
		Apps:    delta(old.Apps, new.Apps, (*App).Equal, func(a *App) string { return a.Name }),
	}
}

// delta compares two lists of objects of one kind.
func delta[T any](old, new []*T, equal func(*T, *T) bool, name func(*T) string) Delta {
	before := map[string]*T{}
	for _, o := range old {
		before[name(o)] = o
	}
	after := map[string]*T{}
	for _, n := range new {
		after[name(n)] = n
	}
	var d Delta
	for _, k := range sortedKeys(after) {
		switch o := before[k]; {
		case o == nil:
			d.Added = append(d.Added, k)
		case !equal(o, after[k]):
			d.Changed = append(d.Changed, k)
		}
	}
	for _, k := range sortedKeys(before) {
		if after[k] == nil {
			d.Removed = append(d.Removed, k)
		}
	}
	return d
}
