package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

// MaxHookOutput caps the combined output of a hook kept in a HookRun.
const MaxHookOutput = 64 << 10

// runHook runs h with /bin/sh -c in the root, with PLUMB_APP,
// PLUMB_REVISION and PLUMB_TARGET_ROOT set. On timeout the hook's whole
// process group is killed.
func (d *Driver) runHook(ctx context.Context, name string, h *config.Hook, app, rev string) plumb.HookRun {
	timeout := h.Timeout.Duration
	if timeout <= 0 {
		timeout = DefaultHookTimeout
	}
	run := plumb.HookRun{Name: name, Command: h.Command, ExitCode: -1}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(hctx, "/bin/sh", "-c", h.Command)
	cmd.Dir = d.root
	cmd.Env = append(os.Environ(), "PLUMB_APP="+app, "PLUMB_REVISION="+rev, "PLUMB_TARGET_ROOT="+d.root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	out := &cappedBuffer{max: MaxHookOutput}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err := cmd.Run()
	run.Duration = time.Since(start)
	run.Output = out.String()
	if cmd.ProcessState != nil && cmd.ProcessState.Exited() {
		run.ExitCode = cmd.ProcessState.ExitCode()
	}
	switch {
	case errors.Is(hctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		run.Error = fmt.Sprintf("timed out after %s; its process group was killed", timeout)
	case errors.Is(err, exec.ErrWaitDelay) && run.ExitCode == 0:
		// A background child kept the output open; the hook itself passed.
	case err != nil:
		run.Error = err.Error()
	}
	return run
}

// cappedBuffer keeps the first max bytes written to it and counts the rest.
type cappedBuffer struct {
	mu      sync.Mutex
	max     int
	buf     bytes.Buffer
	dropped int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := max(c.max-c.buf.Len(), 0)
	if len(p) > room {
		c.buf.Write(p[:room])
		c.dropped += len(p) - room
		return len(p), nil
	}
	c.buf.Write(p)
	return len(p), nil
}

func (c *cappedBuffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped == 0 {
		return c.buf.String()
	}
	return c.buf.String() + fmt.Sprintf("\n... output truncated (%d more bytes)\n", c.dropped)
}
