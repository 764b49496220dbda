// Command helm measures plumb's Helm rendering and a fleet of chart apps:
//
//   - render time of a chart of about 50 objects: cold (a new renderer:
//     chart loaded and rendered), cached (same chart and values), warm
//     chart with new values, and cold from an HTTP chart repository;
//
//   - with -apps N > 0: N apps using the same chart (from an HTTP chart
//     repository served by this program) with different values, from
//     `plumb serve` starting until every app is Healthy on the testbed.
//
//     go run ./bench/helm [-n 20] [-apps 50]
//     (the fleet part needs hack/testbed/testbed build)
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	n := flag.Int("n", 20, "renders to time per case")
	apps := flag.Int("apps", 50, "apps in the fleet run (0 skips it)")
	flag.Parse()
	if err := run(*n, *apps); err != nil {
		log.Fatal(err)
	}
}

func run(n, apps int) error {
	work, err := os.MkdirTemp("", "plumb-bench-helm")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := benchRender(work, n); err != nil {
		return err
	}
	if apps == 0 {
		return nil
	}
	return benchFleet(filepath.Join(work, "fleet"), apps)
}

func report(name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	p := func(q float64) time.Duration { return d[int(q*float64(len(d)-1)+0.5)] }
	fmt.Printf("%-52s median %8.2f ms   p95 %8.2f ms   (n=%d)\n", name, ms(p(0.5)), ms(p(0.95)), len(d))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / 1000 }
