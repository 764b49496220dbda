package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/daemon"
)

func newServe() *cobra.Command {
	o := daemon.Options{Version: version}
	var logFormat string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the plumb agent: reconciler, API, drift watchers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Logger = newLogger(logFormat)
			return daemon.Run(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ConfigDir, "config", "", "directory of plumb config documents")
	f.StringVar(&o.ConfigRepo, "config-repo", "", "Git URL holding plumb's config (instead of --config)")
	f.StringVar(&o.ConfigPath, "config-path", ".", "path of the config inside --config-repo")
	f.StringVar(&o.ConfigBranch, "config-branch", "main", "branch of --config-repo")
	f.DurationVar(&o.ConfigInterval, "config-interval", 0, "how often the config is re-read (default 5s for a directory, 30s for Git)")
	f.StringVar(&o.StateDir, "state", ".plumb", "directory for plumb's database, mirrors and caches")
	f.StringVar(&o.Listen, "listen", "127.0.0.1:7070", "API listen address: host:port, or unix:///path/to/socket")
	f.IntVar(&o.Concurrency, "concurrency", 4, "apps reconciled at once")
	f.IntVar(&o.HistoryKeep, "history-keep", 200, "syncs kept per app")
	f.DurationVar(&o.HistoryMaxAge, "history-max-age", 90*24*time.Hour, "syncs older than this are deleted")
	f.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate file (PEM); serve the API over HTTPS")
	f.StringVar(&o.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	return cmd
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
