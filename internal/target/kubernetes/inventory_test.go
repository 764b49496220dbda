package kubernetes

import (
	"strings"
	"testing"
)

func TestInventoryRoundTrip(t *testing.T) {
	inv := Inventory{}
	for _, e := range []Entry{
		{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "web", Name: "api", Hash: "abc", ResourceVersion: "42"},
		{APIVersion: "v1", Kind: "Namespace", Name: "web", Hash: "def"},
		{APIVersion: "example.com/v1", Kind: "Widget", Namespace: "web", Name: "w"},
	} {
		inv[e.Key()] = e
	}
	text := inv.Encode()
	golden(t, "inventory.txt", text)
	back, err := DecodeInventory(text)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(inv) {
		t.Errorf("round trip changed the inventory:\n%v\n%v", back, inv)
	}
}

func TestDecodeInventoryErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"too few fields", "v1 ConfigMap web\n", "line 1: want 6 fields"},
		{"second line", "v1 ConfigMap web a h\nbroken\n", "line 2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeInventory(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestInventoryUnion(t *testing.T) {
	a := Entry{APIVersion: "v1", Kind: "ConfigMap", Namespace: "n", Name: "a", Hash: "1"}
	a2 := a
	a2.Hash = "2"
	b := Entry{APIVersion: "v1", Kind: "ConfigMap", Namespace: "n", Name: "b"}
	u := Inventory{a.Key(): a}.Union(Inventory{a.Key(): a2, b.Key(): b})
	if len(u) != 2 || u[a.Key()].Hash != "2" {
		t.Errorf("union = %v", u)
	}
}
