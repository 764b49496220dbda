package engine

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

// FilesRenderer renders an app for file targets: the files under the app's
// path, as they are in Git.
type FilesRenderer struct{}

// InputHash is the Git tree hash of the app's path.
func (FilesRenderer) InputHash(ctx context.Context, src Source, rev string, app *config.App) (string, error) {
	h, err := src.TreeHash(ctx, rev, app.Path)
	if err != nil {
		return "", fmt.Errorf("app %s: path %q at %s: %w", app.Name, app.Path, plumb.Short(rev), err)
	}
	return h, nil
}

// Render reads the files under the app's path.
func (FilesRenderer) Render(ctx context.Context, src Source, rev string, app *config.App) (plumb.Desired, error) {
	files, err := src.ReadTree(ctx, rev, app.Path)
	if err != nil {
		return plumb.Desired{}, fmt.Errorf("read %q at %s: %w", app.Path, plumb.Short(rev), err)
	}
	return plumb.Desired{Revision: rev, Files: files}, nil
}
