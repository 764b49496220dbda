package config

import (
	"slices"
	"testing"
)

// apps builds a config from "name:dep,dep" specs.
func apps(specs ...[]string) *Config {
	cfg := &Config{}
	for _, s := range specs {
		cfg.Apps = append(cfg.Apps, &App{Name: s[0], DependsOn: s[1:]})
	}
	return cfg
}

func names(list []*App) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Name)
	}
	return out
}

func TestDependencyOrder(t *testing.T) {
	tests := []struct {
		name string
		cfg  *Config
		want []string
	}{
		{"empty", &Config{}, nil},
		{"independent apps by name", apps([]string{"c"}, []string{"a"}, []string{"b"}), []string{"a", "b", "c"}},
		{"chain", apps([]string{"a", "b"}, []string{"b", "c"}, []string{"c"}), []string{"c", "b", "a"}},
		{"diamond, ties by name", apps(
			[]string{"top", "left", "right"}, []string{"right", "base"}, []string{"left", "base"},
			[]string{"base"}, []string{"aaa"}),
			[]string{"aaa", "base", "left", "right", "top"}},
		{"ready app sorts before later names", apps([]string{"z"}, []string{"b", "z"}, []string{"a", "z"}),
			[]string{"z", "a", "b"}},
		{"repeated and missing dependencies", apps([]string{"a", "b", "b", "gone"}, []string{"b"}),
			[]string{"b", "a"}},
		{"cycle left out", apps([]string{"a", "b"}, []string{"b", "a"}, []string{"c"}), []string{"c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(tc.cfg.DependencyOrder()); !slices.Equal(got, tc.want) {
				t.Errorf("DependencyOrder = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDependents(t *testing.T) {
	cfg := apps([]string{"top", "left", "right"}, []string{"right", "base"}, []string{"left", "base"},
		[]string{"base"}, []string{"other"})
	tests := map[string][]string{
		"base":  {"left", "right", "top"},
		"left":  {"top"},
		"top":   {},
		"other": {},
	}
	for name, want := range tests {
		if got := cfg.Dependents(name); !slices.Equal(got, want) {
			t.Errorf("Dependents(%s) = %v, want %v", name, got, want)
		}
	}
}
