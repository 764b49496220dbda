package kustomize

import (
	"sync"

	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// schemaMu guards kustomize's one piece of global mutable state, the
// OpenAPI schema in sigs.k8s.io/kustomize/kyaml/openapi.
//
// Every build calls openapi.SetSchema. Without an openapi: field in the
// kustomization that only stores an empty version under kyaml's own lock,
// so such builds run concurrently (read lock). A kustomization with openapi:
// replaces the global schema: concurrent builds would read it unlocked while
// it is re-parsed (a data race) and, worse, kustomize never resets it, so it
// would leak into every later build. Those builds take the write lock and
// reset the schema afterwards.
//
// A second race hides in the first use: IsNamespaceScoped reads the schema's
// scope map unlocked while the first SchemaForResourceType may be filling it.
// warm parses the built-in schema once, before any build reads it.
var (
	schemaMu sync.RWMutex
	warmOnce sync.Once
)

func warm() {
	openapi.SchemaForResourceType(kyaml.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"})
}

// schemaLock locks the schema for one build and returns the unlock function.
func schemaLock(custom bool) func() {
	warmOnce.Do(warm)
	if !custom {
		schemaMu.RLock()
		return schemaMu.RUnlock
	}
	schemaMu.Lock()
	return func() {
		openapi.ResetOpenAPI()
		warm()
		schemaMu.Unlock()
	}
}
