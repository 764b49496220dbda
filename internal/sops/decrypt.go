package sops

import (
	"errors"
	"fmt"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/keyservice"
	sopsjson "github.com/getsops/sops/v3/stores/json"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
)

// store returns the sops store for a format.
func store(f Format) sops.Store {
	if f == JSON {
		return sopsjson.NewStore(&config.JSONStoreConfig{})
	}
	return sopsyaml.NewStore(&config.YAMLStoreConfig{})
}

// Decrypt decrypts a SOPS file with ids and returns the plain file in the
// same format. The file's MAC is verified. Errors never hold plaintext.
func Decrypt(data []byte, f Format, ids *Identities) ([]byte, error) {
	st := store(f)
	tree, err := decryptTree(st, data, ids)
	if err != nil {
		return nil, err
	}
	out, err := st.EmitPlainFile(tree.Branches)
	if err != nil {
		return nil, fmt.Errorf("write decrypted file: %w", err)
	}
	return out, nil
}

// decryptTree loads and decrypts a SOPS file in place.
func decryptTree(st sops.Store, data []byte, ids *Identities) (*sops.Tree, error) {
	if ids == nil || len(ids.ids) == 0 {
		return nil, errors.New("encrypted with SOPS, but the app has no age key (set spec.decryption.ageKeyFiles)")
	}
	tree, err := st.LoadEncryptedFile(data)
	if err != nil {
		return nil, fmt.Errorf("not a valid SOPS file: %w", err)
	}
	svc := []keyservice.KeyServiceClient{ageService{ids: ids.ids}}
	key, err := tree.Metadata.GetDataKeyWithKeyServices(svc, nil)
	if err != nil {
		return nil, &KeyError{Recipients: recipientsOf(tree.Metadata), Files: ids.files}
	}
	cipher := aes.NewCipher()
	mac, err := tree.Decrypt(key, cipher)
	if err != nil {
		return nil, errors.New("decrypt values: a value is corrupt or was not encrypted with this file's data key")
	}
	want, err := cipher.Decrypt(tree.Metadata.MessageAuthenticationCode, key, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil || want != mac {
		return nil, errors.New("MAC mismatch: the file was changed after it was encrypted (edit it with sops, or re-encrypt it)")
	}
	return &tree, nil
}

// KeyError says that none of the configured identities can decrypt a
// file's data key.
type KeyError struct {
	// Recipients are the age public keys the file is encrypted for.
	Recipients []string
	// Files are the key files that were tried.
	Files []string
}

func (e *KeyError) Error() string {
	if len(e.Recipients) == 0 {
		return "cannot decrypt: the file is encrypted for no age recipient (only age keys are supported)"
	}
	return fmt.Sprintf("cannot decrypt: no key in %v matches the file's age recipients %v", e.Files, e.Recipients)
}

// recipientsOf lists the age recipients of a file's key groups.
func recipientsOf(m sops.Metadata) []string {
	var out []string
	for _, g := range m.KeyGroups {
		for _, k := range g {
			if k.TypeToIdentifier() == "age" {
				out = append(out, k.ToString())
			}
		}
	}
	return out
}
