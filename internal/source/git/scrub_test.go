package git

import "testing"

func TestScrub(t *testing.T) {
	tests := []struct {
		name, in, want string
		secrets        []string
	}{
		{"secret", "fatal: token tok3n rejected", "fatal: token *** rejected", []string{"tok3n"}},
		{"url userinfo", "unable to access 'https://bob:tok3n@host/x.git/'", "unable to access 'https://***@host/x.git/'", nil},
		{"authorization header", "Authorization: Basic Ym9iOnRvazNu sent", "Authorization: Basic *** sent", nil},
		{"empty secret ignored", "nothing here", "nothing here", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scrub(tt.in, tt.secrets); got != tt.want {
				t.Fatalf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://host/x.git", "https://host/x.git"},
		{"https://tok3n@host/x.git", "https://***@host/x.git"},
		{"https://bob:tok3n@host/x.git", "https://***@host/x.git"},
		{"ssh://git@host:22/x.git", "ssh://git@host:22/x.git"},
		{"ssh://git:pw@host/x.git", "ssh://***@host/x.git"},
		{"git@host:org/x.git", "git@host:org/x.git"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsSSH(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"ssh://git@host/x.git", true},
		{"git@github.com:org/x.git", true},
		{"https://host/x.git", false},
		{"http://127.0.0.1:8080/x.git", false},
		{"/srv/git/x.git", false},
		{"file:///srv/git/x.git", false},
	}
	for _, tt := range tests {
		if got := isSSH(tt.url); got != tt.want {
			t.Errorf("isSSH(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestCleanPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""}, {".", ""}, {"/", ""}, {"apps/web", "apps/web"}, {"./apps//web/", "apps/web"},
	}
	for _, tt := range tests {
		if got, err := cleanPath(tt.in); err != nil || got != tt.want {
			t.Errorf("cleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"..", "../x", "apps/../../x"} {
		if _, err := cleanPath(bad); err == nil {
			t.Errorf("cleanPath(%q) accepted a path leaving the repository", bad)
		}
	}
}
