package gittest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHServer serves the bare repositories under one directory over SSH on
// 127.0.0.1, in process. It accepts only the generated client key and runs
// git-upload-pack and git-receive-pack for exec requests.
type SSHServer struct {
	root, name string
	addr       string
	ln         net.Listener
	config     *ssh.ServerConfig
	hostKey    ssh.PublicKey
	keyFile    string
	knownHosts string
	sessions   atomic.Int64
	wg         sync.WaitGroup
	mu         sync.Mutex
	conns      map[net.Conn]struct{}
	closed     bool
}

// ServeSSH serves the bare repository bareDir over SSH until the test
// ends. The client key and known_hosts files live in t.TempDir().
func ServeSSH(t testing.TB, bareDir string) *SSHServer {
	t.Helper()
	srv, err := StartSSHServer(bareDir, t.TempDir())
	if err != nil {
		t.Fatalf("gittest: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// StartSSHServer serves the bare repository bareDir (and its siblings) over
// SSH on a free port of 127.0.0.1 until Close. It writes the client's
// private key (id_ed25519) and a known_hosts file into keyDir.
func StartSSHServer(bareDir, keyDir string) (*SSHServer, error) {
	abs, err := filepath.Abs(bareDir)
	if err != nil {
		return nil, fmt.Errorf("gittest: %w", err)
	}
	s := &SSHServer{root: filepath.Dir(abs), name: filepath.Base(abs), conns: map[net.Conn]struct{}{}}
	clientPub, err := s.writeClientKey(keyDir)
	if err != nil {
		return nil, err
	}
	if err := s.configure(clientPub); err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("gittest: listen: %w", err)
	}
	s.addr = s.ln.Addr().String()
	s.knownHosts = filepath.Join(keyDir, "known_hosts")
	if err := os.WriteFile(s.knownHosts, []byte(s.HostKeyLine()+"\n"), 0o600); err != nil {
		_ = s.ln.Close()
		return nil, fmt.Errorf("gittest: write known_hosts: %w", err)
	}
	s.wg.Go(s.accept)
	return s, nil
}

// writeClientKey generates the client key pair and writes the private key
// in OpenSSH format to keyDir/id_ed25519.
func (s *SSHServer) writeClientKey(keyDir string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("gittest: client key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "gittest client")
	if err != nil {
		return nil, fmt.Errorf("gittest: client key: %w", err)
	}
	s.keyFile = filepath.Join(keyDir, "id_ed25519")
	if err := os.WriteFile(s.keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("gittest: write client key: %w", err)
	}
	return ssh.NewPublicKey(pub)
}

// configure makes the server config: a fresh host key, public-key auth for
// the client key only.
func (s *SSHServer) configure(client ssh.PublicKey) error {
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("gittest: host key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		return fmt.Errorf("gittest: host key: %w", err)
	}
	s.hostKey = signer.PublicKey()
	want := client.Marshal()
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if equal(string(key.Marshal()), string(want)) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("unknown public key")
		},
	}
	s.config.AddHostKey(signer)
	return nil
}

// URL returns the served repository's URL, ssh://git@127.0.0.1:PORT/NAME.
func (s *SSHServer) URL() string { return "ssh://git@" + s.addr + "/" + s.name }

// Addr returns host:port.
func (s *SSHServer) Addr() string { return s.addr }

// HostKeyLine returns the server's known_hosts line,
// "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
func (s *SSHServer) HostKeyLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, s.hostKey)
}

// KnownHostsFile returns the path of a known_hosts file holding HostKeyLine.
func (s *SSHServer) KnownHostsFile() string { return s.knownHosts }

// ClientKeyFile returns the path of the only private key the server accepts.
func (s *SSHServer) ClientKeyFile() string { return s.keyFile }

// Sessions returns how many git commands the server has run.
func (s *SSHServer) Sessions() int64 { return s.sessions.Load() }

// Close stops accepting, drops every connection and waits for handlers.
func (s *SSHServer) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *SSHServer) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.mu.Unlock()
		s.wg.Go(func() {
			s.handleConn(conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
		})
	}
}

// repoDir maps the path a git client asks for to a bare repository under
// the root, refusing anything outside it.
func (s *SSHServer) repoDir(p string) (string, error) {
	clean := filepath.Clean("/" + strings.TrimPrefix(p, "~/"))
	dir := filepath.Join(s.root, clean)
	if dir == s.root || !strings.HasPrefix(dir, s.root+string(filepath.Separator)) {
		return "", fmt.Errorf("repository %q is outside the served root", p)
	}
	return dir, nil
}
