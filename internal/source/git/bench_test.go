package git_test

import (
	"context"
	"fmt"
	"testing"

	"plumb.dev/plumb/internal/gittest"
)

// BenchmarkFetchNoChange measures a poll that finds nothing new: one HTTP
// round of ref advertisement plus resolving the ref.
func BenchmarkFetchNoChange(b *testing.B) {
	_, srv := served(b)
	src := newSource(b, srv.URL())
	mustFetch(b, src)
	ctx := context.Background()
	for b.Loop() {
		if _, err := src.Fetch(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadTree1000 reads an app of 1000 small files.
func BenchmarkReadTree1000(b *testing.B) {
	repo := gittest.NewRepo(b)
	for i := range 1000 {
		repo.WriteFile(fmt.Sprintf("app/dir%02d/file%04d.yaml", i%20, i),
			fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  i: %q\n", i, fmt.Sprint(i)))
	}
	head := repo.Commit("1000 files")
	srv := gittest.Serve(b, repo)
	src := newSource(b, srv.URL())
	mustFetch(b, src)
	ctx := context.Background()
	for b.Loop() {
		files, err := src.ReadTree(ctx, head, "app")
		if err != nil || len(files) != 1000 {
			b.Fatalf("ReadTree = %d files, %v", len(files), err)
		}
	}
}

// BenchmarkTreeHash measures the per-app check the engine makes after every
// fetch.
func BenchmarkTreeHash(b *testing.B) {
	_, srv := served(b)
	src := newSource(b, srv.URL())
	head := mustFetch(b, src)
	ctx := context.Background()
	for b.Loop() {
		if _, err := src.TreeHash(ctx, head, "apps/web"); err != nil {
			b.Fatal(err)
		}
	}
}
