// Command kube measures plumb on the Kubernetes testbed, against kubectl in
// the same run:
//
//   - 1000 ConfigMaps applied cold and re-synced with no change, by plumb's
//     driver and by `kubectl apply --server-side --validate=false`;
//
//   - drift correction latency: a `kubectl scale`-style edit of an owned
//     Deployment until plumb has put it back (median and p95 of N);
//
//   - 100 apps × (10 ConfigMaps + 1 Deployment) from one repository, from
//     `plumb serve` starting until every app is Healthy, with plumb's RSS.
//
//     hack/testbed/testbed build && go run ./bench/kube [-drifts 20] [-apps 100]
package main

import (
	"plumb.dev/plumb/bench/internal/kubebench"

	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	drifts := flag.Int("drifts", 20, "drift corrections to time")
	apps := flag.Int("apps", 100, "apps in the fleet run")
	only := flag.String("only", "", "run one part only: configmaps, drift or fleet")
	flag.Parse()
	if err := run(*drifts, *apps, *only); err != nil {
		log.Fatal(err)
	}
}

func run(drifts, apps int, only string) error {
	work, err := os.MkdirTemp("", "plumb-bench-kube")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	tb, err := kubebench.StartTestbed(filepath.Join(work, "testbed"))
	if err != nil {
		return err
	}
	defer tb.Stop()
	bin, err := kubebench.BuildPlumb(work)
	if err != nil {
		return err
	}
	if only == "" || only == "configmaps" {
		if err := benchConfigMaps(tb, work); err != nil {
			return err
		}
	}
	if only == "" || only == "drift" {
		if err := benchDrift(tb, bin, filepath.Join(work, "drift"), drifts); err != nil {
			return err
		}
	}
	if only == "" || only == "fleet" {
		return benchFleet(tb, bin, filepath.Join(work, "fleet"), apps)
	}
	return nil
}

func report(name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	p := func(q float64) time.Duration { return d[int(q*float64(len(d)-1)+0.5)] }
	fmt.Printf("%s median %7.0f ms   p95 %7.0f ms   (n=%d)\n", name, ms(p(0.5)), ms(p(0.95)), len(d))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
