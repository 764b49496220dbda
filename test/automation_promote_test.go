package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/promote"
)

const promoteConfig = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}", branch: main, interval: 1s}}
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
spec: {source: site, path: envs/staging, target: staging}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web-production}
spec: {source: site, path: envs/production, target: production}
`

func promoteManifest(comment, tag string) string {
	return "# " + comment + "\nimage: registry.example/web:" + tag + "   # {\"$imagepolicy\": \"web\"}\nreplicas: 2\n"
}

// TestPromote: plumb promote writes staging's image to production's path
// as a commit, which production then deploys, and production's history
// names the promotion; --branch leaves main alone.
func TestPromote(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("envs/staging/app.yaml", promoteManifest("staging", "1.4.0"))
	e.repo.WriteFile("envs/production/app.yaml", promoteManifest("production, promoted only", "1.2.0"))
	staged := e.push("staging runs 1.4.0")
	e.writeConfig("plumb.yaml", promoteConfig)
	d := e.serve()
	e.fileIs("production/app.yaml", promoteManifest("production, promoted only", "1.2.0"))
	eventually(t, "staging synced", func() (bool, string) {
		return d.app("web-staging").Status.Revision == staged, d.app("web-staging").Status.Revision
	})

	// To a branch for a pull request: main does not move.
	var res promote.Result
	d.jsonOf(&res, "promote", "web-staging", "--to", "web-production", "--branch", "promote/web", "-o", "json")
	if res.Commit.Branch != "promote/web" || res.Commit.Revision == "" || e.served("main", "envs/production/app.yaml") != strings.TrimSuffix(promoteManifest("production, promoted only", "1.2.0"), "\n") {
		t.Fatalf("promotion to a branch: %+v", res)
	}
	if got := e.served("promote/web", "envs/production/app.yaml"); got+"\n" != promoteManifest("production, promoted only", "1.4.0") {
		t.Fatalf("promote/web holds:\n%s", got)
	}

	// To production's own branch: a commit that production deploys.
	out := d.mustPlumb("promote", "web-staging", "--to", "web-production")
	if !strings.Contains(out, "pushed") || !strings.Contains(out, "registry.example/web:1.2.0  →  registry.example/web:1.4.0") {
		t.Fatalf("plumb promote said:\n%s", out)
	}
	e.fileIs("production/app.yaml", promoteManifest("production, promoted only", "1.4.0"))
	log := e.servedLog("main")
	for _, want := range []string{"|local|Promote web-staging to web-production: registry.example/web:1.4.0",
		"Plumb-Promote-From: web-staging@" + staged, "Plumb-Promote-To: web-production", "Plumb-Promoted-By: local"} {
		if !strings.Contains(log, want) {
			t.Errorf("promotion commit lacks %q:\n%s", want, log)
		}
	}
	promoted, _, _ := strings.Cut(log, "|")
	eventually(t, "production's history names the promotion", func() (bool, string) {
		for _, r := range d.history("web-production") {
			if r.Revision == promoted && strings.Contains(r.Commit.Message, "Plumb-Promote-From: web-staging@"+staged) {
				return true, ""
			}
		}
		b, _ := json.Marshal(d.history("web-production"))
		return false, string(b)
	})

	// Nothing left to promote: no commit; an unknown app: an error.
	if out := d.mustPlumb("promote", "web-staging", "--to", "web-production"); !strings.Contains(out, "nothing to promote") {
		t.Errorf("second promotion said:\n%s", out)
	}
	if out, code := d.plumb("promote", "web-staging", "--to", "nope"); code == 0 || !strings.Contains(out, `app "nope"`) {
		t.Errorf("promotion to a missing app: exit %d\n%s", code, out)
	}
}
