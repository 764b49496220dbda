package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/automation/promote"
)

func newPromote(g *globals) *cobra.Command {
	var req api.PromoteRequest
	cmd := &cobra.Command{
		Use:   "promote APP --to APP",
		Short: "Write to Git what APP runs (its image tags, or its whole path) for another app: a commit, or a branch for a pull request",
		Long: `Promote copies what APP runs to the app given with --to, as a Git commit
on that app's branch (or on --branch, to open a pull request from). In
images mode the $imagepolicy marker fields of APP's path, at the revision
APP last synced (or --revision), are set on the same markers of the other
app's path; in tree mode that path is replaced by APP's. The commit's
message names the promotion (Plumb-Promote-From/To trailers), so the other
app's history shows which promotion deployed what.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			res, err := c.Promote(cmd.Context(), args[0], req)
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, res, func(tw *tabwriter.Writer) { promoteText(tw, res) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.To, "to", "", "the app to promote to (required)")
	f.StringVar(&req.Branch, "branch", "", "push to this branch (for a pull request) instead of the app's own")
	f.StringVar(&req.Revision, "revision", "", "promote APP as it was at this revision (default: what it last synced)")
	f.StringVar(&req.Mode, "mode", promote.ModeAuto, "images, tree or auto (images when APP's path has $imagepolicy markers)")
	f.BoolVar(&req.DryRun, "dry-run", false, "make the commit but do not push it")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// promoteText prints what a promotion changed and where it went.
func promoteText(w io.Writer, res promote.Result) {
	for _, c := range res.Changes {
		if c.Marker != "" {
			row(w, c.File, c.Old, "→", c.New)
		} else {
			row(w, c.File, c.Action)
		}
	}
	switch {
	case res.Commit.Revision == "":
		fmt.Fprintf(w, "%s already runs what %s runs at %s: nothing to promote\n", res.To, res.From, short(res.FromRevision))
	case res.Commit.DryRun:
		fmt.Fprintf(w, "dry run: would push %s to %s (%s mode, from %s at %s)\n", short(res.Commit.Revision), res.Commit.Branch, res.Mode, res.From, short(res.FromRevision))
	case res.Commit.UpToDate:
		fmt.Fprintf(w, "branch %s already holds this promotion (%s)\n", res.Commit.Branch, short(res.Commit.Revision))
	default:
		fmt.Fprintf(w, "pushed %s to %s: %s promoted to %s (%s mode, from %s)\n", short(res.Commit.Revision), res.Commit.Branch, res.From, res.To, res.Mode, short(res.FromRevision))
	}
}
