package token

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The role names a token may carry, from least to most powerful: viewer
// reads, operator also syncs, rolls back, suspends and resumes, admin also
// manages tokens and reads the audit log.
const (
	RoleViewer   = "viewer"
	RoleOperator = "operator"
	RoleAdmin    = "admin"
)

// ReservedName is the actor name of callers on a loopback daemon that has
// no tokens yet; no token may take it, so the audit log stays unambiguous.
const ReservedName = "local"

// Roles lists the role names, least powerful first.
var Roles = []string{RoleViewer, RoleOperator, RoleAdmin}

// Spec is what a token is issued for.
type Spec struct {
	// Name says who or what uses the token; it is the actor in the audit
	// log. Active tokens have distinct names.
	Name string `json:"name"`
	// Role is one of Roles.
	Role string `json:"role"`
	// Apps are globs (path.Match syntax) of the app names the token may
	// act on; empty means every app.
	Apps []string `json:"apps,omitempty"`
	// TTL is how long the token lives; zero means it never expires.
	TTL time.Duration `json:"ttl,omitempty"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9._@:]*$`)

// Validate reports every problem of the spec, joined.
func (s Spec) Validate() error {
	var errs []error
	switch {
	case len(s.Name) > 63 || !nameRE.MatchString(s.Name):
		errs = append(errs, fmt.Errorf("invalid token name %q: use 1 to 63 letters, digits and - . _ @ :, starting with a letter or digit", truncate(s.Name)))
	case s.Name == ReservedName:
		errs = append(errs, fmt.Errorf("invalid token name %q: reserved for the local admin of a daemon without tokens", s.Name))
	}
	if !slices.Contains(Roles, s.Role) {
		errs = append(errs, fmt.Errorf("invalid role %q: want %s", truncate(s.Role), strings.Join(Roles, ", ")))
	}
	for _, g := range s.Apps {
		if err := checkGlob(g); err != nil {
			errs = append(errs, err)
		}
	}
	if s.TTL < 0 {
		errs = append(errs, fmt.Errorf("invalid expiry %s: must not be negative", s.TTL))
	}
	return errors.Join(errs...)
}

// checkGlob validates one app glob.
func checkGlob(g string) error {
	if g == "" {
		return errors.New("invalid app glob: must not be empty")
	}
	if _, err := path.Match(g, ""); err != nil {
		return fmt.Errorf("invalid app glob %q: %w", truncate(g), err)
	}
	return nil
}

// Issue validates s and makes a new token for it, created at now by the
// named principal. It returns the record to store and the plaintext token,
// which is shown once and never kept.
func Issue(s Spec, now time.Time, by string) (Token, string, error) {
	if err := s.Validate(); err != nil {
		return Token{}, "", err
	}
	id, err := random(idBytes)
	if err != nil {
		return Token{}, "", err
	}
	secret, err := random(secretBytes)
	if err != nil {
		return Token{}, "", err
	}
	t := Token{ID: id, Name: s.Name, Role: s.Role, Apps: slices.Clone(s.Apps), Hash: HashSecret(secret),
		CreatedAt: now, CreatedBy: by}
	if s.TTL > 0 {
		t.ExpiresAt = now.Add(s.TTL)
	}
	return t, Prefix + id + "_" + secret, nil
}

// truncate shortens values echoed in errors.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
