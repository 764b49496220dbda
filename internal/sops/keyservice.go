package sops

import (
	"context"
	"errors"
	"fmt"

	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/keyservice"
	"google.golang.org/grpc"
)

// ageService is a sops key service that knows only age and only the
// identities it was given: sops' own local service would fall back to
// SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and ~/.config/sops/age/keys.txt.
type ageService struct {
	ids sopsage.ParsedIdentities
}

var _ keyservice.KeyServiceClient = ageService{}

// errNotAge is returned for master keys of other kinds (PGP, cloud KMS).
var errNotAge = errors.New("only age keys are supported")

// Encrypt encrypts a data key for an age recipient (no identity needed).
func (s ageService) Encrypt(_ context.Context, req *keyservice.EncryptRequest, _ ...grpc.CallOption) (*keyservice.EncryptResponse, error) {
	k := req.GetKey().GetAgeKey()
	if k == nil {
		return nil, errNotAge
	}
	mk, err := sopsage.MasterKeyFromRecipient(k.GetRecipient())
	if err != nil {
		return nil, fmt.Errorf("age recipient: %w", err)
	}
	if err := mk.Encrypt(req.GetPlaintext()); err != nil {
		return nil, err
	}
	return &keyservice.EncryptResponse{Ciphertext: mk.EncryptedDataKey()}, nil
}

// Decrypt decrypts a data key with the service's identities only.
func (s ageService) Decrypt(_ context.Context, req *keyservice.DecryptRequest, _ ...grpc.CallOption) (*keyservice.DecryptResponse, error) {
	k := req.GetKey().GetAgeKey()
	if k == nil {
		return nil, errNotAge
	}
	if len(s.ids) == 0 {
		// An empty set would make sops look in the environment.
		return nil, errors.New("no age identities")
	}
	mk := &sopsage.MasterKey{Recipient: k.GetRecipient(), EncryptedKey: string(req.GetCiphertext())}
	s.ids.ApplyToMasterKey(mk)
	pt, err := mk.Decrypt()
	if err != nil {
		return nil, fmt.Errorf("no age identity matches recipient %s", k.GetRecipient())
	}
	return &keyservice.DecryptResponse{Plaintext: pt}, nil
}
