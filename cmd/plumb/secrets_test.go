package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getsops/sops/v3/decrypt"
)

// runCLI runs the root command with args and returns stdout and stderr.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	if c, _, err := root.Find([]string{"secrets", "keygen"}); err != nil || c.Name() != "keygen" {
		root.AddCommand(newSecrets()) // until root.go lists it
	}
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

// TestSecretsRoundTrip: keygen, encrypt in place, the sops library reads
// the file, decrypt gives the manifest back; a wrong key fails.
func TestSecretsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.txt")
	if _, stderr, err := runCLI(t, "secrets", "keygen", "--out", key); err != nil || !strings.HasPrefix(stderr, "public key: age1") {
		t.Fatalf("keygen: %v %q", err, stderr)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	secret := filepath.Join(dir, "secret.yaml")
	plain := "apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: cli-plaintext-42\n"
	os.WriteFile(secret, []byte(plain), 0o640)
	if _, _, err := runCLI(t, "secrets", "encrypt", secret, "--age-key-file", key); err != nil {
		t.Fatal(err)
	}
	enc, _ := os.ReadFile(secret)
	if strings.Contains(string(enc), "cli-plaintext-42") || !strings.Contains(string(enc), "name: db") {
		t.Fatalf("encrypted file:\n%s", enc)
	}
	if fi, _ := os.Stat(secret); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", fi.Mode())
	}
	id, _ := os.ReadFile(key)
	t.Setenv("SOPS_AGE_KEY", string(id))
	if lib, err := decrypt.Data(enc, "yaml"); err != nil || !strings.Contains(string(lib), "cli-plaintext-42") {
		t.Errorf("sops library: %v\n%s", err, lib)
	}
	out, _, err := runCLI(t, "secrets", "decrypt", secret, "--age-key-file", key)
	if err != nil || out != plain {
		t.Errorf("decrypt: %v\n%s\nwant\n%s", err, out, plain)
	}
	other := filepath.Join(dir, "other.txt")
	runCLI(t, "secrets", "keygen", "--out", other)
	_, _, err = runCLI(t, "secrets", "decrypt", secret, "--age-key-file", other)
	if err == nil || !strings.Contains(err.Error(), "cannot decrypt: no key in ["+other+"]") || strings.Contains(err.Error(), "cli-plaintext") {
		t.Errorf("wrong key: %v", err)
	}
	if _, _, err := runCLI(t, "secrets", "decrypt", secret); err == nil {
		t.Error("decrypt without a key file succeeded (from the environment?)")
	}
}
