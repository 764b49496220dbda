package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/config"
)

func newDiff(g *globals) *cobra.Command {
	var local, app string
	cmd := &cobra.Command{
		Use:   "diff APP | diff --local DIR --app APP",
		Short: "Show what a sync would change, with the reason for each change; exit 1 when there is a difference",
		Long: "Show what a sync would change, with the reason for each change; exit 1 when there is a difference.\n\n" +
			"With --local DIR, DIR is a checkout of the app's repository (e.g. a pull request's branch): the\n" +
			"daemon renders the app from it and diffs against the live target, so reviewers see what merging\n" +
			"would change. Nothing is applied.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				app = args[0]
			}
			if app == "" {
				return fmt.Errorf("name the app: plumb diff APP, or plumb diff --local DIR --app APP")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var d api.Diff
			if local != "" {
				d, err = c.DiffLocal(cmd.Context(), app, local)
			} else {
				d, err = c.Diff(cmd.Context(), app)
			}
			if err != nil {
				return err
			}
			if err := emit(cmd.OutOrStdout(), g.output, d, func(tw *tabwriter.Writer) { diffText(tw, d) }); err != nil {
				return err
			}
			if d.Changes {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&local, "local", "", "diff a local checkout of the repository instead of the source's revision")
	cmd.Flags().StringVar(&app, "app", "", "the app (instead of the APP argument)")
	return cmd
}

func diffText(w io.Writer, d api.Diff) {
	n := 0
	for _, a := range d.Actions {
		if !a.Changes() {
			continue
		}
		n++
		line := fmt.Sprintf("%s %s: %s", a.Type, a.Object, a.Reason)
		if a.Detail != "" {
			line += " (" + a.Detail + ")"
		}
		fmt.Fprintln(w, line)
		if a.Diff != "" {
			fmt.Fprintln(w, a.Diff)
		}
	}
	if n == 0 {
		fmt.Fprintf(w, "%s is in sync with %s\n", d.App, short(d.Revision))
	}
}

func newRender(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "render APP|DIR",
		Short: "Show what would be applied: for an app, through the daemon; for a directory, locally",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
				r, err := renderDir(args[0])
				if err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), g.output, r, func(tw *tabwriter.Writer) { renderedText(tw, r) })
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			r, err := c.Render(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), g.output, r, func(tw *tabwriter.Writer) { renderedText(tw, r) })
		},
	}
}

func renderedText(w io.Writer, r api.Rendered) {
	for _, f := range r.Files {
		fmt.Fprintf(w, "==> %s (%s) <==\n%s", f.Path, f.Mode, f.Content)
		if len(f.Content) > 0 && f.Content[len(f.Content)-1] != '\n' {
			fmt.Fprintln(w)
		}
	}
	if r.Manifests != "" {
		fmt.Fprint(w, r.Manifests)
	}
}

// renderDir renders a local directory the way the files target would.
func renderDir(dir string) (api.Rendered, error) {
	out := api.Rendered{App: dir}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out.Files = append(out.Files, api.RenderedFile{Path: filepath.ToSlash(rel), Mode: fmt.Sprintf("%04o", info.Mode().Perm()), Content: string(b)})
		return nil
	})
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	return out, err
}

func newValidate(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate DIR",
		Short: "Check a directory of plumb config: schema, references, dependency cycles",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			return emit(cmd.OutOrStdout(), g.output, cfg, func(tw *tabwriter.Writer) {
				row(tw, fmt.Sprintf("%s: valid (%d source(s), %d target(s), %d app(s))", args[0], len(cfg.Sources), len(cfg.Targets), len(cfg.Apps)))
			})
		},
	}
}
