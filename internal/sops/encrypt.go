package sops

import (
	"errors"
	"fmt"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/keyservice"
)

// Version is the sops version written into encrypted files: the version of
// the sops module plumb is built with (a test keeps them equal; importing
// sops' version package would link its CLI framework).
const Version = "3.13.3"

// SecretValues is the encrypted_regex that encrypts the values of a
// Kubernetes Secret (data and stringData) and leaves everything else
// readable, as Flux's and sops' documentation recommend.
const SecretValues = "^(data|stringData)$"

// Encrypt encrypts a plain YAML or JSON file for the age recipients, as
// `sops encrypt --age R --encrypted-regex REGEX` does; an empty regex
// encrypts every value. The result is a standard SOPS file.
func Encrypt(data []byte, f Format, recipients []string, encryptedRegex string) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, errors.New("encrypt: no age recipient")
	}
	st := store(f)
	branches, err := st.LoadPlainFile(data)
	if err != nil {
		return nil, fmt.Errorf("encrypt: parse: %w", err)
	}
	if len(branches) > 0 && st.HasSopsTopLevelKey(branches[0]) {
		return nil, errors.New("encrypt: the file is already encrypted")
	}
	var group sops.KeyGroup
	for _, r := range recipients {
		mk, err := sopsage.MasterKeyFromRecipient(r)
		if err != nil {
			return nil, fmt.Errorf("encrypt: age recipient %q: %w", r, err)
		}
		group = append(group, mk)
	}
	tree := sops.Tree{Branches: branches, Metadata: sops.Metadata{
		KeyGroups: []sops.KeyGroup{group}, EncryptedRegex: encryptedRegex, Version: Version,
	}}
	key, errs := tree.GenerateDataKeyWithKeyServices([]keyservice.KeyServiceClient{ageService{}})
	if len(errs) > 0 {
		return nil, fmt.Errorf("encrypt: data key: %w", errors.Join(errs...))
	}
	if err := encryptTree(&tree, key); err != nil {
		return nil, err
	}
	out, err := st.EmitEncryptedFile(tree)
	if err != nil {
		return nil, fmt.Errorf("encrypt: write: %w", err)
	}
	return out, nil
}

// encryptTree encrypts the values and the MAC, as the sops CLI does.
func encryptTree(tree *sops.Tree, key []byte) error {
	cipher := aes.NewCipher()
	mac, err := tree.Encrypt(key, cipher)
	if err != nil {
		return fmt.Errorf("encrypt: values: %w", err)
	}
	tree.Metadata.LastModified = time.Now().UTC()
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, key, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("encrypt: MAC: %w", err)
	}
	return nil
}
