package git_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentReadsDuringFetch runs tree reads while fetches bring new
// commits; run with -race.
func TestConcurrentReadsDuringFetch(t *testing.T) {
	repo, srv := served(t)
	src := newSource(t, srv.URL())
	head := mustFetch(t, src)
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 3 {
		repo.WriteFile(fmt.Sprintf("apps/db/gen-%d.yaml", i), "x\n")
		repo.Commit(fmt.Sprintf("gen %d", i))
		repo.Push()
		for range 2 {
			wg.Go(func() {
				if _, err := src.Fetch(ctx); err != nil {
					errs <- fmt.Errorf("Fetch: %w", err)
				}
			})
		}
		wg.Go(func() {
			files, err := src.ReadTree(ctx, head, "apps/web")
			if err != nil || len(files) != 1 {
				errs <- fmt.Errorf("ReadTree = %d files, %v", len(files), err)
			}
			if _, err := src.TreeHash(ctx, head, "apps/web"); err != nil {
				errs <- fmt.Errorf("TreeHash: %w", err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c, err := src.Resolve(ctx)
	if err != nil || c.Revision != repo.Head() {
		t.Fatalf("Resolve after concurrent fetches = %s, %v; want %s", c.Revision, err, repo.Head())
	}
}
