package image

import (
	"strings"
	"testing"

	"plumb.dev/plumb/internal/config"
)

func TestSelect(t *testing.T) {
	semverP := func(r string) config.TagPolicy { return config.TagPolicy{Semver: &config.SemverPolicy{Range: r}} }
	num := func(o string) config.TagPolicy { return config.TagPolicy{Numerical: &config.OrderPolicy{Order: o}} }
	alpha := func(o string) config.TagPolicy { return config.TagPolicy{Alphabetical: &config.OrderPolicy{Order: o}} }
	tags := []string{"latest", "1.0.0", "v1.2.0", "1.10.0", "2.0.0", "1.11.0-rc.1", "main-abc-100", "main-def-20", "main-0a1-3"}
	tests := []struct {
		name   string
		policy config.TagPolicy
		filter *config.TagFilter
		tags   []string
		want   string
		err    string
	}{
		{name: "semver range", policy: semverP(">=1.0.0 <2.0.0"), tags: tags, want: "1.10.0"},
		{name: "semver with v prefix", policy: semverP("~1.2"), tags: tags, want: "v1.2.0"},
		{name: "semver any", policy: semverP("*"), tags: tags, want: "2.0.0"},
		{name: "semver prerelease when asked", policy: semverP(">=1.11.0-0"), tags: tags, want: "2.0.0"},
		{name: "semver none", policy: semverP(">=3"), tags: tags, err: "none of the 9 tag(s) of app matches the policy"},
		{name: "numerical extract asc", policy: num("asc"), filter: &config.TagFilter{Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, Extract: "$ts"}, tags: tags, want: "main-abc-100"},
		{name: "numerical extract desc", policy: num("desc"), filter: &config.TagFilter{Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, Extract: "$ts"}, tags: tags, want: "main-0a1-3"},
		{name: "numerical skips non-numbers", policy: num(""), tags: []string{"3", "x", "20", "4.5"}, want: "20"},
		{name: "alphabetical asc", policy: alpha("asc"), filter: &config.TagFilter{Pattern: `^main-`}, tags: tags, want: "main-def-20"},
		{name: "alphabetical desc", policy: alpha("desc"), tags: tags, want: "1.0.0"},
		{name: "ties broken by tag", policy: semverP("1.0.0"), tags: []string{"v1.0.0", "1.0.0", "1.0"}, want: "v1.0.0"},
		{name: "filter drops all", policy: alpha(""), filter: &config.TagFilter{Pattern: `^release-`}, tags: tags, err: "matches the policy"},
		{name: "no tags", policy: num(""), err: "none of the 0 tag(s)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &config.ImagePolicy{Name: "app", Image: "app", Policy: tc.policy, FilterTags: tc.filter}
			got, err := Select(p, tc.tags)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Select = %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Select = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	changes := []Change{
		{File: "b.yaml", Policy: "web", Image: "r/web", OldRef: "r/web:1.0.0", NewRef: "r/web:1.2.0"},
		{File: "a.yaml", Policy: "web", Image: "r/web", OldRef: "r/web:1.0.0", NewRef: "r/web:1.2.0"},
		{File: "a.yaml", Policy: "api", Image: "r/api", OldRef: "r/api:7", NewRef: "r/api:9"},
	}
	u := &config.ImageUpdate{Name: "staging"}
	got, err := Message(u, changes)
	if err != nil {
		t.Fatal(err)
	}
	want := "Update images (staging)\n\n- r/api:7 → r/api:9\n- r/web:1.0.0 → r/web:1.2.0\n"
	if got != want {
		t.Errorf("default message:\n%s\nwant:\n%s", got, want)
	}
	u.Commit.Message = "{{range .Images}}{{.Policy}} {{.OldTag}}->{{.NewTag}};{{end}} files: {{range .Files}}{{.}} {{end}}"
	if got, _ = Message(u, changes); got != "api 7->9;web 1.0.0->1.2.0; files: a.yaml b.yaml " {
		t.Errorf("custom message %q", got)
	}
	u.Commit.Message = "{{.Nope}}"
	if _, err := Message(u, changes); err == nil || !strings.Contains(err.Error(), "ImageUpdate staging: message:") {
		t.Errorf("bad template: %v", err)
	}
}
