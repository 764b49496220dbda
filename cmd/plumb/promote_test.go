package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"

	"plumb.dev/plumb/internal/automation/promote"
	"plumb.dev/plumb/internal/automation/writeback"
)

// TestPromoteText renders each kind of promotion result.
func TestPromoteText(t *testing.T) {
	sha := "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"
	images := []promote.Change{{File: "envs/prod/deploy.yaml", Marker: "web", Old: "r/web:1.0.0", New: "r/web:1.2.0"}}
	tree := []promote.Change{{File: "envs/prod/a.yaml", Action: "changed"}, {File: "envs/prod/b.yaml", Action: "added"}}
	results := []promote.Result{
		{From: "staging", To: "prod", FromRevision: sha, Mode: "images", Changes: images, Commit: writeback.Result{Revision: sha, Branch: "main"}},
		{From: "staging", To: "prod", FromRevision: sha, Mode: "tree", Changes: tree, Commit: writeback.Result{Revision: sha, Branch: "promote/web", DryRun: true}},
		{From: "staging", To: "prod", FromRevision: sha, Mode: "images", Commit: writeback.Result{Revision: sha, Branch: "promote/web", UpToDate: true}},
		{From: "staging", To: "prod", FromRevision: sha, Mode: "images"},
	}
	var b strings.Builder
	for _, r := range results {
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		promoteText(tw, r)
		_ = tw.Flush()
		b.WriteString("--\n")
	}
	path := filepath.Join("testdata", "promote.golden")
	if *doraUpdate {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
