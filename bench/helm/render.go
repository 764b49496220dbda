package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/render/helm"
	"plumb.dev/plumb/internal/render/helm/helmtest"
)

// chartExtras makes the test chart render 50 objects.
const chartExtras = 44

// benchRender times renders of a ~50-object chart.
func benchRender(work string, n int) error {
	root := filepath.Join(work, "tree")
	for p, data := range helmtest.Prefixed("charts/web", helmtest.WebChart("1.0.0", "", chartExtras)) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			return err
		}
	}
	ctx := context.Background()
	local := func(i int) helm.Request {
		return helm.Request{Root: root, AppPath: ".", Namespace: "bench", App: "web",
			Chart: &config.HelmChart{Chart: "charts/web", Values: config.Values{"message": fmt.Sprint("m", i)}}}
	}
	res, err := helm.New(helm.Options{}).Render(ctx, local(0))
	if err != nil {
		return err
	}
	fmt.Printf("chart: %d objects rendered\n", len(res.Objects))
	var cold, cached, newValues, remoteCold []time.Duration
	warm := helm.New(helm.Options{})
	if _, err := warm.Render(ctx, local(0)); err != nil {
		return err
	}
	repo := helmtest.StartRepo()
	defer repo.Close()
	tgz, err := helmtest.Package("web", helmtest.WebChart("1.0.0", "", chartExtras))
	if err != nil {
		return err
	}
	repo.Add("web", "1.0.0", tgz)
	for i := range n {
		if err := timed(&cold, func() error { _, err := helm.New(helm.Options{}).Render(ctx, local(0)); return err }); err != nil {
			return err
		}
		if err := timed(&cached, func() error { _, err := warm.Render(ctx, local(0)); return err }); err != nil {
			return err
		}
		if err := timed(&newValues, func() error { _, err := warm.Render(ctx, local(i+1)); return err }); err != nil {
			return err
		}
		remote := helm.Request{Root: root, AppPath: ".", Namespace: "bench", App: "web", Chart: &config.HelmChart{Repo: repo.URL, Chart: "web", Version: "1.0.x"}}
		if err := timed(&remoteCold, func() error { _, err := helm.New(helm.Options{}).Render(ctx, remote); return err }); err != nil {
			return err
		}
	}
	report("render cold (new renderer, chart from the source)", cold)
	report("render cached (same chart, same values)", cached)
	report("render with new values (chart loaded before)", newValues)
	report("render cold from an HTTP repo (index + download)", remoteCold)
	return nil
}

func timed(into *[]time.Duration, f func() error) error {
	start := time.Now()
	err := f()
	*into = append(*into, time.Since(start))
	return err
}
