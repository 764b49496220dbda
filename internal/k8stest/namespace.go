package k8stest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// NewNamespace creates a namespace named after the test with a random
// suffix and deletes it when the test ends.
func (e *Env) NewNamespace(tb testing.TB) string {
	tb.Helper()
	name := namespaceName(tb.Name())
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"plumb.dev/test": "true"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		tb.Fatalf("create namespace %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Client.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			tb.Errorf("delete namespace %s: %v", name, err)
		}
	})
	return name
}

// NewNamespace creates a namespace on the package's testbed (see
// Env.NewNamespace).
func NewNamespace(tb testing.TB) string {
	tb.Helper()
	return Get(tb).NewNamespace(tb)
}

func namespaceName(test string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	base := strings.Trim(notDNS.ReplaceAllString(strings.ToLower(test), "-"), "-")
	if len(base) > 50 {
		base = strings.Trim(base[:50], "-")
	}
	return base + "-" + hex.EncodeToString(b)
}

// Eventually polls cond every 200ms until it returns true, an error, or
// timeout passes, and fails the test in the last two cases. The timeout
// bounds waiting; it is not a performance assertion.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error)) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, cond); err != nil {
		tb.Fatalf("waiting for %s: %v", what, err)
	}
}
