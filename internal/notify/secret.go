package notify

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// secretFile is a file holding one secret. It is read on every message,
// so that a rotated secret is picked up without a restart; its content
// never appears in an error.
type secretFile struct {
	path string
	// what names the secret in errors, like "Slack webhook URL".
	what string
}

// read returns the file's content without surrounding white space.
func (f secretFile) read() (string, error) {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return "", Permanent(fmt.Errorf("read %s file: %w", f.what, err))
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", Permanent(fmt.Errorf("%s file %s is empty", f.what, f.path))
	}
	return s, nil
}

// readURL reads an http(s) URL from the file.
func (f secretFile) readURL() (*url.URL, error) {
	s, err := f.read()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, Permanent(fmt.Errorf("%s in %s is not an http:// or https:// URL", f.what, f.path))
	}
	return u, nil
}

// redacted is what a secret is replaced with in error text.
const redacted = "[redacted]"

// scrub removes secrets from s: each secret itself and, for secrets that
// are URLs, their path, query and user info (the host is no secret).
func scrub(s string, secrets ...string) string {
	var parts []string
	for _, sec := range secrets {
		parts = append(parts, sec)
		if u, err := url.Parse(sec); err == nil && u.Host != "" {
			parts = append(parts, u.EscapedPath(), u.Path, u.RawQuery, u.User.String())
		}
	}
	for _, p := range parts {
		if len(p) >= 4 {
			s = strings.ReplaceAll(s, p, redacted)
		}
	}
	return s
}

// origin returns scheme://host of u: the part of a URL that is safe to
// show.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }
