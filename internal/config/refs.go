package config

import (
	"fmt"
	"slices"
	"strings"
)

// crossCheck validates what spans documents: unique names, references and
// dependency cycles.
func (p *parser) crossCheck() {
	byKind := p.index()
	for _, d := range p.docs {
		if a, ok := d.obj.(*App); ok {
			checkRefs(d, a, byKind)
		}
		switch o := d.obj.(type) {
		case *Receiver:
			checkReceiverRefs(d, o, byKind)
		case *ImageUpdate:
			checkImageUpdateRefs(d, o, byKind)
		case *AppSet:
			checkAppSetRefs(d, o, byKind)
		}
	}
	checkCycles(byKind["App"])
}

// index maps kind and name to the first document defining it, reporting
// later duplicates.
func (p *parser) index() map[string]map[string]*document {
	byKind := map[string]map[string]*document{}
	for _, k := range Kinds() {
		byKind[k] = map[string]*document{}
	}
	for _, d := range p.docs {
		if d.name == "" {
			continue
		}
		if first := byKind[d.kind][d.name]; first != nil {
			d.errorf("metadata.name", "duplicate name: %s is also defined at %s", d.object(), first.at("metadata.name"))
			continue
		}
		byKind[d.kind][d.name] = d
	}
	return byKind
}

// checkRefs reports an App's references to missing objects.
func checkRefs(d *document, a *App, byKind map[string]map[string]*document) {
	checkRef1(d, "spec.source", "Source", a.Source, byKind["Source"])
	if t := checkRef1(d, "spec.target", "Target", a.Target, byKind["Target"]); t != nil {
		if a.Namespace != "" {
			checkNamespace(d, a, t.obj.(*Target))
		}
		checkRenderTarget(d, a, t.obj.(*Target))
	}
	seen := map[string]bool{}
	for i, dep := range a.DependsOn {
		field := fmt.Sprintf("spec.dependsOn[%d]", i)
		if dep == "" {
			continue
		}
		if seen[dep] {
			d.errorf(field, "App %q is listed twice", dep)
			continue
		}
		seen[dep] = true
		checkRef1(d, field, "App", dep, byKind["App"])
	}
}

// checkNamespace checks an App's namespace against its target.
func checkNamespace(d *document, a *App, t *Target) {
	switch {
	case t.Kind != "" && t.Kind != "kubernetes":
		d.errorf("spec.namespace", "only used with kubernetes targets (Target %q is %s)", t.Name, t.Kind)
	case t.Kubernetes != nil && len(t.Kubernetes.Namespaces) > 0 && !slices.Contains(t.Kubernetes.Namespaces, a.Namespace):
		d.errorf("spec.namespace", "Target %q allows only namespaces %s", t.Name, strings.Join(t.Kubernetes.Namespaces, ", "))
	}
}

// checkRenderTarget reports manifest rendering settings on an App whose
// target takes files as they are in Git (they would be silently ignored).
func checkRenderTarget(d *document, a *App, t *Target) {
	if t.Kind == "" || t.Kind == "kubernetes" {
		return
	}
	for field, set := range map[string]bool{"spec.helm": a.Helm != nil, "spec.decryption": a.Decryption != nil, "spec.substitute": a.Substitute != nil} {
		if set {
			d.errorf(field, "only used with kubernetes targets (Target %q is %s, which takes files as they are in Git)", t.Name, t.Kind)
		}
	}
}

// checkRef1 reports a reference to a missing object and returns the
// object's document when it exists.
func checkRef1(d *document, field, kind, name string, known map[string]*document) *document {
	if name == "" {
		return nil
	}
	if ref := known[name]; ref != nil {
		return ref
	}
	names := sortedKeys(known)
	hint := suggest(name, names)
	if len(names) == 0 {
		hint = fmt.Sprintf(" (no %s is defined)", kind)
	}
	d.errorf(field, "%s %q not found%s", kind, name, hint)
	return nil
}

// checkCycles reports every dependency cycle among apps, at the dependsOn
// entry of the App that closes it.
func checkCycles(apps map[string]*document) {
	const (
		unseen = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = onStack
		stack = append(stack, name)
		d := apps[name]
		for i, dep := range d.obj.(*App).DependsOn {
			if apps[dep] == nil || slices.Index(d.obj.(*App).DependsOn, dep) != i {
				continue
			}
			switch state[dep] {
			case unseen:
				visit(dep)
			case onStack:
				cycle := append(slices.Clone(stack[slices.Index(stack, dep):]), dep)
				d.errorf(fmt.Sprintf("spec.dependsOn[%d]", i), "dependency cycle: %s", strings.Join(cycle, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
	}
	for _, name := range sortedKeys(apps) {
		if state[name] == unseen {
			visit(name)
		}
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
