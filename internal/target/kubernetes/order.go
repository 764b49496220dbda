package kubernetes

import (
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Stage is one step of a staged apply. Objects of a stage are applied
// concurrently; stages run in order and are deleted in reverse order.
type Stage int

// The apply stages.
const (
	// StageDefinitions holds CRDs and Namespaces; plumb waits for CRDs to
	// be Established before the next stage.
	StageDefinitions Stage = iota
	// StagePrerequisites holds cluster-wide and per-namespace policy and
	// identity: RBAC, classes, quotas, service accounts.
	StagePrerequisites
	// StagePreHooks holds objects annotated plumb.dev/phase: pre (Helm
	// pre-install and pre-upgrade hooks); plumb waits for them to be
	// healthy (a Job to complete) before the next stage.
	StagePreHooks
	// StageResources holds everything not named in KindStages.
	StageResources
	// StageWebhooks holds admission webhooks, applied last so that they
	// never block the objects their own backends need.
	StageWebhooks
	// StagePostHooks holds objects annotated plumb.dev/phase: post (Helm
	// post-install and post-upgrade hooks), applied after everything else.
	StagePostHooks
	// stageCount is the number of stages.
	stageCount
)

// AnnotationPhase puts an object in the phase before ("pre") or after
// ("post") the main apply, whatever its kind.
const AnnotationPhase = "plumb.dev/phase"

// phaseStages maps phase annotation values to stages.
var phaseStages = map[string]Stage{"pre": StagePreHooks, "post": StagePostHooks}

// StageOfObject returns the stage u is applied in: its phase when it is
// annotated with one, otherwise its kind's stage.
func StageOfObject(u *unstructured.Unstructured) Stage {
	if s, ok := phaseStages[u.GetAnnotations()[AnnotationPhase]]; ok {
		return s
	}
	return StageOf(u.GetKind())
}

// KindStages is the kind-order table: the stage each kind is applied in.
// Kinds not listed are applied in StageResources.
var KindStages = map[string]Stage{
	"CustomResourceDefinition":       StageDefinitions,
	"Namespace":                      StageDefinitions,
	"ClusterRole":                    StagePrerequisites,
	"ClusterRoleBinding":             StagePrerequisites,
	"PriorityClass":                  StagePrerequisites,
	"RuntimeClass":                   StagePrerequisites,
	"StorageClass":                   StagePrerequisites,
	"VolumeSnapshotClass":            StagePrerequisites,
	"IngressClass":                   StagePrerequisites,
	"GatewayClass":                   StagePrerequisites,
	"PodSecurityPolicy":              StagePrerequisites,
	"ResourceQuota":                  StagePrerequisites,
	"LimitRange":                     StagePrerequisites,
	"ServiceAccount":                 StagePrerequisites,
	"Role":                           StagePrerequisites,
	"RoleBinding":                    StagePrerequisites,
	"MutatingWebhookConfiguration":   StageWebhooks,
	"ValidatingWebhookConfiguration": StageWebhooks,
}

// StageOf returns the stage kind is applied in.
func StageOf(kind string) Stage {
	if s, ok := KindStages[kind]; ok {
		return s
	}
	return StageResources
}

// stages splits objs by stage, in apply order, dropping empty stages. The
// order inside a stage is stable by key so that plans read the same way
// every time.
func stages(objs []*unstructured.Unstructured) [][]*unstructured.Unstructured {
	var by [stageCount][]*unstructured.Unstructured
	for _, o := range objs {
		s := StageOfObject(o)
		by[s] = append(by[s], o)
	}
	var out [][]*unstructured.Unstructured
	for _, s := range by {
		if len(s) == 0 {
			continue
		}
		sortObjects(s)
		out = append(out, s)
	}
	return out
}

// sortObjects orders objs by stage, then kind, namespace and name.
func sortObjects(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool { return keyLess(KeyOf(objs[i]), KeyOf(objs[j])) })
}

// keyLess orders keys by stage, kind, namespace, name.
func keyLess(a, b ObjKey) bool {
	if sa, sb := StageOf(a.Kind), StageOf(b.Kind); sa != sb {
		return sa < sb
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Group != b.Group {
		return a.Group < b.Group
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

// sortBy orders items in apply order of the key each one has.
func sortBy[T any](items []T, key func(T) ObjKey) {
	sort.SliceStable(items, func(i, j int) bool { return keyLess(key(items[i]), key(items[j])) })
}
