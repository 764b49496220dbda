package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

const benchApps = 2000

// openBench opens a store in b's temp dir holding benchApps statuses.
func openBench(b *testing.B) *DB {
	b.Helper()
	ctx := context.Background()
	d, err := Open(ctx, dbPath(b), WithClock(time.Now))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	for i := range benchApps {
		if err := d.PutStatus(ctx, fullStatus(fmt.Sprintf("app-%04d", i))); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// BenchmarkPutStatus2000 writes the status of 2000 apps per op, one
// transaction each, as the engine does after every reconcile.
func BenchmarkPutStatus2000(b *testing.B) {
	ctx := context.Background()
	d := openBench(b)
	for b.Loop() {
		for i := range benchApps {
			if err := d.PutStatus(ctx, fullStatus(fmt.Sprintf("app-%04d", i))); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchApps), "ns/app")
}

// BenchmarkListStatus2000 reads the status of 2000 apps per op, as the
// dashboard's app list does.
func BenchmarkListStatus2000(b *testing.B) {
	ctx := context.Background()
	d := openBench(b)
	for b.Loop() {
		list, err := d.ListStatus(ctx)
		if err != nil || len(list) != benchApps {
			b.Fatalf("ListStatus = %d, %v", len(list), err)
		}
	}
}

// BenchmarkListStatusWhileWriting reads 2000 statuses while another
// goroutine keeps writing, through the read pool and (to compare) through the
// single writer connection.
func BenchmarkListStatusWhileWriting(b *testing.B) {
	for _, mode := range []string{"readpool", "writerconn"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			d := openBench(b)
			if mode == "writerconn" {
				r := d.r
				d.r = d.w
				defer func() { d.r = r }()
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			writes := 0
			wg.Go(func() { writes = keepWriting(ctx, b, d, stop) })
			for b.Loop() {
				if _, err := d.ListStatus(ctx); err != nil {
					b.Fatal(err)
				}
			}
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(writes)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// keepWriting puts statuses until stop closes and returns how many.
func keepWriting(ctx context.Context, b *testing.B, d *DB, stop <-chan struct{}) int {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return i
		default:
		}
		if err := d.PutStatus(ctx, fullStatus(fmt.Sprintf("app-%04d", i%benchApps))); err != nil {
			b.Error(err)
			return i
		}
	}
}
