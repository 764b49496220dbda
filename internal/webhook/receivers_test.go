package webhook

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/config"
)

func TestNewFails(t *testing.T) {
	dir := t.TempDir()
	empty := writeSecret(t, dir, "empty", " \n")
	good := writeSecret(t, dir, "good", secret)
	cases := []struct {
		name string
		rc   config.Receiver
		want string
	}{
		{"missing file", config.Receiver{Name: "a", Type: "github", SecretFile: filepath.Join(dir, "nope")}, "receiver a: read secret"},
		{"empty secret", config.Receiver{Name: "b", Type: "gitlab", SecretFile: empty}, "receiver b: secret file " + empty + " is empty"},
		{"unknown type", config.Receiver{Name: "c", Type: "bitbucket", SecretFile: good}, `receiver c: unknown type "bitbucket"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New([]*config.Receiver{&tc.rc}, &recorder{}, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestSetReceivers replaces the receivers: new secrets apply, removed
// receivers are gone, and a broken set keeps the one in force.
func TestSetReceivers(t *testing.T) {
	rec := &recorder{}
	h, url := server(t, rec, Options{})
	s := senderOf(t, "github")
	body := sample(t, "github_push.json")
	dir := t.TempDir()
	rotated := writeSecret(t, dir, "rotated", "rotated-secret\n")
	if err := h.SetReceivers([]*config.Receiver{{Name: "github", Type: "github", SecretFile: rotated, Sources: []string{"site"}}}); err != nil {
		t.Fatal(err)
	}
	expectIgnored(t, rec, url, s, delivery{receiver: "github", body: body, key: secret, event: "push", id: "1"}, http.StatusUnauthorized, "does not match")
	if status, ans := post(t, url, s, delivery{receiver: "github", body: body, key: "rotated-secret", event: "push", id: "2"}); status != http.StatusAccepted || len(rec.take()) != 1 {
		t.Fatalf("rotated secret: %d %+v", status, ans)
	}
	expectIgnored(t, rec, url, senderOf(t, "gitlab"), delivery{receiver: "gitlab", body: body, key: secret, event: "Push Hook"}, http.StatusNotFound, "no receiver")

	err := h.SetReceivers([]*config.Receiver{{Name: "github", Type: "github", SecretFile: filepath.Join(dir, "gone")}})
	if err == nil {
		t.Fatal("SetReceivers with a missing secret file succeeded")
	}
	if status, _ := post(t, url, s, delivery{receiver: "github", body: body, key: "rotated-secret", event: "push", id: "3"}); status != http.StatusAccepted {
		t.Fatalf("after a failed SetReceivers: %d, want the old receivers in force", status)
	}
}

func TestDeliveriesBounded(t *testing.T) {
	d := newDeliveries(3)
	for _, k := range []string{"a", "b", "c"} {
		if !d.add(k) {
			t.Fatalf("add(%s) on first sight = false", k)
		}
	}
	if d.add("a") { // seen; now the newest
		t.Fatal("add(a) again = true")
	}
	d.add("d") // evicts b, the oldest
	if d.len() != 3 {
		t.Fatalf("len = %d, want 3", d.len())
	}
	for k, seen := range map[string]bool{"a": true, "c": true, "d": true} {
		if d.add(k) == seen {
			t.Errorf("add(%s) after eviction: seen = %v, want %v", k, !seen, seen)
		}
	}
	if !d.add("b") {
		t.Error("b was not forgotten")
	}
	d.forget("b")
	if !d.add("b") {
		t.Error("forget(b) did not forget")
	}
}
