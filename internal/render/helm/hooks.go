package helm

import (
	"fmt"
	"slices"

	release "helm.sh/helm/v4/pkg/release/v1"

	renderyaml "plumb.dev/plumb/internal/render/yaml"
)

// Annotations plumb sets on hook objects.
const (
	// PhaseAnnotation puts an object in the phase before ("pre") or after
	// ("post") the main apply; the Kubernetes driver orders phases.
	PhaseAnnotation = "plumb.dev/phase"
	// ForceAnnotation makes the driver delete and recreate the object when
	// an immutable field changes: a hook Job whose spec changed runs again,
	// which is Helm's before-hook-creation policy.
	ForceAnnotation = "plumb.dev/force"
)

// The phases.
const (
	PhasePre  = "pre"
	PhasePost = "post"
)

// hookPhases maps hook events to phases; events not listed have no place
// in a GitOps sync (test, delete, rollback).
var hookPhases = map[release.HookEvent]string{
	release.HookPreInstall:   PhasePre,
	release.HookPreUpgrade:   PhasePre,
	release.HookPostInstall:  PhasePost,
	release.HookPostUpgrade:  PhasePost,
	release.HookPreRollback:  "",
	release.HookPostRollback: "",
	release.HookPreDelete:    "",
	release.HookPostDelete:   "",
	release.HookTest:         "",
}

// addHooks adds hook objects annotated with their phase; hooks that fire
// only on unsupported events are listed in res.Skipped.
func addHooks(res *Result, hooks []*release.Hook) error {
	for _, h := range hooks {
		phase := hookPhase(h.Events)
		if phase == "" {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s %s (helm.sh/hook: %s): plumb runs pre/post-install and -upgrade hooks only", h.Kind, h.Name, events(h.Events)))
			continue
		}
		objs, err := renderyaml.Decode(h.Path, []byte(h.Manifest))
		if err != nil {
			return err
		}
		for _, o := range objs {
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[PhaseAnnotation] = phase
			if recreate(h.DeletePolicies) {
				ann[ForceAnnotation] = "true"
			}
			o.SetAnnotations(ann)
		}
		res.Objects = append(res.Objects, objs...)
	}
	return nil
}

// hookPhase is the phase of a hook: pre wins when a hook fires both before
// and after (Helm runs it twice; plumb once, before).
func hookPhase(evs []release.HookEvent) string {
	phase := ""
	for _, e := range evs {
		switch hookPhases[e] {
		case PhasePre:
			return PhasePre
		case PhasePost:
			phase = PhasePost
		}
	}
	return phase
}

// recreate reports whether a hook is replaced rather than patched when it
// changes: Helm's default policy, before-hook-creation, does that.
func recreate(policies []release.HookDeletePolicy) bool {
	return len(policies) == 0 || slices.Contains(policies, release.HookBeforeHookCreation)
}

func events(evs []release.HookEvent) string {
	s := ""
	for i, e := range evs {
		if i > 0 {
			s += ","
		}
		s += string(e)
	}
	return s
}
