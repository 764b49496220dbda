package main

import (
	"os"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/api"
)

// globals are the flags every client verb shares.
type globals struct {
	server string
	token  string
	caCert string
	output string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "plumb",
		Short:         "plumb keeps real systems in step with Git",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.server, "server", envOr("PLUMB_SERVER", api.DefaultServer), "address of the plumb daemon (env PLUMB_SERVER)")
	root.PersistentFlags().StringVar(&g.token, "token", os.Getenv("PLUMB_TOKEN"), "API token (env PLUMB_TOKEN)")
	root.PersistentFlags().StringVar(&g.caCert, "ca-cert", os.Getenv("PLUMB_CA_CERT"), "CA certificate (PEM) to trust for an https --server (env PLUMB_CA_CERT)")
	root.PersistentFlags().StringVarP(&g.output, "output", "o", "table", "output format: table, json or yaml")
	root.AddCommand(
		newServe(), newQuickstart(), newValidate(g), newVersion(g),
		newGet(g), newStatus(g), newHistory(g), newDiff(g), newRender(g),
		newSync(g), newRollback(g), newSuspend(g), newResume(g),
		newToken(g), newDora(g), newPromote(g), newPRFeedback(g), newSecrets(),
	)
	return root
}

func (g *globals) client() (*api.Client, error) { return api.NewClientCA(g.server, g.token, g.caCert) }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
