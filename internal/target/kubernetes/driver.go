// Package kubernetes is plumb's Kubernetes target driver. It applies an
// app's objects with server-side apply (field manager "plumb") in stages
// (CRDs and Namespaces first, then prerequisites, then the rest), plans by
// server-side dry-run with a reason and a redacted diff per object, keeps
// each app's inventory in the cluster (ConfigMap plumb-inventory-<app>),
// prunes only what both the inventory and the plumb.dev/app label claim,
// reports health (per app and per object) through kstatus, and watches
// owned objects through shared informers to report drift as it happens,
// naming who made it. The informers' caches also answer health and plan
// reads, so that polling many apps costs the API server nothing.
package kubernetes

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target"
)

func init() { target.Register("kubernetes", New) }

// Defaults for the optional KubernetesTarget fields.
const (
	DefaultInventoryNamespace = "plumb-system"
	DefaultConcurrency        = 64
	// clientQPS and clientBurst lift client-go's default rate limit (5/10),
	// which would make a 1000-object apply take minutes; the API server's
	// priority and fairness protects itself.
	clientQPS   = 2000
	clientBurst = 4000
)

// Driver applies apps to one Kubernetes cluster. It is safe for concurrent
// use by many apps.
type Driver struct {
	name        string
	cfg         config.KubernetesTarget
	restConfig  *rest.Config
	dyn         dynamic.Interface
	meta        metadata.Interface
	mapper      *restmapper.DeferredDiscoveryRESTMapper
	invNS       string
	concurrency int
	allowed     map[string]bool
	hub         *hub

	mu          sync.Mutex
	impersonate map[string]dynamic.Interface
	metaAs      map[string]metadata.Interface
	types       map[schema.GroupVersionKind]typeInfo
	apps        map[string]*appState
}

var (
	_ target.Target         = (*Driver)(nil)
	_ target.HealthChecker  = (*Driver)(nil)
	_ target.Watcher        = (*Driver)(nil)
	_ target.Deleter        = (*Driver)(nil)
	_ target.ResourceLister = (*Driver)(nil)
)

// New builds a driver for t from its kubeconfig (or in-cluster config).
func New(ctx context.Context, t *config.Target, stateDir string) (target.Target, error) {
	if t.Kubernetes == nil {
		return nil, fmt.Errorf("kubernetes: missing kubernetes spec")
	}
	rc, err := restConfig(*t.Kubernetes)
	if err != nil {
		return nil, err
	}
	return NewForConfig(t.Name, rc, *t.Kubernetes)
}

// NewForConfig builds a driver named name from a ready REST config.
func NewForConfig(name string, rc *rest.Config, kt config.KubernetesTarget) (*Driver, error) {
	rc = rest.CopyConfig(rc)
	rc.QPS, rc.Burst = clientQPS, clientBurst
	if rc.UserAgent == "" {
		rc.UserAgent = "plumb"
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	mc, err := metadata.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes metadata client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes discovery: %w", err)
	}
	d := &Driver{
		name: name, cfg: kt, restConfig: rc, dyn: dyn, meta: mc,
		mapper:      restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
		invNS:       kt.InventoryNamespace,
		concurrency: kt.Concurrency,
		impersonate: map[string]dynamic.Interface{},
		metaAs:      map[string]metadata.Interface{},
		types:       map[schema.GroupVersionKind]typeInfo{},
		apps:        map[string]*appState{},
	}
	if d.invNS == "" {
		d.invNS = DefaultInventoryNamespace
	}
	if d.concurrency <= 0 {
		d.concurrency = DefaultConcurrency
	}
	if len(kt.Namespaces) > 0 {
		d.allowed = map[string]bool{}
		for _, ns := range kt.Namespaces {
			d.allowed[ns] = true
		}
	}
	d.hub = newHub(dyn, d.forgetGone)
	return d, nil
}

// restConfig loads the REST config a KubernetesTarget points at.
func restConfig(kt config.KubernetesTarget) (*rest.Config, error) {
	if kt.Kubeconfig == "" && kt.InCluster {
		rc, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("in-cluster config: %w", err)
		}
		return rc, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kt.Kubeconfig != "" {
		rules.ExplicitPath = kt.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: kt.Context}
	rc, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", kt.Kubeconfig, err)
	}
	return rc, nil
}

// clientFor returns the client that acts for app: impersonating the
// configured ServiceAccount, or plumb's own identity.
func (d *Driver) clientFor(app plumb.AppRef) (dynamic.Interface, error) {
	user := d.serviceAccountUser(app)
	if user == "" {
		return d.dyn, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.impersonate[user]; ok {
		return c, nil
	}
	rc := rest.CopyConfig(d.restConfig)
	rc.Impersonate = rest.ImpersonationConfig{UserName: user}
	c, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("impersonate %s: %w", user, err)
	}
	d.impersonate[user] = c
	return c, nil
}

// metadataFor returns the metadata-only client that acts for app.
func (d *Driver) metadataFor(app plumb.AppRef) (metadata.Interface, error) {
	user := d.serviceAccountUser(app)
	if user == "" {
		return d.meta, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.metaAs[user]; ok {
		return c, nil
	}
	rc := rest.CopyConfig(d.restConfig)
	rc.Impersonate = rest.ImpersonationConfig{UserName: user}
	c, err := metadata.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("impersonate %s: %w", user, err)
	}
	d.metaAs[user] = c
	return c, nil
}

// serviceAccountUser returns the user name to impersonate for app, or "".
func (d *Driver) serviceAccountUser(app plumb.AppRef) string {
	sa := d.cfg.ServiceAccount
	if sa == "" {
		return ""
	}
	ns, name, ok := strings.Cut(sa, "/")
	if !ok {
		ns, name = app.Namespace, sa
		if ns == "" {
			ns = "default"
		}
	}
	return "system:serviceaccount:" + ns + ":" + name
}

// allowedNamespaces lists the confinement, sorted, for error messages.
func (d *Driver) allowedNamespaces() []string {
	out := make([]string, 0, len(d.allowed))
	for ns := range d.allowed {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}
