package image

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"plumb.dev/plumb/internal/config"
)

// ListTags lists every tag of the policy's repository (following the
// registry's pagination), authenticating with the policy's credential
// files. Errors never hold a credential.
func ListTags(ctx context.Context, p *config.ImagePolicy) ([]string, error) {
	var opts []name.Option
	if p.Insecure {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(p.Image, opts...)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", p.Image, err)
	}
	auth, secrets, err := authOf(p.Auth)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", p.Image, err)
	}
	tags, err := remote.List(repo, remote.WithContext(ctx), remote.WithAuth(auth))
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %s", p.Image, scrub(err.Error(), secrets))
	}
	return tags, nil
}

// authOf reads the registry credentials from their files.
func authOf(a *config.RegistryAuth) (authn.Authenticator, []string, error) {
	if a == nil {
		return authn.Anonymous, nil, nil
	}
	if a.TokenFile != "" {
		tok, err := readSecret(a.TokenFile, "token file")
		if err != nil {
			return nil, nil, err
		}
		return &authn.Bearer{Token: tok}, []string{tok}, nil
	}
	user := a.Username
	if a.UsernameFile != "" {
		u, err := readSecret(a.UsernameFile, "username file")
		if err != nil {
			return nil, nil, err
		}
		user = u
	}
	pass, err := readSecret(a.PasswordFile, "password file")
	if err != nil {
		return nil, nil, err
	}
	return &authn.Basic{Username: user, Password: pass}, []string{pass}, nil
}

// readSecret reads a credential file, without trailing newlines.
func readSecret(path, what string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// scrub removes secrets from s.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}
