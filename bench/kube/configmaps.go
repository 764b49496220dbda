package main

import (
	"plumb.dev/plumb/bench/internal/kubebench"

	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target/kubernetes"
)

const configMaps = 1000

// configMapYAML is n ConfigMaps as one multi-document file.
func configMapYAML(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%04d}\ndata: {index: \"%d\", payload: \"some configuration value\"}\n", i, i)
	}
	return b.String()
}

// benchConfigMaps applies the same 1000 ConfigMaps with kubectl and with
// plumb's driver, each into its own namespace, cold and with no change.
func benchConfigMaps(tb *kubebench.Testbed, work string) error {
	ctx := context.Background()
	for _, ns := range []string{"bench-kubectl", "bench-plumb"} {
		if _, err := tb.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	file := filepath.Join(work, "configmaps.yaml")
	body := configMapYAML(configMaps)
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		return err
	}
	kc := []string{"apply", "--server-side", "--validate=false", "--field-manager", "bench", "-n", "bench-kubectl", "-f", file}
	kCold, err := tb.Kubectl(kc...)
	if err != nil {
		return err
	}
	kWarm, err := tb.Kubectl(kc...)
	if err != nil {
		return err
	}
	pCold, pWarm, err := plumbConfigMaps(ctx, tb, body)
	if err != nil {
		return err
	}
	fmt.Printf("1000 ConfigMaps (same file, same run)\n")
	fmt.Printf("  kubectl apply --server-side --validate=false   cold %6.0f ms   no change %6.0f ms\n", ms(kCold), ms(kWarm))
	fmt.Printf("  plumb (plan + apply)                          cold %6.0f ms   no change %6.0f ms\n", ms(pCold), ms(pWarm))
	fmt.Printf("  ratio plumb/kubectl                           cold %6.2f      no change %6.3f\n", float64(pCold)/float64(kCold), float64(pWarm)/float64(kWarm))
	return nil
}

func plumbConfigMaps(ctx context.Context, tb *kubebench.Testbed, body string) (cold, warm time.Duration, err error) {
	d, err := kubernetes.NewForConfig("bench", tb.RC, config.KubernetesTarget{})
	if err != nil {
		return 0, 0, err
	}
	objs, err := decode(body)
	if err != nil {
		return 0, 0, err
	}
	app := plumb.AppRef{Name: "bench", Namespace: "bench-plumb"}
	once := func() (time.Duration, error) {
		start := time.Now()
		plan, err := d.Plan(ctx, app, plumb.Desired{Revision: "r1", Objects: objs}, true)
		if err != nil {
			return 0, err
		}
		if _, err := d.Apply(ctx, plan); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}
	if cold, err = once(); err != nil {
		return 0, 0, err
	}
	warm, err = once()
	return cold, warm, err
}

func decode(body string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(body, "---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
