package gittest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/gittest"
)

func sshCommand(key, knownHosts string) string {
	return fmt.Sprintf("ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -o IdentitiesOnly=yes -i %s", knownHosts, key)
}

func TestServeSSH(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("a.txt", "one\n")
	sha := repo.Commit("first")
	srv := gittest.Serve(t, repo)
	sshSrv := gittest.ServeSSH(t, srv.BareDir())

	if !strings.HasPrefix(sshSrv.HostKeyLine(), "[127.0.0.1]:") || !strings.Contains(sshSrv.HostKeyLine(), " ssh-ed25519 ") {
		t.Fatalf("HostKeyLine = %q", sshSrv.HostKeyLine())
	}
	wrongHosts := filepath.Join(t.TempDir(), "known_hosts")
	other := gittest.ServeSSH(t, srv.BareDir())
	line := strings.Replace(other.HostKeyLine(), other.Addr()[strings.LastIndex(other.Addr(), ":")+1:],
		sshSrv.Addr()[strings.LastIndex(sshSrv.Addr(), ":")+1:], 1)
	if err := os.WriteFile(wrongHosts, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongKey := other.ClientKeyFile()

	tests := []struct {
		name       string
		key, hosts string
		wantErr    string
	}{
		{"known host and key", sshSrv.ClientKeyFile(), sshSrv.KnownHostsFile(), ""},
		{"wrong host key", sshSrv.ClientKeyFile(), wrongHosts, "Host key verification failed"},
		{"unknown client key", wrongKey, sshSrv.KnownHostsFile(), "Permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "clone")
			cmd := gittestCmd("clone", "-q", sshSrv.URL(), dir)
			cmd.Env = append(cmd.Env, "GIT_SSH_COMMAND="+sshCommand(tt.key, tt.hosts))
			out, err := cmd.CombinedOutput()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(string(out), tt.wantErr) {
					t.Fatalf("clone: err=%v out=%s, want %q", err, out, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("clone: %v: %s", err, out)
			}
			if got := gitIn(t, dir, "rev-parse", "HEAD"); got != sha {
				t.Fatalf("cloned HEAD = %s, want %s", got, sha)
			}
			if sshSrv.Sessions() == 0 {
				t.Fatal("clone succeeded without an SSH session")
			}
		})
	}
}
