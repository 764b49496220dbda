package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// testbed is a private testbed started for the benchmark.
type testbed struct {
	script, run, kubeconfig string
	rc                      *rest.Config
	client                  kubernetes.Interface
	dyn                     dynamic.Interface
}

func startTestbed(run string) (*testbed, error) {
	script, err := filepath.Abs("hack/testbed/testbed")
	if err != nil {
		return nil, err
	}
	tb := &testbed{script: script, run: run}
	if out, err := tb.cmd("up").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("testbed up: %v\n%s", err, out)
	}
	tb.kubeconfig = filepath.Join(run, "kubeconfig")
	if tb.rc, err = clientcmd.BuildConfigFromFlags("", tb.kubeconfig); err != nil {
		return nil, err
	}
	tb.rc.QPS, tb.rc.Burst = 500, 1000
	if tb.client, err = kubernetes.NewForConfig(tb.rc); err != nil {
		return nil, err
	}
	tb.dyn, err = dynamic.NewForConfig(tb.rc)
	return tb, err
}

func (tb *testbed) cmd(verb string) *exec.Cmd {
	c := exec.Command(tb.script, verb)
	c.Env = append(os.Environ(), "PLUMB_TESTBED_RUN="+tb.run)
	return c
}

func (tb *testbed) stop() { _ = tb.cmd("down").Run() }

func buildPlumb(work string) (string, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(work, "plumb")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/plumb").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build plumb: %v\n%s", err, out)
	}
	return bin, nil
}
