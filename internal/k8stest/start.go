package k8stest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// binaries are what `testbed build` leaves in hack/testbed/.bin.
var binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "tbutil", "stages.yaml"}

// setup returns the testbed to use and the function that releases it.
func setup() (*Env, func(), error) {
	if kc := os.Getenv(EnvKubeconfig); kc != "" {
		env, err := NewEnv(kc)
		return env, func() {}, err
	}
	root, err := repoRoot()
	if err != nil {
		return nil, nil, err
	}
	script := filepath.Join(root, "hack", "testbed", "testbed")
	if kc, ok := running(script); ok {
		env, err := NewEnv(kc)
		return env, func() {}, err
	}
	for _, b := range binaries {
		if p := filepath.Join(root, "hack", "testbed", ".bin", b); !exists(p) {
			return nil, nil, &MissingError{Path: p}
		}
	}
	return startPrivate(script)
}

// running reports the kubeconfig of the default testbed if it is up.
func running(script string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "status")
	cmd.Env = withoutRun(os.Environ())
	if err := cmd.Run(); err != nil {
		return "", false
	}
	return filepath.Join(filepath.Dir(script), ".run", "kubeconfig"), true
}

// startPrivate starts a testbed in a new temporary directory. The testbed's
// watchdog stops it should this process die without calling stop.
func startPrivate(script string) (*Env, func(), error) {
	dir, err := os.MkdirTemp("", "plumb-testbed-")
	if err != nil {
		return nil, nil, err
	}
	stop := func() {
		_ = testbed(script, dir, 2*time.Minute, "down")
		_ = os.RemoveAll(dir)
	}
	if err := testbed(script, dir, 5*time.Minute, "up"); err != nil {
		stop()
		return nil, nil, err
	}
	env, err := NewEnv(filepath.Join(dir, "kubeconfig"))
	if err != nil {
		stop()
		return nil, nil, err
	}
	env.RunDir = dir
	return env, stop, nil
}

func testbed(script, dir string, timeout time.Duration, verb string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, verb)
	cmd.Env = append(withoutRun(os.Environ()),
		"PLUMB_TESTBED_RUN="+dir, "PLUMB_TESTBED_PARENT="+strconv.Itoa(os.Getpid()))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("testbed %s: %w\n%s", verb, err, out.String())
	}
	return nil
}

func withoutRun(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if len(kv) < 18 || kv[:18] != "PLUMB_TESTBED_RUN=" {
			out = append(out, kv)
		}
	}
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
