package kubernetes

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	namespaces = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// LabelInventory marks an inventory ConfigMap with the app it describes.
const LabelInventory = "plumb.dev/inventory"

// InventoryName is the name of app's inventory ConfigMap.
func InventoryName(app string) string { return "plumb-inventory-" + app }

// inventory returns app's inventory, from memory when known: it is read
// from the cluster once per driver (and again after a failed write or
// Delete), since this driver is the only writer of its apps' inventories
// and keeps its memory in step with each write.
func (d *Driver) inventory(ctx context.Context, app string, st *appState) (Inventory, error) {
	st.mu.Lock()
	inv := st.inv
	st.mu.Unlock()
	if inv != nil {
		return inv, nil
	}
	inv, err := d.readInventory(ctx, app)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.inv = inv
	for k, e := range inv {
		if _, known := st.seen[k]; !known && e.ResourceVersion != "" {
			st.seen[k] = e.ResourceVersion
		}
	}
	st.mu.Unlock()
	return inv, nil
}

// readInventory reads app's inventory from the cluster; a missing one is
// empty.
func (d *Driver) readInventory(ctx context.Context, app string) (Inventory, error) {
	cm, err := d.dyn.Resource(configMaps).Namespace(d.invNS).Get(ctx, InventoryName(app), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Inventory{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read inventory %s/%s: %w", d.invNS, InventoryName(app), err)
	}
	s, _, _ := unstructured.NestedString(cm.Object, "data", inventoryKey)
	inv, err := DecodeInventory(s)
	if err != nil {
		return nil, fmt.Errorf("read inventory %s/%s: %w", d.invNS, InventoryName(app), err)
	}
	return inv, nil
}

// writeInventory stores inv as app's inventory unless it is what the
// cluster already holds, creating the inventory namespace when needed.
func (d *Driver) writeInventory(ctx context.Context, app string, st *appState, inv Inventory) error {
	st.mu.Lock()
	same := st.inv != nil && st.inv.Equal(inv)
	st.mu.Unlock()
	if same {
		return nil
	}
	err := d.applyInventory(ctx, app, inv)
	if apierrors.IsNotFound(err) {
		if err = d.ensureNamespace(ctx, d.invNS); err == nil {
			err = d.applyInventory(ctx, app, inv)
		}
	}
	if err != nil {
		st.mu.Lock()
		st.inv = nil // unknown now: read it again next time
		st.mu.Unlock()
		return fmt.Errorf("write inventory %s/%s: %w", d.invNS, InventoryName(app), err)
	}
	st.mu.Lock()
	st.inv = inv
	st.mu.Unlock()
	return nil
}

func (d *Driver) applyInventory(ctx context.Context, app string, inv Inventory) error {
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{
			"name": InventoryName(app), "namespace": d.invNS,
			"labels": map[string]any{LabelInventory: app, "app.kubernetes.io/managed-by": "plumb"},
		},
		"data": map[string]any{inventoryKey: inv.Encode()},
	}}
	_, err := d.dyn.Resource(configMaps).Namespace(d.invNS).Apply(ctx, cm.GetName(), cm, applyOptions(false))
	return err
}

// deleteInventory removes app's inventory.
func (d *Driver) deleteInventory(ctx context.Context, app string, st *appState) error {
	err := d.dyn.Resource(configMaps).Namespace(d.invNS).Delete(ctx, InventoryName(app), metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete inventory %s/%s: %w", d.invNS, InventoryName(app), err)
	}
	st.mu.Lock()
	st.inv = Inventory{}
	st.mu.Unlock()
	return nil
}

func (d *Driver) ensureNamespace(ctx context.Context, name string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name},
	}}
	_, err := d.dyn.Resource(namespaces).Apply(ctx, name, ns, applyOptions(false))
	if err != nil {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// applyOptions are plumb's server-side apply options.
func applyOptions(dryRun bool) metav1.ApplyOptions {
	o := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if dryRun {
		o.DryRun = []string{metav1.DryRunAll}
	}
	return o
}
