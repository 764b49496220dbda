// Package daemon assembles plumb's agent: it loads the config (from a
// directory or from Git), opens the store, builds sources and targets,
// runs the engine and serves the API, until its context ends.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/metrics"
	"plumb.dev/plumb/internal/notify"
	"plumb.dev/plumb/internal/source/git"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/store/sqlite"
	"plumb.dev/plumb/internal/target"
	"plumb.dev/plumb/internal/ui"
	"plumb.dev/plumb/internal/webhook"

	_ "plumb.dev/plumb/internal/target/files"      // registers the files driver
	_ "plumb.dev/plumb/internal/target/kubernetes" // registers the kubernetes driver
)

// Options configure the daemon.
type Options struct {
	// ConfigDir is a local directory of config documents; or
	ConfigDir string
	// ConfigRepo, ConfigPath and ConfigBranch name config kept in Git.
	ConfigRepo, ConfigPath, ConfigBranch string
	// ConfigInterval is how often the config is re-read (default 5s for a
	// directory; for Git, the poll interval, default 30s).
	ConfigInterval time.Duration
	// StateDir holds the SQLite database, source mirrors and caches.
	StateDir string
	// Listen is the API address (default 127.0.0.1:7070).
	Listen string
	// Concurrency is how many apps reconcile at once.
	Concurrency int
	// HistoryKeep and HistoryMaxAge bound sync history per app.
	HistoryKeep   int
	HistoryMaxAge time.Duration
	// TLSCert and TLSKey, when set, serve the API over TLS.
	TLSCert, TLSKey string
	Version         string
	Logger          *slog.Logger
	// Ready, when set, is called with the API address once it listens.
	Ready func(addr string)
}

// Run runs the daemon until ctx ends. A config that does not validate at
// start is an error; later, an invalid config is reported and the running
// one is kept.
func Run(ctx context.Context, o Options) error {
	if err := o.defaults(); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, filepath.Join(o.StateDir, "plumb.db"))
	if err != nil {
		return fmt.Errorf("open state: %w", err)
	}
	defer db.Close()
	d := &daemon{o: o, db: db}
	if err := d.build(ctx); err != nil {
		return err
	}
	ln, err := listen(o.Listen)
	if err != nil {
		return err
	}
	if err := d.secure(ctx, ln); err != nil {
		ln.Close()
		return err
	}
	return d.serve(ctx, ln)
}

// daemon holds the running parts of plumb serve.
type daemon struct {
	o       Options
	db      *sqlite.DB
	eng     *engine.Engine
	cl      *configLoader
	notify  *notify.Dispatcher
	metrics *metrics.Metrics
	hooks   *webhook.Handler
	api     *api.Server
	srv     *http.Server
	auto    *automation
}

// build creates the engine, loads the config and wires notifications and
// the API; nothing runs yet.
func (d *daemon) build(ctx context.Context) error {
	var err error
	d.metrics = metrics.New(metrics.Options{Status: d.db, Syncs: d.db})
	d.eng, err = engine.New(engine.Options{
		Store:        d.db,
		NewSource:    sourceFactory(d.o.StateDir),
		NewTarget:    targetFactory(d.o.StateDir),
		Renderers:    renderers(d.o.StateDir),
		Concurrency:  d.o.Concurrency,
		Observer:     d.metrics,
		QueueMetrics: d.metrics.Queue(),
	})
	if err != nil {
		return err
	}
	if d.cl, err = newConfigLoader(ctx, d.o); err != nil {
		return err
	}
	cfg, err := d.cl.load(ctx)
	if err != nil {
		return err
	}
	d.auto = newAutomation(d)
	if cfg, err = d.auto.apply(ctx, cfg); err != nil {
		return fmt.Errorf("start config: %w", err)
	}
	d.notify, err = notify.New(cfg.Notifiers, appInfo{eng: d.eng, db: d.db}, notify.Options{
		OnFailure: func(ev store.Event) { d.eng.Emit(context.WithoutCancel(ctx), ev) },
	})
	if err != nil {
		return fmt.Errorf("notifiers: %w", err)
	}
	d.hooks, err = webhook.New(cfg.Receivers, webhook.TriggerFunc(d.onPush), webhook.Options{Report: d.onWebhook})
	if err != nil {
		return fmt.Errorf("receivers: %w", err)
	}
	return nil
}

// secure chooses how callers authenticate on the listener (tokens, or the
// local admin on loopback until a token exists), sets up TLS, and builds
// the HTTP server: webhooks (signed, not token-authenticated) beside the
// API and /metrics.
func (d *daemon) secure(ctx context.Context, ln net.Listener) error {
	authn, err := auth.ForListener(ctx, apiURL(ln), d.db)
	if err != nil {
		return err
	}
	// The dashboard signs in by a session cookie holding a token (auth.Cookie);
	// cross-origin browser requests are refused (http.CrossOriginProtection),
	// which also guards the loopback local admin, who needs no credential.
	d.api = api.New(promotingEngine{d.eng, d.auto.promote}, d.db, auth.Chain{authn, auth.Cookie{Tokens: authn}}, d.o.Version).WithMetrics(d.metrics.Handler())
	mux := http.NewServeMux()
	d.hooks.Register(mux)
	sameOrigin := http.NewCrossOriginProtection()
	apiHandler := sameOrigin.Handler(d.api.Handler())
	for _, p := range []string{"/api/", "/healthz", "/metrics"} {
		mux.Handle(p, apiHandler)
	}
	mux.Handle("/", sameOrigin.Handler(ui.Handler(ui.Options{Auth: authn})))
	d.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if d.o.TLSCert == "" && d.o.TLSKey == "" {
		if !auth.IsLoopback(apiURL(ln)) {
			d.o.Logger.Warn("serving the API beyond loopback without TLS: tokens cross the network in clear text; use --tls-cert and --tls-key", "listen", ln.Addr().String())
		}
		return nil
	}
	if d.srv.TLSConfig, err = auth.LoadTLS(d.o.TLSCert, d.o.TLSKey); err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	return nil
}

