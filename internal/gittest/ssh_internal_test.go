package gittest

import "testing"

func TestParseGitCommand(t *testing.T) {
	tests := []struct {
		in, verb, path string
		ok             bool
	}{
		{"git-upload-pack '/repo.git'", "upload-pack", "/repo.git", true},
		{"git-receive-pack 'repo.git'", "receive-pack", "repo.git", true},
		{"git upload-pack '/a'\\''b.git'", "upload-pack", "/a'b.git", true},
		{"rm -rf /", "", "", false},
		{"git-upload-pack", "", "", false},
	}
	for _, tt := range tests {
		verb, path, err := parseGitCommand(tt.in)
		if (err == nil) != tt.ok || verb != tt.verb || path != tt.path {
			t.Errorf("parseGitCommand(%q) = %q, %q, %v", tt.in, verb, path, err)
		}
	}
}

func TestRepoDirStaysInRoot(t *testing.T) {
	s := &SSHServer{root: "/srv/git"}
	for _, p := range []string{"/repo.git", "repo.git", "~/repo.git"} {
		if got, err := s.repoDir(p); err != nil || got != "/srv/git/repo.git" {
			t.Errorf("repoDir(%q) = %q, %v", p, got, err)
		}
	}
	// Paths climbing out are clamped to the root.
	for _, p := range []string{"../etc", "/../../etc"} {
		if got, err := s.repoDir(p); err != nil || got != "/srv/git/etc" {
			t.Errorf("repoDir(%q) = %q, %v; want /srv/git/etc", p, got, err)
		}
	}
	if got, err := s.repoDir("/"); err == nil {
		t.Errorf("repoDir(\"/\") = %q, want an error", got)
	}
}
