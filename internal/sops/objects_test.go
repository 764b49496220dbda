package sops_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/render"
	renderyaml "plumb.dev/plumb/internal/render/yaml"
	"plumb.dev/plumb/internal/sops"
)

const twoDocs = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: cm-plaintext}
---
` + secretYAML

// TestDecryptObjects: objects rendered from an encrypted two-document
// file get their values back; an object a renderer renamed and labelled
// (kustomize) keeps those changes.
func TestDecryptObjects(t *testing.T) {
	key, recipient := newKey(t)
	enc, err := sops.Encrypt([]byte(twoDocs), sops.YAML, []string{recipient}, sops.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "app"), 0o755)
	os.WriteFile(filepath.Join(root, "app", "secret.yaml"), enc, 0o644)
	objs, err := renderyaml.Decode("app/secret.yaml", enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || !sops.Encrypted(objs[1]) {
		t.Fatalf("rendered %d objects, encrypted=%v", len(objs), len(objs) > 1 && sops.Encrypted(objs[1]))
	}
	moved := objs[1].DeepCopy()
	moved.SetName("prod-db")
	moved.SetLabels(map[string]string{"team": "a"})
	render.SetOrigin(moved, "app/secret.yaml", 0)
	all := append(objs, moved)
	if err := sops.DecryptObjects(root, all, loadIDs(t, key)); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		obj    *unstructured.Unstructured
		fields []string
		want   string
	}{
		{all[0], []string{"data", "mode"}, "cm-plaintext"},
		{all[1], []string{"stringData", "password"}, "hunter2-plaintext"},
		{all[1], []string{"data", "token"}, "c2VjcmV0LXRva2Vu"},
		{all[2], []string{"stringData", "password"}, "hunter2-plaintext"},
		{all[2], []string{"metadata", "name"}, "prod-db"},
		{all[2], []string{"metadata", "labels", "team"}, "a"},
	}
	for _, c := range checks {
		got, _, _ := unstructured.NestedString(c.obj.Object, c.fields...)
		if got != c.want {
			t.Errorf("%s %s = %q, want %q", c.obj.GetName(), strings.Join(c.fields, "."), got, c.want)
		}
	}
	for _, o := range all {
		if sops.Encrypted(o) {
			t.Errorf("%s keeps its sops metadata", o.GetName())
		}
	}
}

func TestDecryptObjectsErrors(t *testing.T) {
	_, recipient := newKey(t)
	wrong, _ := newKey(t)
	enc, err := sops.Encrypt([]byte(secretYAML), sops.YAML, []string{recipient}, sops.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "s.yaml"), enc, 0o644)
	render := func() []*unstructured.Unstructured {
		objs, err := renderyaml.Decode("s.yaml", enc)
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	tests := []struct {
		name string
		ids  *sops.Identities
		want string
	}{
		{"no key", nil, "decrypt s.yaml: encrypted with SOPS, but the app has no age key (set spec.decryption.ageKeyFiles)"},
		{"wrong key", loadIDs(t, wrong), "decrypt s.yaml: cannot decrypt: no key in [" + wrong + "] matches the file's age recipients [" + recipient + "]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sops.DecryptObjects(root, render(), tt.ids)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
	noOrigin := render()
	noOrigin[0].SetAnnotations(nil)
	if err := sops.DecryptObjects(root, noOrigin, nil); err == nil || !strings.Contains(err.Error(), "Secret db is SOPS-encrypted but its file is unknown") {
		t.Errorf("no origin: error = %v", err)
	}
}
