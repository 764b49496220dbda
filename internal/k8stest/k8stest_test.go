package k8stest_test

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"plumb.dev/plumb/internal/k8stest"
)

func TestMain(m *testing.M) { k8stest.Main(m) }

// TestDeploymentAvailable proves the testbed schedules Pods onto the kwok
// node, kwok makes them Ready, and the controllers make a Deployment
// Available.
func TestDeploymentAvailable(t *testing.T) {
	env := k8stest.Get(t)
	ns := env.NewNamespace(t)
	ctx := t.Context()
	labels := map[string]string{"app": "web"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
			},
		},
	}
	start := time.Now()
	if _, err := env.Client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	k8stest.Eventually(t, 2*time.Minute, "Deployment web Available with 2 replicas", func(ctx context.Context) (bool, error) {
		got, err := env.Client.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return available(got) && got.Status.AvailableReplicas == 2, nil
	})
	t.Logf("Deployment Available after %s", time.Since(start).Round(time.Millisecond))
	pods, err := env.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Spec.NodeName != "kwok-node-0" || p.Status.Phase != corev1.PodRunning {
			t.Errorf("pod %s: node %q phase %s, want running on kwok-node-0", p.Name, p.Spec.NodeName, p.Status.Phase)
		}
	}
}

func available(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
			return d.Status.ObservedGeneration >= d.Generation
		}
	}
	return false
}

// TestNewNamespace checks names are unique and valid, and that the
// namespace exists during the test.
func TestNewNamespace(t *testing.T) {
	env := k8stest.Get(t)
	a, b := env.NewNamespace(t), k8stest.NewNamespace(t)
	if a == b {
		t.Fatalf("two namespaces named %s", a)
	}
	if _, err := env.Client.CoreV1().Namespaces().Get(t.Context(), a, metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
}
