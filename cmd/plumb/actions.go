package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/store"
)

func newSync(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "sync APP",
		Short: "Fetch the app's source and sync it now; returns when the sync has finished",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ans, err := c.Sync(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return syncOutput(cmd.OutOrStdout(), g.output, ans)
		},
	}
}

func newRollback(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rollback APP REVISION",
		Short: "Apply the app as it was at REVISION and stop following new revisions until `plumb resume`",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ans, err := c.Rollback(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if err := syncOutput(cmd.OutOrStdout(), g.output, ans); err != nil {
				return err
			}
			if g.output == "table" {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s is pinned to %s: new revisions are not followed until `plumb resume %s`.\n", args[0], short(ans.Record.Revision), args[0])
			}
			return nil
		},
	}
}

// syncOutput prints a sync answer; a failed sync exits 1.
func syncOutput(w io.Writer, format string, ans api.SyncAnswer) error {
	if err := emit(w, format, ans, func(tw *tabwriter.Writer) { historyTable(tw, []store.SyncRecord{ans.Record}) }); err != nil {
		return err
	}
	if ans.Error != "" {
		return &exitError{code: 1, msg: "sync failed: " + ans.Error}
	}
	return nil
}

func newSuspend(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "suspend APP",
		Short: "Stop all automatic reconciles of the app (drift correction included)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			st, err := c.Suspend(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, st, func(tw *tabwriter.Writer) { row(tw, args[0], "suspended") })
		},
	}
}

func newResume(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "resume APP",
		Short: "Lift a suspension or rollback pin; the app follows its source again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			st, err := c.Resume(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, st, func(tw *tabwriter.Writer) { row(tw, args[0], "resumed: following its source again") })
		},
	}
}

func newVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the CLI's version (and the daemon's, when reachable)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := map[string]string{"client": version}
			if c, err := g.client(); err == nil {
				if v, err := c.Version(cmd.Context()); err == nil {
					out["server"] = v
				}
			}
			return emit(cmd.OutOrStdout(), g.output, out, func(tw *tabwriter.Writer) {
				row(tw, "client:", out["client"])
				if v, ok := out["server"]; ok {
					row(tw, "server:", v)
				}
			})
		},
	}
}
