// Package files is the "files" target driver: it writes the files of apps
// (plumb.Desired.Files) into one directory on this host, the target root.
//
// Several apps may share a root; each path belongs to at most one app. What an
// app owns is recorded in the target itself, in <root>/.plumb/<app>.json (see
// inventory.go), so losing plumb's database loses no ownership, and nothing
// is ever pruned that the inventory does not name.
//
// Safety: every read, write and delete goes through an os.Root opened on the
// target root, and every path (desired or from an inventory) is checked
// before anything is applied: absolute paths, "..", the reserved .plumb/
// directory, parents that are symlinks leaving the root and symlinks whose
// target leaves the root are refused with an error, and then nothing of the
// plan is applied.
//
// The root itself: if it does not exist, Plan treats the target as empty and
// Apply creates it (mode 0755), but only when its parent directory exists,
// so a typo never grows a new directory tree.
//
// Files: a desired file with no permission bits gets 0644; modes are set
// exactly (umask does not apply). A desired symlink (fs.ModeSymlink, Data
// holds the target) must be relative and resolve inside the root. A file
// already in the target that no app owns is taken over ("replaces a file
// no app owned"). Hooks (afterApply after an Apply or Delete that changed
// something, healthCheck from Health) run with /bin/sh -c in the root, with
// PLUMB_APP, PLUMB_REVISION and PLUMB_TARGET_ROOT set.
package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target"
)

// Kind is the Target kind this driver registers as.
const Kind = "files"

// Defaults for fields left out of config.FilesTarget.
const (
	DefaultCheckInterval = 30 * time.Second
	DefaultHookTimeout   = time.Minute
)

func init() { target.Register(Kind, New) }

// The capabilities the driver offers.
var (
	_ target.Target        = (*Driver)(nil)
	_ target.HealthChecker = (*Driver)(nil)
	_ target.Watcher       = (*Driver)(nil)
	_ target.Deleter       = (*Driver)(nil)
)

// Driver applies apps' files to one target root.
type Driver struct {
	name          string
	root          string
	afterApply    *config.Hook
	healthCheck   *config.Hook
	checkInterval time.Duration
	shared        *rootState
}

// New builds a files driver from a validated Target. The root does not need
// to exist yet (see the package doc); stateDir is unused, since the driver
// keeps its state in the target.
func New(_ context.Context, t *config.Target, _ string) (target.Target, error) {
	if t.Files == nil {
		return nil, errors.New("files target: spec.files is missing")
	}
	if t.Files.Root == "" {
		return nil, errors.New("files target: spec.files.root is empty")
	}
	root, err := filepath.Abs(t.Files.Root)
	if err != nil {
		return nil, fmt.Errorf("files target: root %q: %w", t.Files.Root, err)
	}
	interval := t.Files.CheckInterval.Duration
	if interval <= 0 {
		interval = DefaultCheckInterval
	}
	return &Driver{
		name:          t.Name,
		root:          root,
		afterApply:    t.Files.AfterApply,
		healthCheck:   t.Files.HealthCheck,
		checkInterval: interval,
		shared:        sharedState(root),
	}, nil
}

// Root returns the absolute path of the target root.
func (d *Driver) Root() string { return d.root }

// rootState is shared by every Driver of one root in this process: mu
// serializes Plan, Apply and Delete (writers) against the watchers' checks
// (readers), applied wakes watchers after each Apply or Delete, and events
// shares one inotify instance among the root's watchers.
type rootState struct {
	mu sync.RWMutex

	// events is the root's one fsnotify watcher, shared by every Watch.
	events notifier

	appliedMu sync.Mutex
	applied   chan struct{}
}

var roots sync.Map // root path -> *rootState

func sharedState(root string) *rootState {
	s, _ := roots.LoadOrStore(root, &rootState{applied: make(chan struct{})})
	return s.(*rootState)
}

// notify wakes everyone waiting on changed.
func (s *rootState) notify() {
	s.appliedMu.Lock()
	close(s.applied)
	s.applied = make(chan struct{})
	s.appliedMu.Unlock()
}

// changed is closed after the next Apply or Delete on the root.
func (s *rootState) changed() <-chan struct{} {
	s.appliedMu.Lock()
	defer s.appliedMu.Unlock()
	return s.applied
}

// open opens the target root. When the root is missing but its parent
// exists it returns an empty tree, or creates the root if create is set.
func (d *Driver) open(create bool) (tree, error) {
	r, err := os.OpenRoot(d.root)
	if err == nil {
		return tree{r: r}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return tree{}, fmt.Errorf("open target root %s: %w", d.root, err)
	}
	parent := filepath.Dir(d.root)
	if fi, perr := os.Stat(parent); perr != nil || !fi.IsDir() {
		return tree{}, fmt.Errorf("target root %s does not exist, and neither does its parent %s: create one of them first", d.root, parent)
	}
	if !create {
		return tree{}, nil
	}
	if err := os.Mkdir(d.root, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return tree{}, fmt.Errorf("create target root %s: %w", d.root, err)
	}
	r, err = os.OpenRoot(d.root)
	if err != nil {
		return tree{}, fmt.Errorf("open target root %s: %w", d.root, err)
	}
	return tree{r: r}, nil
}
