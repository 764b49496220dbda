package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/dora"
)

func newDora(g *globals) *cobra.Command {
	var app, window string
	cmd := &cobra.Command{
		Use:   "dora [--app APP] [--window 30d]",
		Short: "Show DORA metrics from sync history: deployment frequency, lead time, change failure rate, time to restore",
		Long: `Show the four DORA measures of software delivery over a window ending now,
per app and over all apps, computed from plumb's sync history:

  deployments      succeeded syncs that applied a change from Git (rollbacks
                   included, drift corrections not), and how many per day
  lead time        from commit to live, median (p50) and 90th percentile
  change failure   deployment attempts that failed or ended Degraded
  time to restore  from a failure to the next healthy sync, median`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			rep, err := c.DORA(cmd.Context(), app, window)
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, rep, func(tw *tabwriter.Writer) { doraTable(tw, rep, app) })
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "only this app")
	cmd.Flags().StringVar(&window, "window", "30d", "how far back to look: days (30d), weeks (2w) or hours (12h)")
	return cmd
}

// doraTable writes the row of app, or with app "" one row per app and one
// over all apps.
func doraTable(tw *tabwriter.Writer, rep dora.Report, app string) {
	const layout = "2006-01-02 15:04"
	fmt.Fprintf(tw, "Window: %s, %s → %s UTC\n\n", dora.Human(rep.To.Sub(rep.From)),
		rep.From.UTC().Format(layout), rep.To.UTC().Format(layout))
	row(tw, "APP", "DEPLOYS", "PER DAY", "LEAD TIME P50", "LEAD TIME P90", "CHANGE FAILURE", "RESTORE P50", "UNRESTORED")
	if app != "" {
		doraRow(tw, app, rep.Overall) // the daemon measured app only
		return
	}
	for _, a := range rep.Apps {
		doraRow(tw, a.App, a.Measures)
	}
	doraRow(tw, "(all apps)", rep.Overall)
}

func doraRow(tw *tabwriter.Writer, name string, m dora.Measures) {
	row(tw, name, m.Deployments, fmt.Sprintf("%.2f", m.DeploymentsPerDay), dash(m.LeadTime.Median), dash(m.LeadTime.P90),
		failureRate(m), dash(m.TimeToRestore.Median), m.Unrestored)
}

// failureRate renders the change failure rate with its counts: "25% (1/4)".
func failureRate(m dora.Measures) string {
	if m.Attempts == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%% (%d/%d)", 100*m.ChangeFailureRate, m.FailedAttempts, m.Attempts)
}
