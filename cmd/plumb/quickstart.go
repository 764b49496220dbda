package main

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/daemon"
	"plumb.dev/plumb/internal/quickstart"
)

func newQuickstart() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "quickstart [DIR]",
		Short: "Run plumb on an example: a local Git repo, a live directory it keeps in step, the API on 127.0.0.1",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "plumb-quickstart"
			if len(args) == 1 {
				dir = args[0]
			}
			l, err := quickstart.Setup(cmd.Context(), dir)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			return daemon.Run(cmd.Context(), daemon.Options{
				ConfigRepo: l.ConfigRepo(), ConfigPath: quickstart.ConfigPath, ConfigInterval: 2 * time.Second,
				StateDir: l.State, Listen: freeOr(listen), Version: version, Logger: newLogger("text"),
				Ready: func(addr string) { printWelcome(out, l, addr) },
			})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:7070", "API listen address (a free port is picked if it is taken)")
	return cmd
}

// freeOr returns addr if it can be listened on, else a free loopback port.
func freeOr(addr string) string {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "127.0.0.1:0"
	}
	ln.Close()
	return addr
}

func printWelcome(w io.Writer, l quickstart.Layout, addr string) {
	server := ""
	if addr != "127.0.0.1:7070" {
		server = " --server " + addr
	}
	fmt.Fprintf(w, `
plumb quickstart is running (Ctrl-C stops it).

  Git repo    %[1]s      desired state: the site in site/, plumb's config in plumb/
  Live dir    %[2]s      the target plumb keeps in step with Git
  Dashboard   http://%[3]s/      (and the API under /api/v1)

Try this in another terminal:

  1. Change the site in Git and commit; the live copy follows within seconds:
       cd %[1]s && sed -i 's/Hello from plumb/Hello, GitOps/' site/index.html && git commit -qam "Greet GitOps"
       cat %[2]s/index.html
  2. Edit a live file by hand; plumb sees the drift and puts it back:
       echo defaced > %[2]s/index.html; sleep 1; cat %[2]s/index.html
  3. See what plumb did and why, in the dashboard or the CLI:
       plumb%[4]s get apps
       plumb%[4]s history web
  4. Roll back to an earlier revision, then follow Git again:
       plumb%[4]s rollback web <REVISION from history>
       plumb%[4]s resume web

`, l.Repo, l.Live, addr, server)
}
