package kubernetes

import (
	"context"
	"sync"
)

// forEach runs fn for 0..n-1 with at most limit at once and returns each
// call's error by index. It stops starting new calls once ctx is done.
func forEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	if n == 0 {
		return errs
	}
	if limit > n {
		limit = n
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < limit; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(ctx, i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			for ; i < n; i++ {
				errs[i] = err
			}
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// firstError returns the first non-nil error.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
