// Package k8stest gives tests a real Kubernetes control plane: the testbed
// that hack/testbed/testbed builds and starts (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok with one fake node, so
// Pods become Ready and Deployments Available without containers).
//
// A package that needs it runs its tests through Main:
//
//	func TestMain(m *testing.M) { k8stest.Main(m) }
//
//	func TestApply(t *testing.T) {
//		env := k8stest.Get(t)
//		ns := env.NewNamespace(t)
//		...
//	}
//
// Main reuses a testbed that is already there (PLUMB_TESTBED_KUBECONFIG, or
// the default one `hack/testbed/testbed up` started), else starts a private
// one for the package in a temporary directory and stops it when the tests
// end. When the testbed binaries are missing, tests that call Get are
// skipped with a message saying to run `hack/testbed/testbed build`; with
// CI=true the test binary fails instead.
package k8stest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Env is a running testbed and clients for it.
type Env struct {
	// Kubeconfig is the path of an admin kubeconfig for the testbed.
	Kubeconfig string
	// Config is the client configuration read from Kubeconfig, with high
	// client-side rate limits.
	Config *rest.Config
	// Client is a typed clientset.
	Client kubernetes.Interface
	// Dynamic is a dynamic client.
	Dynamic dynamic.Interface
	// RunDir is the state directory of a testbed this package started,
	// "" when it reuses one.
	RunDir string
}

// EnvKubeconfig names the environment variable that points tests at an
// existing cluster instead of starting one.
const EnvKubeconfig = "PLUMB_TESTBED_KUBECONFIG"

var (
	current    *Env
	skipReason string
)

// Main starts or reuses a testbed, runs the package's tests, stops the
// testbed if it started it, and exits with the tests' code. Call it from
// TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env, stop, err := setup()
	if err != nil {
		if _, missing := err.(*MissingError); missing && os.Getenv("CI") != "true" {
			skipReason = err.Error()
			return m.Run()
		}
		fmt.Fprintln(os.Stderr, "k8stest:", err)
		return 1
	}
	defer stop()
	current = env
	return m.Run()
}

// Get returns the package's testbed. It skips the test when the testbed
// binaries are missing, and fails it when TestMain does not call Main.
func Get(tb testing.TB) *Env {
	tb.Helper()
	if skipReason != "" {
		tb.Skip(skipReason)
	}
	if current == nil {
		tb.Fatal("k8stest: no testbed: the package's TestMain must call k8stest.Main(m)")
	}
	return current
}

// MissingError reports testbed binaries that have not been built.
type MissingError struct{ Path string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("Kubernetes testbed binaries missing (%s): run hack/testbed/testbed build", e.Path)
}

// NewEnv builds clients for the cluster a kubeconfig points at.
func NewEnv(kubeconfig string) (*Env, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 500, 1000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Env{Kubeconfig: kubeconfig, Config: cfg, Client: client, Dynamic: dyn}, nil
}

// repoRoot finds the plumb checkout from the working directory (a test's
// package directory) by looking for hack/testbed/testbed.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "testbed", "testbed")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("hack/testbed/testbed not found above the working directory")
		}
		dir = parent
	}
}
