package config

import (
	"reflect"
	"testing"
	"time"
)

func testConfig() *Config {
	return &Config{
		Sources: []*Source{{Name: "s", Pos: Pos{"a.yaml", 1}, Git: &GitSource{
			URL: "https://example.com/r.git", Branch: "main", Auth: &GitAuth{PasswordFile: "/p"}}}},
		Targets: []*Target{{Name: "t", Kind: "files", Pos: Pos{"a.yaml", 5},
			Files: &FilesTarget{Root: "/srv", AfterApply: &Hook{Command: "true"}}}},
		Apps: []*App{
			{Name: "a", Source: "s", Target: "t", Path: "a", Pos: Pos{"a.yaml", 9}, DependsOn: []string{"b"}},
			{Name: "b", Source: "s", Target: "t", Path: "b", Pos: Pos{"a.yaml", 13}},
		},
	}
}

func TestEqualIgnoresPos(t *testing.T) {
	a, b := testConfig(), testConfig()
	b.Sources[0].Pos = Pos{"moved.yaml", 40}
	b.Targets[0].Pos = Pos{"moved.yaml", 44}
	b.Apps[0].Pos = Pos{"moved.yaml", 48}
	if !a.Sources[0].Equal(b.Sources[0]) || !a.Targets[0].Equal(b.Targets[0]) || !a.Apps[0].Equal(b.Apps[0]) {
		t.Error("objects that only moved are not Equal")
	}
	if a.Apps[0].Hash() != b.Apps[0].Hash() || a.Sources[0].Hash() != b.Sources[0].Hash() ||
		a.Targets[0].Hash() != b.Targets[0].Hash() {
		t.Error("objects that only moved hash differently")
	}
	if a.Apps[0].Pos != (Pos{"a.yaml", 9}) {
		t.Error("Equal changed its receiver")
	}
}

func TestEqualSeesChanges(t *testing.T) {
	changes := []struct {
		name   string
		change func(*Config)
		equal  func(a, b *Config) bool
	}{
		{"auth file", func(c *Config) { c.Sources[0].Git.Auth.PasswordFile = "/q" },
			func(a, b *Config) bool { return a.Sources[0].Equal(b.Sources[0]) }},
		{"hook timeout", func(c *Config) { c.Targets[0].Files.AfterApply.Timeout.Duration = time.Second },
			func(a, b *Config) bool { return a.Targets[0].Equal(b.Targets[0]) }},
		{"dependsOn", func(c *Config) { c.Apps[0].DependsOn = nil },
			func(a, b *Config) bool { return a.Apps[0].Equal(b.Apps[0]) }},
		{"prune", func(c *Config) { c.Apps[1].Prune = true },
			func(a, b *Config) bool { return a.Apps[1].Equal(b.Apps[1]) }},
	}
	for _, tc := range changes {
		a, b := testConfig(), testConfig()
		tc.change(b)
		if tc.equal(a, b) {
			t.Errorf("%s: changed object is Equal", tc.name)
		}
	}
	var nilApp *App
	if nilApp.Equal(testConfig().Apps[0]) || !nilApp.Equal(nil) {
		t.Error("nil App compares wrong")
	}
}

func TestHashSeesChanges(t *testing.T) {
	a, b := testConfig(), testConfig()
	b.Apps[0].Interval.Duration = time.Minute
	if a.Apps[0].Hash() == b.Apps[0].Hash() {
		t.Error("changed App has the same hash")
	}
	if len(a.Apps[0].Hash()) != 64 {
		t.Errorf("Hash = %q, want 64 hex digits", a.Apps[0].Hash())
	}
}

func TestDiff(t *testing.T) {
	old, new := testConfig(), testConfig()
	new.Apps[0].Prune = true
	new.Apps = append(new.Apps, &App{Name: "c", Source: "s", Target: "t", Path: "c"})
	new.Targets = nil
	new.Sources[0].Pos = Pos{"b.yaml", 1}
	got := Diff(old, new)
	want := Changes{
		Apps:    Delta{Added: []string{"c"}, Changed: []string{"a"}},
		Targets: Delta{Removed: []string{"t"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %+v, want %+v", got, want)
	}
	if got.Empty() || !Diff(old, testConfig()).Empty() {
		t.Error("Empty is wrong")
	}
	if d := Diff(nil, old); !reflect.DeepEqual(d.Apps.Added, []string{"a", "b"}) {
		t.Errorf("Diff(nil, cfg).Apps = %+v", d.Apps)
	}
}
