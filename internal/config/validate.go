package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkName validates an object name (a DNS-1123 label).
func checkName(d *document, field, name string) {
	if len(name) > 63 || !nameRE.MatchString(name) {
		d.errorf(field, "invalid name %q: use at most 63 lowercase letters, digits and '-', "+
			"starting and ending with a letter or digit", truncate(name))
	}
}

var subdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// checkServiceAccount validates "name" or "namespace/name".
func checkServiceAccount(d *document, field, sa string) {
	ns, name, qualified := strings.Cut(sa, "/")
	if !qualified {
		ns, name = "", sa
	}
	if (qualified && (len(ns) > 63 || !nameRE.MatchString(ns))) || len(name) > 253 || !subdomainRE.MatchString(name) {
		d.errorf(field, "invalid service account %q: want \"name\" or \"namespace/name\" in lowercase letters, digits, '-' and '.'", truncate(sa))
	}
}

// checkAbs validates an optional absolute file path.
func checkAbs(d *document, field, path string) {
	if path != "" && !filepath.IsAbs(path) {
		d.errorf(field, "must be an absolute path, got %q", truncate(path))
	}
}

// validateTarget checks a Target's driver and sets its Kind.
func validateTarget(d *document, t *Target) {
	var drivers []string
	for _, k := range []string{"files", "kubernetes"} {
		if d.has("spec." + k) {
			drivers = append(drivers, k)
		}
	}
	switch len(drivers) {
	case 0:
		d.errorf("spec", "a Target needs one driver: files or kubernetes")
		return
	case 1:
		t.Kind = drivers[0]
	default:
		d.errorf("spec."+drivers[1], "a Target has exactly one driver, got %s", andList(drivers))
		return
	}
	if t.Files != nil {
		validateFiles(d, t.Files)
	}
	if t.Kubernetes != nil {
		validateKubernetes(d, t.Kubernetes)
	}
}

// validateFiles checks a files driver spec.
func validateFiles(d *document, f *FilesTarget) {
	if d.require("spec.files.root", f.Root) {
		checkAbs(d, "spec.files.root", f.Root)
		if filepath.Clean(f.Root) == "/" {
			d.errorf("spec.files.root", "must not be the filesystem root")
		}
	}
	hooks := []struct {
		field string
		hook  *Hook
	}{{"afterApply", f.AfterApply}, {"healthCheck", f.HealthCheck}}
	for _, h := range hooks {
		if h.hook != nil {
			d.require("spec.files."+h.field+".command", h.hook.Command)
		}
	}
}

// validateKubernetes checks a kubernetes driver spec.
func validateKubernetes(d *document, k *KubernetesTarget) {
	for i, ns := range k.Namespaces {
		field := fmt.Sprintf("spec.kubernetes.namespaces[%d]", i)
		if d.require(field, ns) {
			checkName(d, field, ns)
		}
	}
	if k.InventoryNamespace != "" {
		checkName(d, "spec.kubernetes.inventoryNamespace", k.InventoryNamespace)
	}
	if k.ServiceAccount != "" {
		checkServiceAccount(d, "spec.kubernetes.serviceAccount", k.ServiceAccount)
	}
	if k.Concurrency < 0 || (k.Concurrency == 0 && d.has("spec.kubernetes.concurrency")) {
		d.errorf("spec.kubernetes.concurrency", "must be at least 1, got %d", k.Concurrency)
	}
	if !k.InCluster {
		return
	}
	if k.Kubeconfig != "" {
		d.errorf("spec.kubernetes.kubeconfig", "must not be set together with inCluster")
	}
	if k.Context != "" {
		d.errorf("spec.kubernetes.context", "must not be set together with inCluster")
	}
}

// validateApp checks an App's own fields; references are checked once
// every document is read.
func validateApp(d *document, a *App) {
	d.require("spec.source", a.Source)
	d.require("spec.target", a.Target)
	if d.require("spec.path", a.Path) {
		if msg := checkAppPath(a.Path); msg != "" {
			d.errorf("spec.path", "%s", msg)
		}
	}
	if a.Namespace != "" {
		checkName(d, "spec.namespace", a.Namespace)
	}
	for i, dep := range a.DependsOn {
		d.require(fmt.Sprintf("spec.dependsOn[%d]", i), dep)
	}
	validateAppRender(d, a)
}

// checkAppPath returns what is wrong with an app path, or "".
func checkAppPath(p string) string {
	if strings.HasPrefix(p, "/") || filepath.IsAbs(p) {
		return fmt.Sprintf("must be relative to the source's root, got absolute path %q", truncate(p))
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return fmt.Sprintf("must stay inside the source: %q contains \"..\"", truncate(p))
		}
	}
	return ""
}
