package sops_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gosops "github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/cmd/sops/common"
	"github.com/getsops/sops/v3/cmd/sops/formats"
	sopsconfig "github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/decrypt"
	"github.com/getsops/sops/v3/keyservice"
	"sigs.k8s.io/yaml"

	"plumb.dev/plumb/internal/sops"
)

const secretYAML = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: app
type: Opaque
stringData:
  password: hunter2-plaintext
data:
  token: c2VjcmV0LXRva2Vu
`

// newKey writes a fresh age identity to a file and returns its path and
// public key.
func newKey(t *testing.T) (string, string) {
	t.Helper()
	id, recipient, err := sops.Keygen()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(path, id, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, recipient
}

func loadIDs(t *testing.T, files ...string) *sops.Identities {
	t.Helper()
	ids, err := sops.LoadIdentities(files)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestKeygenAndLoad(t *testing.T) {
	path, recipient := newKey(t)
	if !strings.HasPrefix(recipient, "age1") {
		t.Fatalf("recipient = %q", recipient)
	}
	ids := loadIDs(t, path)
	if got := ids.Recipients(); len(got) != 1 || got[0] != recipient {
		t.Errorf("Recipients = %v, want [%s]", got, recipient)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("AGE-SECRET-KEY-1NOTAKEY\n"), 0o600)
	_, err := sops.LoadIdentities([]string{bad})
	if err == nil || strings.Contains(err.Error(), "NOTAKEY") || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad key file: error = %v, want one naming the file and not echoing it", err)
	}
	if _, err := sops.LoadIdentities([]string{filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("missing key file loaded")
	}
}

// TestEncryptReadableBySops: what plumb encrypts, the sops library's
// public decrypt API reads (the way the sops CLI does, key from its
// environment), and only Secret values are encrypted.
func TestEncryptReadableBySops(t *testing.T) {
	path, recipient := newKey(t)
	enc, err := sops.Encrypt([]byte(secretYAML), sops.YAML, []string{recipient}, sops.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"hunter2-plaintext", "c2VjcmV0LXRva2Vu"} {
		if strings.Contains(string(enc), plain) {
			t.Errorf("encrypted file holds %q:\n%s", plain, enc)
		}
	}
	for _, clear := range []string{"name: db", "kind: Secret", "encrypted_regex: ^(data|stringData)$", "recipient: " + recipient} {
		if !strings.Contains(string(enc), clear) {
			t.Errorf("encrypted file lacks %q:\n%s", clear, enc)
		}
	}
	key, _ := os.ReadFile(path)
	t.Setenv("SOPS_AGE_KEY", string(key))
	got, err := decrypt.Data(enc, "yaml")
	if err != nil {
		t.Fatalf("sops library cannot decrypt plumb's file: %v", err)
	}
	assertSameYAML(t, got, []byte(secretYAML))
	own, err := sops.Decrypt(enc, sops.YAML, loadIDs(t, path))
	if err != nil {
		t.Fatal(err)
	}
	assertSameYAML(t, own, []byte(secretYAML))
}

// TestDecryptSopsEncrypted: a file encrypted the way the sops CLI does it
// (its local key service, common.EncryptTree) decrypts with plumb.
func TestDecryptSopsEncrypted(t *testing.T) {
	path, recipient := newKey(t)
	for _, tc := range []struct {
		name  string
		plain string
		f     sops.Format
	}{
		{"yaml", secretYAML, sops.YAML},
		{"json", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"j"},"stringData":{"k":"json-plaintext"}}`, sops.JSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := encryptWithSops(t, []byte(tc.plain), tc.name, recipient)
			got, err := sops.Decrypt(enc, tc.f, loadIDs(t, path))
			if err != nil {
				t.Fatal(err)
			}
			assertSameYAML(t, got, []byte(tc.plain))
		})
	}
}

// encryptWithSops encrypts every value like `sops encrypt --age R`.
func encryptWithSops(t *testing.T, plain []byte, format, recipient string) []byte {
	t.Helper()
	store := common.StoreForFormat(formats.FormatFromString(format), sopsconfig.NewStoresConfig())
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := sopsage.MasterKeyFromRecipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	tree := gosops.Tree{Branches: branches, Metadata: gosops.Metadata{KeyGroups: []gosops.KeyGroup{{mk}}, Version: sops.Version}}
	key, errs := tree.GenerateDataKeyWithKeyServices([]keyservice.KeyServiceClient{keyservice.NewLocalClient()})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := common.EncryptTree(common.EncryptTreeOpts{DataKey: key, Tree: &tree, Cipher: aes.NewCipher()}); err != nil {
		t.Fatal(err)
	}
	out, err := store.EmitEncryptedFile(tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDecryptErrors: wrong key, no key and a tampered file fail with a
// message that never holds plaintext, and a right key in the process
// environment is never used.
func TestDecryptErrors(t *testing.T) {
	right, recipient := newKey(t)
	wrong, _ := newKey(t)
	enc, err := sops.Encrypt([]byte(secretYAML), sops.YAML, []string{recipient}, sops.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(right)
	t.Setenv("SOPS_AGE_KEY", string(key))
	t.Setenv("SOPS_AGE_KEY_FILE", right)
	tampered := []byte(strings.Replace(string(enc), "name: db", "name: dc", 1))
	tests := []struct {
		name string
		data []byte
		ids  *sops.Identities
		want string
	}{
		{"wrong key", enc, loadIDs(t, wrong), "cannot decrypt: no key in [" + wrong + "] matches the file's age recipients [" + recipient + "]"},
		{"no key", enc, nil, "encrypted with SOPS, but the app has no age key (set spec.decryption.ageKeyFiles)"},
		{"tampered", tampered, loadIDs(t, right), "MAC mismatch: the file was changed after it was encrypted (edit it with sops, or re-encrypt it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sops.Decrypt(tt.data, sops.YAML, tt.ids)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error holds plaintext: %v", err)
			}
		})
	}
	var ke *sops.KeyError
	_, err = sops.Decrypt(enc, sops.YAML, loadIDs(t, wrong))
	if !errors.As(err, &ke) {
		t.Errorf("wrong key: %T, want *KeyError", err)
	}
}

func TestEncryptRefusesEncrypted(t *testing.T) {
	_, recipient := newKey(t)
	enc, err := sops.Encrypt([]byte(secretYAML), sops.YAML, []string{recipient}, sops.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sops.Encrypt(enc, sops.YAML, []string{recipient}, sops.SecretValues); err == nil {
		t.Error("encrypting twice succeeded")
	}
	if !sops.IsEncrypted(enc) || sops.IsEncrypted([]byte(secretYAML)) {
		t.Error("IsEncrypted is wrong")
	}
}

// TestVersionMatchesModule keeps Version equal to the sops module in
// go.mod.
func TestVersionMatchesModule(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/getsops/sops/v3 v" + sops.Version; !strings.Contains(string(mod), want) {
		t.Errorf("go.mod does not require %q", strings.TrimSpace(want))
	}
}

func assertSameYAML(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := yaml.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	gj, _ := yaml.Marshal(g)
	wj, _ := yaml.Marshal(w)
	if string(gj) != string(wj) {
		t.Errorf("got\n%s\nwant\n%s", gj, wj)
	}
}