// onPush fetches a source named by a webhook receiver now; its apps whose
// revision moved are queued.
func (d *daemon) onPush(ctx context.Context, source string, _ webhook.Push) error {
	_, err := d.eng.FetchSource(ctx, source, plumb.TriggerWebhook)
	return err
}

// onWebhook counts a delivery and logs it.
func (d *daemon) onWebhook(r webhook.Report) {
	d.metrics.WebhookReport(r)
	attrs := []any{"receiver", r.Receiver, "status", r.Status}
	if r.Err != "" {
		attrs = append(attrs, "err", r.Err)
	}
	d.o.Logger.Info("webhook", attrs...)
}

// apply makes a re-read config the running one.
func (d *daemon) apply(ctx context.Context, cfg *config.Config) error {
	cfg, err := d.auto.apply(ctx, cfg)
	if err != nil {
		return err
	}
	if err := d.hooks.SetReceivers(cfg.Receivers); err != nil {
		return err
	}
	return d.notify.Update(cfg.Notifiers)
}

func (o *Options) defaults() error {
	if o.ConfigDir == "" && o.ConfigRepo == "" {
		return errors.New("no config: give --config DIR or --config-repo URL")
	}
	if o.StateDir == "" {
		o.StateDir = ".plumb"
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:7070"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.HistoryKeep == 0 {
		o.HistoryKeep = 200
	}
	if o.HistoryMaxAge == 0 {
		o.HistoryMaxAge = 90 * 24 * time.Hour
	}
	return nil
}

// serve runs everything until ctx ends, then shuts the server and engine
// down.
func (d *daemon) serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 2)
	go func() { done <- d.eng.Run(ctx) }()
	go func() { done <- ignoreClosed(d.listenAndServe(ln)) }()
	events, unsubscribe := d.eng.Subscribe()
	defer unsubscribe()
	go func() { _ = d.notify.Run(ctx, events) }()
	go d.cl.watch(ctx, d.eng, d.apply)
	go d.auto.run(ctx)
	go retain(ctx, d.o, d.db)
	go logEvents(ctx, d.o.Logger, d.eng)
	d.o.Logger.Info("plumb serving", "api", apiURL(ln), "state", d.o.StateDir)
	if d.o.Ready != nil {
		d.o.Ready(ln.Addr().String())
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-done:
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer scancel()
	_ = d.srv.Shutdown(sctx)
	return err
}

func (d *daemon) listenAndServe(ln net.Listener) error {
	if d.srv.TLSConfig != nil {
		return d.srv.ServeTLS(ln, "", "")
	}
	return d.srv.Serve(ln)
}

// listen opens the API listener: host:port, or unix:///path for a socket
// only the daemon's user can reach (mode 0600).
func listen(addr string) (net.Listener, error) {
	sock, isUnix := strings.CutPrefix(addr, "unix://")
	if !isUnix {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		return ln, nil
	}
	_ = os.Remove(sock) // a socket left by a killed daemon
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restrict %s: %w", sock, err)
	}
	return ln, nil
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func apiURL(ln net.Listener) string {
	if ln.Addr().Network() == "unix" {
		return "unix://" + ln.Addr().String()
	}
	return "http://" + ln.Addr().String()
}

// retain prunes old history once an hour.
func retain(ctx context.Context, o Options, db *sqlite.DB) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := db.Retain(ctx, o.HistoryKeep, o.HistoryMaxAge); err != nil && ctx.Err() == nil {
			o.Logger.Warn("history retention failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logEvents writes one structured line per engine event.
func logEvents(ctx context.Context, log *slog.Logger, eng *engine.Engine) {
	ch, cancel := eng.Subscribe()
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-ch:
			attrs := []any{"type", ev.Type}
			if ev.App != "" {
				attrs = append(attrs, "app", ev.App)
			}
			if ev.Revision != "" {
				attrs = append(attrs, "revision", ev.Revision)
			}
			log.Info(ev.Message, attrs...)
		}
	}
}

func sourceFactory(state string) func(context.Context, *config.Source) (engine.Source, error) {
	return func(_ context.Context, s *config.Source) (engine.Source, error) {
		if s.Git == nil {
			return nil, fmt.Errorf("source %s: only git sources are supported", s.Name)
		}
		return git.New(s.Name, *s.Git, filepath.Join(state, "sources", s.Name))
	}
}

func targetFactory(state string) func(context.Context, *config.Target) (target.Target, error) {
	return func(ctx context.Context, t *config.Target) (target.Target, error) {
		return target.New(ctx, t, filepath.Join(state, "targets", t.Name))
	}
}

func renderers(state string) map[string]engine.Renderer {
	return map[string]engine.Renderer{
		"files":      engine.FilesRenderer{},
		"kubernetes": newManifests(filepath.Join(state, "trees")),
	}
}
