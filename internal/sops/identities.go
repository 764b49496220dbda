package sops

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"filippo.io/age"
	sopsage "github.com/getsops/sops/v3/age"
)

// Identities are age private keys read from named files.
type Identities struct {
	ids   sopsage.ParsedIdentities
	files []string
}

// LoadIdentities reads age identities (AGE-SECRET-KEY-1…, one per line,
// "#" comments allowed) from each file. Errors name the file, not its
// content.
func LoadIdentities(files []string) (*Identities, error) {
	if len(files) == 0 {
		return nil, errors.New("no age key files configured")
	}
	out := &Identities{files: files}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read age key file %s: %w", f, err)
		}
		ids, err := age.ParseIdentities(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("age key file %s: not a file of age identities (AGE-SECRET-KEY-1…)", f)
		}
		out.ids = append(out.ids, ids...)
	}
	return out, nil
}

// Files names the files the identities were read from.
func (i *Identities) Files() []string { return i.files }

// Recipients returns the public keys of the identities.
func (i *Identities) Recipients() []string {
	var out []string
	for _, id := range i.ids {
		if x, ok := id.(*age.X25519Identity); ok {
			out = append(out, x.Recipient().String())
		}
	}
	return out
}

// Keygen makes a new age key pair: the identity file content (with a
// comment naming the public key, as age-keygen writes it) and the public
// key.
func Keygen() (identity []byte, recipient string, err error) {
	k, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, "", fmt.Errorf("generate age key: %w", err)
	}
	recipient = k.Recipient().String()
	identity = fmt.Appendf(nil, "# public key: %s\n%s\n", recipient, k.String())
	return identity, recipient, nil
}
