//go:build tools

// Package testbed pins the Kubernetes control-plane, etcd and kwok main packages that
// hack/testbed/testbed builds. It is never compiled; the import list exists so that
// go.mod records every module those binaries need.
package testbed

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
