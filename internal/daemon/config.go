package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/source/git"
	"plumb.dev/plumb/internal/store"
)

// configLoader reads plumb's own config from a directory or a Git repo and
// notices when it changes.
type configLoader struct {
	o    Options
	repo *git.Repo // nil for a directory
	last string    // revision or content hash of the config in force
}

func newConfigLoader(_ context.Context, o Options) (*configLoader, error) {
	cl := &configLoader{o: o}
	if o.ConfigRepo == "" {
		return cl, nil
	}
	spec := config.GitSource{URL: o.ConfigRepo, Branch: o.ConfigBranch}
	if spec.Branch == "" {
		spec.Branch = config.DefaultBranch
	}
	repo, err := git.New("plumb-config", spec, filepath.Join(o.StateDir, "sources", ".config"))
	if err != nil {
		return nil, fmt.Errorf("config repo: %w", err)
	}
	cl.repo = repo
	return cl, nil
}

func (cl *configLoader) where() string {
	if cl.repo == nil {
		return cl.o.ConfigDir
	}
	return cl.o.ConfigRepo + "//" + cl.o.ConfigPath
}

// load reads the config now; an invalid config is an error naming file and
// line.
func (cl *configLoader) load(ctx context.Context) (*config.Config, error) {
	cfg, id, err := cl.read(ctx)
	if err != nil {
		return nil, err
	}
	cl.last = id
	return cfg, nil
}

// read returns the config and an identity (revision or content hash) for it.
func (cl *configLoader) read(ctx context.Context) (*config.Config, string, error) {
	if cl.repo == nil {
		files, err := config.ReadFiles(os.DirFS(cl.o.ConfigDir))
		if err != nil {
			return nil, "", fmt.Errorf("read config %s: %w", cl.o.ConfigDir, err)
		}
		cfg, err := config.Parse(prefix(files, cl.o.ConfigDir))
		return cfg, hashFiles(files), err
	}
	c, err := cl.repo.Fetch(ctx)
	if err != nil {
		if c, err = cl.repo.Resolve(ctx); err != nil {
			return nil, "", fmt.Errorf("config repo %s: %w", cl.o.ConfigRepo, err)
		}
	}
	tree, err := cl.repo.ReadTree(ctx, c.Revision, strings.Trim(cl.o.ConfigPath, "/"))
	if err != nil {
		return nil, "", fmt.Errorf("config repo %s at %s: %w", cl.o.ConfigRepo, c.ShortRevision(), err)
	}
	var files []config.File
	for _, f := range tree {
		if ext := filepath.Ext(f.Path); ext == ".yaml" || ext == ".yml" {
			files = append(files, config.File{Name: f.Path, Data: f.Data})
		}
	}
	cfg, err := config.Parse(prefix(files, cl.o.ConfigPath+"@"+c.ShortRevision()))
	return cfg, c.Revision, err
}

// prefix names config files by where they came from, so errors point there.
func prefix(files []config.File, where string) []config.File {
	for i := range files {
		files[i].Name = filepath.Join(where, files[i].Name)
	}
	return files
}

func hashFiles(files []config.File) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Data))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// watch re-reads the config every interval and applies it when it changed;
// an invalid config is reported and the running one is kept.
func (cl *configLoader) watch(ctx context.Context, eng *engine.Engine, apply func(context.Context, *config.Config) error) {
	interval := cl.o.ConfigInterval
	if interval <= 0 {
		interval = 5 * time.Second
		if cl.repo != nil {
			interval = 30 * time.Second
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cfg, id, err := cl.read(ctx)
		if err == nil && id == cl.last {
			continue
		}
		if err == nil {
			err = apply(ctx, cfg)
		}
		if err != nil {
			if msg := err.Error(); msg != lastErr {
				lastErr = msg
				eng.Emit(ctx, store.Event{Type: engine.EventConfigFailed, Message: "config not applied, the running config is kept: " + msg})
			}
			continue
		}
		cl.last, lastErr = id, ""
		eng.Emit(ctx, store.Event{Type: engine.EventConfigApplied, Revision: revisionOf(cl, id), Message: fmt.Sprintf("config from %s applied: %d app(s)", cl.where(), len(cfg.Apps))})
	}
}

func revisionOf(cl *configLoader, id string) string {
	if cl.repo == nil {
		return ""
	}
	return plumb.Short(id)
}
