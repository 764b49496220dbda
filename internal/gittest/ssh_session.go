package gittest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"

	"golang.org/x/crypto/ssh"
)

func (s *SSHServer) handleConn(conn net.Conn) {
	defer conn.Close()
	sconn, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		return
	}
	defer sconn.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		s.wg.Go(func() { s.handleSession(ch, creqs) })
	}
}

// handleSession accepts env requests (GIT_PROTOCOL) and one exec request
// for a git pack command, which it runs with the channel as stdio.
func (s *SSHServer) handleSession(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var env []string
	for req := range reqs {
		switch req.Type {
		case "env":
			var kv struct{ Name, Value string }
			ok := ssh.Unmarshal(req.Payload, &kv) == nil && kv.Name == "GIT_PROTOCOL"
			if ok {
				env = append(env, "GIT_PROTOCOL="+kv.Value)
			}
			_ = req.Reply(ok, nil)
		case "exec":
			var cmd struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &cmd); err != nil {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			s.sessions.Add(1)
			code := s.runGitCommand(ch, cmd.Command, env)
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{code}))
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}

// runGitCommand runs "git-upload-pack '<path>'" (or receive-pack,
// upload-archive) and returns its exit status.
func (s *SSHServer) runGitCommand(ch ssh.Channel, command string, env []string) uint32 {
	verb, arg, err := parseGitCommand(command)
	if err == nil {
		arg, err = s.repoDir(arg)
	}
	if err != nil {
		fmt.Fprintf(ch.Stderr(), "gittest: %v\n", err)
		return 1
	}
	cmd := exec.CommandContext(context.Background(), "git", verb, arg)
	cmd.Env = Env(append(env, "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=uploadpack.allowReachableSHA1InWant", "GIT_CONFIG_VALUE_0=true")...)
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(ch.Stderr(), "gittest: %v\n", err)
		return 1
	}
	// Copy stdin on the side: the client closes its end only after the
	// command's output ends, so waiting for this copy would deadlock.
	go func() {
		_, _ = io.Copy(stdin, ch)
		_ = stdin.Close()
	}()
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return uint32(exit.ExitCode())
		}
		return 1
	}
	return 0
}

// parseGitCommand splits "git-upload-pack '/repo.git'" into the git
// subcommand and its unquoted path.
func parseGitCommand(command string) (verb, path string, err error) {
	name, arg, ok := strings.Cut(command, " ")
	name = strings.TrimPrefix(name, "git-")
	if name == "git" {
		name, arg, ok = strings.Cut(arg, " ")
	}
	switch name {
	case "upload-pack", "receive-pack", "upload-archive":
	default:
		return "", "", fmt.Errorf("command %q is not a git pack command", command)
	}
	if !ok {
		return "", "", fmt.Errorf("command %q names no repository", command)
	}
	return name, unquote(strings.TrimSpace(arg)), nil
}

// unquote undoes git's shell single-quoting, in which a quote inside the
// string is written as close quote, backslash, quote, open quote.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], `'\''`, `'`)
	}
	return s
}
