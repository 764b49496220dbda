// Command files measures plumb on the files target: push-to-applied latency
// (poll interval 1s, and a manual sync right after the push; median and p95
// over N pushes) and the idle CPU and RSS of `plumb serve` with 100 apps.
//
//	go run ./bench/files [-pushes 20] [-apps 100] [-idle 30s]
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"plumb.dev/plumb/internal/gittest"
)

func main() {
	pushes := flag.Int("pushes", 20, "pushes per latency run")
	apps := flag.Int("apps", 100, "apps for the idle measurement")
	idle := flag.Duration("idle", 30*time.Second, "idle sampling window")
	flag.Parse()
	if err := run(*pushes, *apps, *idle); err != nil {
		log.Fatal(err)
	}
}

func run(pushes, apps int, idle time.Duration) error {
	work, err := os.MkdirTemp("", "plumb-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "plumb")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/plumb").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	w, err := newWorld(work, bin, 1)
	if err != nil {
		return err
	}
	poll, err := w.latency(pushes, modePoll)
	if err != nil {
		return err
	}
	manual, err := w.latency(pushes, modeManual)
	if err != nil {
		return err
	}
	hook, err := w.latency(pushes, modeWebhook)
	if err != nil {
		return err
	}
	w.close()
	fmt.Printf("push-to-applied latency, files target, %d pushes each (from `git push` returning to the file being live)\n", pushes)
	report("  poll interval 1s ", poll)
	report("  manual sync      ", manual)
	report("  GitHub webhook   ", hook)

	w, err = newWorld(filepath.Join(work, "idle"), bin, apps)
	if err != nil {
		return err
	}
	defer w.close()
	cpu, rss, err := w.idle(idle)
	if err != nil {
		return err
	}
	fmt.Printf("idle `plumb serve` with %d apps (source polled every 1s, app interval 5m), over %s:\n", apps, idle)
	fmt.Printf("  CPU %.2f%% of one core, RSS %.1f MiB\n", cpu*100, float64(rss)/(1<<20))
	return nil
}

func report(name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	p := func(q float64) time.Duration { return d[int(q*float64(len(d)-1)+0.5)] }
	fmt.Printf("%s median %6.0f ms   p95 %6.0f ms   min %6.0f ms   max %6.0f ms\n", name,
		ms(p(0.5)), ms(p(0.95)), ms(d[0]), ms(d[len(d)-1]))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// world is a served repo, a live dir and a running plumb serve.
type world struct {
	dir, live, addr string
	repo            *gittest.Repo
	srv             *gittest.Server
	cmd             *exec.Cmd
	apps            int
}

type fatal struct{}

func (fatal) Helper()                           {}
func (fatal) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

func newWorld(dir, bin string, apps int) (*world, error) {
	w := &world{dir: dir, live: filepath.Join(dir, "live"), apps: apps}
	for _, d := range []string{dir, w.live, filepath.Join(dir, "repo"), filepath.Join(dir, "config")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	w.repo = gittest.InitRepo(fatal{}, filepath.Join(dir, "repo"))
	for i := range apps {
		for j := range 5 {
			w.repo.WriteFile(fmt.Sprintf("apps/a%03d/f%d.txt", i, j), fmt.Sprintf("app %d file %d\n", i, j))
		}
	}
	w.repo.Commit("initial")
	srv, err := gittest.ServeRepo(w.repo, filepath.Join(dir, "served"))
	if err != nil {
		return nil, err
	}
	w.srv = srv
	if err := os.WriteFile(filepath.Join(dir, "config", "plumb.yaml"), []byte(w.config()), 0o644); err != nil {
		return nil, err
	}
	return w, w.start(bin)
}

func (w *world) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: plumb.dev/v1alpha1\nkind: Source\nmetadata: {name: site}\nspec: {git: {url: %q, branch: main, interval: 1s}}\n", w.srv.URL())
	fmt.Fprintf(&b, "---\napiVersion: plumb.dev/v1alpha1\nkind: Target\nmetadata: {name: local}\nspec: {files: {root: %q}}\n", w.live)
	secret := filepath.Join(w.dir, "hook-secret")
	if err := os.WriteFile(secret, []byte(hookSecret), 0o600); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(&b, "---\napiVersion: plumb.dev/v1alpha1\nkind: Receiver\nmetadata: {name: gh}\nspec: {type: github, secretFile: %q, sources: [site]}\n", secret)
	for i := range w.apps {
		if err := os.MkdirAll(filepath.Join(w.live, fmt.Sprintf("a%03d", i)), 0o755); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(&b, "---\napiVersion: plumb.dev/v1alpha1\nkind: Target\nmetadata: {name: t%03d}\nspec: {files: {root: %q}}\n", i, filepath.Join(w.live, fmt.Sprintf("a%03d", i)))
		fmt.Fprintf(&b, "---\napiVersion: plumb.dev/v1alpha1\nkind: App\nmetadata: {name: a%03d}\nspec: {source: site, path: apps/a%03d, target: t%03d, prune: true, selfHeal: true}\n", i, i, i)
	}
	return b.String()
}

func (w *world) start(bin string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	w.addr = ln.Addr().String()
	ln.Close()
	w.cmd = exec.Command(bin, "serve", "--config", filepath.Join(w.dir, "config"), "--state", filepath.Join(w.dir, "state"), "--listen", w.addr)
	logf, err := os.Create(filepath.Join(w.dir, "serve.log"))
	if err != nil {
		return err
	}
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	if err := w.cmd.Start(); err != nil {
		return err
	}
	// Ready when the last app's files are live.
	return waitFor(2*time.Minute, func() bool {
		_, err := os.Stat(filepath.Join(w.live, fmt.Sprintf("a%03d/f4.txt", w.apps-1)))
		return err == nil
	})
}

func (w *world) close() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Signal(os.Interrupt)
		_, _ = w.cmd.Process.Wait()
	}
	w.srv.Close()
}

// How a push reaches plumb in a latency run.
const (
	modePoll    = "poll"
	modeManual  = "manual"
	modeWebhook = "webhook"
)

// latency pushes a new content for one file n times and measures from the
// push returning to the file holding it.
func (w *world) latency(n int, mode string) ([]time.Duration, error) {
	var out []time.Duration
	for i := range n {
		want := fmt.Sprintf("push %d %s %d\n", i, mode, time.Now().UnixNano())
		w.repo.WriteFile("apps/a000/f0.txt", want)
		sha := w.repo.Commit(fmt.Sprintf("push %d", i))
		w.repo.Push()
		start := time.Now()
		switch mode {
		case modeManual:
			go w.sync("a000")
		case modeWebhook:
			go w.webhook(sha, fmt.Sprintf("bench-%d", i))
		}
		if err := waitFor(30*time.Second, func() bool {
			b, _ := os.ReadFile(filepath.Join(w.live, "a000/f0.txt"))
			return string(b) == want
		}); err != nil {
			return nil, fmt.Errorf("push %d: %w", i, err)
		}
		out = append(out, time.Since(start))
		time.Sleep(200 * time.Millisecond)
	}
	return out, nil
}

// webhook sends a signed GitHub push event for sha.
func (w *world) webhook(sha, delivery string) {
	body := fmt.Sprintf(`{"ref":"refs/heads/main","after":%q,"repository":{"clone_url":%q}}`, sha, w.srv.URL())
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, "http://"+w.addr+"/hooks/gh", strings.NewReader(body))
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

const hookSecret = "bench-secret"

func (w *world) sync(app string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+w.addr+"/api/v1/apps/"+app+"/sync", strings.NewReader("{}"))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

func waitFor(limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("condition not met within %s", limit)
}
