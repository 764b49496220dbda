package generate

import (
	"crypto/sha256"
	"encoding/hex"
)

// shortHash is 6 hex digits of the SHA-256 of s.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:3])
}
