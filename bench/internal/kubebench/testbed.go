package kubebench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Testbed is a private testbed started for the benchmark.
type Testbed struct {
	Script, Run, Kubeconfig string
	RC                      *rest.Config
	Client                  kubernetes.Interface
	Dyn                     dynamic.Interface
}

// StartTestbed starts a private testbed with its state in run.
func StartTestbed(run string) (*Testbed, error) {
	script, err := filepath.Abs("hack/testbed/testbed")
	if err != nil {
		return nil, err
	}
	tb := &Testbed{Script: script, Run: run}
	if out, err := tb.cmd("up").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("testbed up: %v\n%s", err, out)
	}
	tb.Kubeconfig = filepath.Join(run, "kubeconfig")
	if tb.RC, err = clientcmd.BuildConfigFromFlags("", tb.Kubeconfig); err != nil {
		return nil, err
	}
	tb.RC.QPS, tb.RC.Burst = 500, 1000
	if tb.Client, err = kubernetes.NewForConfig(tb.RC); err != nil {
		return nil, err
	}
	tb.Dyn, err = dynamic.NewForConfig(tb.RC)
	return tb, err
}

func (tb *Testbed) cmd(verb string) *exec.Cmd {
	c := exec.Command(tb.Script, verb)
	c.Env = append(os.Environ(), "PLUMB_TESTBED_RUN="+tb.Run)
	return c
}

// Stop stops the testbed.
func (tb *Testbed) Stop() { _ = tb.cmd("down").Run() }

// Kubectl runs kubectl against the testbed and returns its wall time.
func (tb *Testbed) Kubectl(args ...string) (time.Duration, error) {
	c := exec.Command("kubectl", append([]string{"--kubeconfig", tb.Kubeconfig}, args...)...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	start := time.Now()
	err := c.Run()
	if err != nil {
		return 0, fmt.Errorf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return time.Since(start), nil
}

// BuildPlumb builds the plumb binary into work.
func BuildPlumb(work string) (string, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(work, "plumb")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/plumb").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build plumb: %v\n%s", err, out)
	}
	return bin, nil
}
