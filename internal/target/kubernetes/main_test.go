package kubernetes

import (
	"testing"

	"plumb.dev/plumb/internal/k8stest"
)

// TestMain runs every test of the package against one testbed; tests that
// need it call k8stest.Get.
func TestMain(m *testing.M) { k8stest.Main(m) }
