// Package source defines what the engine reads desired state from: a
// versioned tree of files (a Git repository), fetched into a local mirror,
// resolved to a commit and read by revision and path. Implementations live
// in subpackages (git).
package source

import (
	"context"

	"plumb.dev/plumb"
)

// Source is a fetched, versioned tree of files. Implementations are safe for
// concurrent use.
type Source interface {
	// Fetch updates the local mirror from the remote and resolves the
	// configured ref.
	Fetch(ctx context.Context) (plumb.Commit, error)
	// Resolve resolves the configured ref in the local mirror, without the
	// network.
	Resolve(ctx context.Context) (plumb.Commit, error)
	// Commit returns the metadata of any revision in the mirror.
	Commit(ctx context.Context, rev string) (plumb.Commit, error)
	// TreeHash returns the content hash of path at rev: it changes exactly
	// when something under path changes.
	TreeHash(ctx context.Context, rev, path string) (string, error)
	// ReadTree returns every file under path at rev, with paths relative
	// to path.
	ReadTree(ctx context.Context, rev, path string) ([]plumb.File, error)
	// Export writes the whole tree at rev into dir, replacing it.
	Export(ctx context.Context, rev, dir string) error
}
