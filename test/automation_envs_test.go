package e2e

import (
	"fmt"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// envsConfig has staging following main and production following
// release tags >=1.0.0 <2.0.0, each into its own directory of the live
// target.
const envsConfig = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: main}
spec: {git: {url: "{{URL}}", branch: main, interval: 1s}}
---
apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: releases}
spec: {git: {url: "{{URL}}", semver: ">=1.0.0 <2.0.0", interval: 1s}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: staging}
spec: {files: {root: "{{LIVE}}/staging"}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: production}
spec: {files: {root: "{{LIVE}}/production"}}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web-staging}
spec: {source: main, path: web, target: staging, prune: true}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web-production}
spec: {source: releases, path: web, target: production, prune: true}
`

// TestEnvironments: staging follows main; production deploys each new
// release tag in its range, and nothing else.
func TestEnvironments(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/version.txt", "1.0.0\n")
	v1 := e.push("release 1.0.0")
	e.repo.Tag("v1.0.0")
	e.repo.Push()
	e.writeConfig("plumb.yaml", envsConfig)
	d := e.serve()
	e.fileIs("staging/version.txt", "1.0.0\n")
	e.fileIs("production/version.txt", "1.0.0\n")

	// Work on main reaches staging only.
	e.repo.WriteFile("web/version.txt", "1.1.0-dev\n")
	e.push("start 1.1")
	e.fileIs("staging/version.txt", "1.1.0-dev\n")
	eventually(t, "staging synced", func() (bool, string) {
		a := d.app("web-staging")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Revision == e.repo.Head(), a.Status.Revision
	})
	if got := e.read("production/version.txt"); got != "1.0.0\n" {
		t.Fatalf("production moved with main: %q", got)
	}
	if a := d.app("web-production"); a.Status.Revision != v1 {
		t.Fatalf("production at %s, want the v1.0.0 commit %s", a.Status.Revision, v1)
	}

	// A release tag in range deploys to production.
	e.repo.WriteFile("web/version.txt", "1.1.0\n")
	v11 := e.push("release 1.1.0")
	e.repo.Tag("v1.1.0")
	e.repo.Push()
	e.fileIs("production/version.txt", "1.1.0\n")
	eventually(t, "production synced at v1.1.0", func() (bool, string) {
		a := d.app("web-production")
		return a.Status.Revision == v11, a.Status.Revision
	})

	// A tag out of range does not.
	e.repo.WriteFile("web/version.txt", "2.0.0\n")
	e.push("release 2.0.0")
	e.repo.Tag("v2.0.0")
	e.repo.Push()
	e.fileIs("staging/version.txt", "2.0.0\n")
	if got := e.read("production/version.txt"); got != "1.1.0\n" {
		t.Fatalf("production took a tag out of its range: %q", got)
	}
	h := d.history("web-production")
	var revs []string
	for _, r := range syncsOf(h, store.ResultSucceeded) {
		revs = append(revs, plumb.Short(r.Revision))
	}
	if fmt.Sprint(revs) != fmt.Sprint([]string{plumb.Short(v11), plumb.Short(v1)}) {
		t.Errorf("production deployed %s, want v1.1.0 then v1.0.0 (newest first)", strings.Join(revs, ", "))
	}
}
