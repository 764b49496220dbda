// Package token defines plumb's API tokens: their format
// (plumb_<id>_<secret>), how they are issued, hashed and checked, and the
// record a store keeps of them. Only the SHA-256 hash of a token's secret
// is ever stored; the plaintext is shown once, when the token is issued.
//
// The package imports nothing of plumb, so that the store, the API and the
// authenticator can all share it.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Prefix starts every token, so that leaked tokens are easy to find (secret
// scanners) and tokens are told apart from other bearer credentials.
const Prefix = "plumb_"

// Sizes of a token's random parts, in bytes before encoding.
const (
	idBytes     = 8  // 13 characters: public, names the token
	secretBytes = 32 // 52 characters: 256 bits of entropy
)

// encoding writes random bytes as lowercase base32 without padding: no '_'
// (the separator), safe in URLs, headers and shells.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

var (
	idLen     = encoding.EncodedLen(idBytes)
	secretLen = encoding.EncodedLen(secretBytes)
)

// ErrMalformed is returned by Parse for a string that is not a plumb token.
// Its message never holds the string.
var ErrMalformed = errors.New("not a plumb token (want plumb_<id>_<secret>)")

// ErrNameTaken is returned (wrapped) by stores when an active token already
// has the name of a token being created.
var ErrNameTaken = errors.New("an active token already has this name")

// Token is what a store keeps of an issued token. It never holds the
// secret, only its hash, and Hash is never encoded to JSON.
type Token struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	Apps       []string  `json:"apps,omitempty"`
	Hash       string    `json:"-"`
	CreatedAt  time.Time `json:"createdAt"`
	CreatedBy  string    `json:"createdBy,omitempty"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
}

// State is whether a token can be used.
type State string

// The states of a token.
const (
	StateActive  State = "active"
	StateExpired State = "expired"
	StateRevoked State = "revoked"
)

// State returns the token's state at now.
func (t Token) State(now time.Time) State {
	switch {
	case !t.RevokedAt.IsZero():
		return StateRevoked
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return StateExpired
	}
	return StateActive
}

// Verify reports, in constant time, whether secret is this token's secret.
func (t Token) Verify(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(t.Hash)) == 1
}

// HashSecret returns the hex SHA-256 of a token's secret: what stores keep.
// A secret has 256 bits of entropy, so a fast hash is enough.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Parse splits a plaintext token into its ID and secret.
func Parse(s string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return "", "", ErrMalformed
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || len(id) != idLen || len(secret) != secretLen || !encoded(id) || !encoded(secret) {
		return "", "", ErrMalformed
	}
	return id, secret, nil
}

// encoded reports whether s uses only the token alphabet.
func encoded(s string) bool {
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// random returns n random bytes, encoded.
func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return encoding.EncodeToString(b), nil
}
