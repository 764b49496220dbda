package kubernetes

import (
	"bufio"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Entry is one object an app owns, as recorded in its inventory.
type Entry struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// Hash digests the desired manifest plumb last applied ("" when the
	// apply has not succeeded yet).
	Hash string
	// ResourceVersion is the version at which the live object was last
	// known to match that manifest ("" when unknown): a later driver that
	// finds the object still at this version needs no dry-run for it.
	ResourceVersion string
}

// Key returns the entry's object key.
func (e Entry) Key() ObjKey {
	gv, _ := schema.ParseGroupVersion(e.APIVersion)
	return ObjKey{Group: gv.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
}

// GVK returns the entry's group, version and kind.
func (e Entry) GVK() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(e.APIVersion, e.Kind)
}

// Inventory is the set of objects an app owns, keyed by object.
type Inventory map[ObjKey]Entry

// inventoryKey is the ConfigMap data key holding the encoded entries.
const inventoryKey = "objects"

// Encode renders the inventory one object per line, sorted in apply order:
// "apiVersion kind namespace name hash resourceVersion", with "-" for an
// empty field.
func (inv Inventory) Encode() string {
	keys := inv.Keys()
	var b strings.Builder
	for _, k := range keys {
		e := inv[k]
		fmt.Fprintf(&b, "%s %s %s %s %s %s\n", e.APIVersion, e.Kind, dash(e.Namespace), e.Name, dash(e.Hash), dash(e.ResourceVersion))
	}
	return b.String()
}

// Keys returns the inventory's keys in apply order.
func (inv Inventory) Keys() []ObjKey {
	keys := make([]ObjKey, 0, len(inv))
	for k := range inv {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	return keys
}

// DecodeInventory parses what Encode wrote.
func DecodeInventory(s string) (Inventory, error) {
	inv := Inventory{}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 5 && len(f) != 6 {
			return nil, fmt.Errorf("line %d: want 6 fields (apiVersion kind namespace name hash resourceVersion), got %d", n, len(f))
		}
		e := Entry{APIVersion: f[0], Kind: f[1], Namespace: undash(f[2]), Name: f[3], Hash: undash(f[4])}
		if len(f) == 6 {
			e.ResourceVersion = undash(f[5])
		}
		inv[e.Key()] = e
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return inv, nil
}

// Union returns the entries of inv and other; other wins on a conflict.
func (inv Inventory) Union(other Inventory) Inventory {
	out := make(Inventory, len(inv)+len(other))
	for k, e := range inv {
		out[k] = e
	}
	for k, e := range other {
		out[k] = e
	}
	return out
}

// Equal reports whether inv and other hold the same entries.
func (inv Inventory) Equal(other Inventory) bool {
	if len(inv) != len(other) {
		return false
	}
	for k, e := range inv {
		if other[k] != e {
			return false
		}
	}
	return true
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func undash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}
