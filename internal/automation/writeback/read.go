package writeback

import (
	"context"
	"errors"
	"fmt"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/source/git"
)

// Read fetches remote and returns the commit rev names (a commit ID,
// possibly short, a branch or a tag) and the files under path at it.
func (w *Writer) Read(ctx context.Context, remote Remote, rev, path string) (plumb.Commit, []plumb.File, error) {
	m, err := w.lock(remote)
	if err != nil {
		return plumb.Commit{}, nil, err
	}
	defer m.mu.Unlock()
	repo, err := m.source("")
	if err != nil {
		return plumb.Commit{}, nil, fmt.Errorf("writeback: %w", err)
	}
	var notFound *git.RefNotFoundError
	if _, err := repo.Fetch(ctx); err != nil && !errors.As(err, &notFound) {
		return plumb.Commit{}, nil, fmt.Errorf("fetch: %w", err)
	}
	c, err := repo.Commit(ctx, rev)
	if err != nil {
		return plumb.Commit{}, nil, err
	}
	files, err := repo.ReadTree(ctx, c.Revision, path)
	if err != nil {
		return c, nil, err
	}
	return c, files, nil
}
