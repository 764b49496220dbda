package main

import (
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/store"
)

func newGet(g *globals) *cobra.Command {
	var sync, health, target, q string
	cmd := &cobra.Command{
		Use:   "get apps",
		Short: "List apps with their sync state, health and revision",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "apps" && args[0] != "app" {
				return fmt.Errorf("unknown resource %q (want: apps)", args[0])
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			query := url.Values{}
			for k, v := range map[string]string{"sync": sync, "health": health, "target": target, "q": q} {
				if v != "" {
					query.Set(k, v)
				}
			}
			list, err := c.Apps(cmd.Context(), query)
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, list.Items, func(tw *tabwriter.Writer) { appTable(tw, list.Items) })
		},
	}
	cmd.Flags().StringVar(&sync, "sync", "", "only apps in this sync state")
	cmd.Flags().StringVar(&health, "health", "", "only apps with this health")
	cmd.Flags().StringVar(&target, "target", "", "only apps on this target")
	cmd.Flags().StringVar(&q, "name", "", "only apps whose name contains this")
	return cmd
}

func appTable(tw *tabwriter.Writer, apps []api.App) {
	row(tw, "NAME", "SYNC", "HEALTH", "REVISION", "LAST SYNC", "TARGET", "MESSAGE")
	for _, a := range apps {
		row(tw, a.Name, syncLabel(a), a.Status.Health, short(a.Status.Revision), ago(a.Status.LastSyncAt), a.Target, dash(oneLine(appMessage(a), 70)))
	}
}

func syncLabel(a api.App) string {
	s := string(a.Status.Sync)
	switch {
	case a.Status.PinnedRevision != "":
		s += " (pinned)"
	case a.Suspend:
		s += " (suspended)"
	}
	return s
}

func appMessage(a api.App) string {
	switch {
	case a.Status.LastError != "":
		return a.Status.LastError
	case len(a.Status.Drift) > 0:
		return fmt.Sprintf("drift: %s %s", a.Status.Drift[0].Object, a.Status.Drift[0].Detail)
	case a.Status.SuspendReason != "":
		return a.Status.SuspendReason
	}
	return a.Status.Commit.Message
}

func newStatus(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status APP",
		Short: "Show an app's state, revision, health, drift and last error",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			a, err := c.App(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			res, resErr := c.Resources(cmd.Context(), args[0])
			out := appDetail{App: a, Resources: res}
			if resErr != nil {
				out.ResourcesError = resErr.Error()
			}
			return emit(cmd.OutOrStdout(), g.output, out, func(tw *tabwriter.Writer) {
				statusTable(tw, a)
				resourceTable(tw, out)
			})
		},
	}
}

// appDetail is what `plumb status` shows: the app and its objects.
type appDetail struct {
	api.App
	Resources      []plumb.Resource `json:"resources"`
	ResourcesError string           `json:"resourcesError,omitempty"`
}

func resourceTable(tw *tabwriter.Writer, d appDetail) {
	row(tw)
	if d.ResourcesError != "" {
		row(tw, "Resources:", "unavailable: "+d.ResourcesError)
		return
	}
	row(tw, "OBJECT", "SYNC", "HEALTH", "WHY")
	for _, r := range d.Resources {
		row(tw, r.Object, r.Sync, dash(string(r.Health)), dash(strings.TrimSpace(string(r.Reason)+" "+r.Message)))
	}
}

func statusTable(tw *tabwriter.Writer, a api.App) {
	st := a.Status
	row(tw, "App:", a.Name)
	row(tw, "Source:", fmt.Sprintf("%s (path %s)", a.Source, a.Path))
	row(tw, "Target:", a.Target)
	row(tw, "Sync:", syncLabel(a))
	row(tw, "Health:", strings.TrimSpace(string(st.Health)+" "+st.HealthMessage))
	row(tw, "Revision:", fmt.Sprintf("%s %s", short(st.Revision), oneLine(st.Commit.Message, 70)))
	if st.Commit.Author != "" {
		row(tw, "Author:", st.Commit.Author)
	}
	if st.SourceRevision != "" && st.SourceRevision != st.Revision {
		row(tw, "Source at:", short(st.SourceRevision))
	}
	row(tw, "Last sync:", ago(st.LastSyncAt)+" ago")
	row(tw, "Options:", fmt.Sprintf("prune=%v selfHeal=%v interval=%s", a.Prune, a.SelfHeal, a.Interval))
	if len(a.DependsOn) > 0 {
		row(tw, "Depends on:", strings.Join(a.DependsOn, ", "))
	}
	if st.SuspendReason != "" {
		row(tw, "Suspended:", st.SuspendReason)
	}
	if st.LastError != "" {
		row(tw, "Last error:", st.LastError)
	}
	for _, d := range st.Drift {
		row(tw, "Drift:", d.Object+": "+d.Detail)
	}
}

func newHistory(g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history APP",
		Short: "Show an app's syncs: revision, commit, trigger, result and every action with its reason",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			recs, err := c.History(cmd.Context(), args[0], limit)
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, recs, func(tw *tabwriter.Writer) { historyTable(tw, recs) })
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many syncs to show")
	return cmd
}

func historyTable(tw *tabwriter.Writer, recs []store.SyncRecord) {
	row(tw, "ID", "STARTED", "REVISION", "TRIGGER", "RESULT", "DURATION", "AUTHOR", "COMMIT / REASON")
	for _, r := range recs {
		dur := "-"
		if !r.FinishedAt.IsZero() {
			dur = r.FinishedAt.Sub(r.StartedAt).Round(1e6).String()
		}
		row(tw, r.ID, r.StartedAt.Local().Format("2006-01-02 15:04:05"), short(r.Revision), r.Trigger, r.Result, dur,
			dash(r.Commit.Author), oneLine(r.Commit.Message, 50)+" — "+oneLine(r.Reason, 60))
		for _, a := range r.Actions {
			detail := ""
			if a.Detail != "" {
				detail = " (" + a.Detail + ")"
			}
			if a.Error != "" {
				detail += " ERROR: " + a.Error
			}
			row(tw, "", "", "", "", "", "", "", fmt.Sprintf("  %s %s: %s%s", a.Type, a.Object, a.Reason, detail))
		}
		for _, h := range r.Hooks {
			row(tw, "", "", "", "", "", "", "", fmt.Sprintf("  hook %s exit %d: %s", h.Name, h.ExitCode, oneLine(h.Output, 60)))
		}
		if r.Error != "" {
			row(tw, "", "", "", "", "", "", "", "  error: "+oneLine(r.Error, 100))
		}
	}
}
