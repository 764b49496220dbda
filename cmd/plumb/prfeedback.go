package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/automation/feedback"
	"plumb.dev/plumb/internal/automation/forge"
	"plumb.dev/plumb/internal/config"
)

// prFeedback holds the flags of plumb pr-feedback.
type prFeedback struct {
	local, sha, kind, repo, tokenFile, baseURL, statusContext, targetURL string
	number                                                               int
	sources, apps                                                        []string
	dryRun                                                               bool
}

func newPRFeedback(g *globals) *cobra.Command {
	o := &prFeedback{}
	cmd := &cobra.Command{
		Use:   "pr-feedback --local DIR --forge github|gitlab --repo OWNER/REPO --token-file FILE [--pr N]",
		Short: "Post what a pull request's checkout changes in every affected app (plumb diff --local) as a commit status and a pull request comment",
		Long: `pr-feedback plans every app (of --source, matching --app) from the checkout
in DIR, as plumb diff --local does, and posts the result on GitHub or GitLab:
a commit status on the checkout's HEAD (failure when an app cannot be
planned) and, with --pr, one comment on the pull request, updated in place
on later runs. Run it in CI for each pull request.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	f := cmd.Flags()
	f.StringVar(&o.local, "local", "", "the pull request's checkout (required)")
	f.StringVar(&o.sha, "sha", "", "the head commit to set the status on (default: HEAD of --local)")
	f.IntVar(&o.number, "pr", 0, "the pull (merge) request to comment on (default: status only)")
	f.StringVar(&o.kind, "forge", "github", "github or gitlab")
	f.StringVar(&o.repo, "repo", "", "OWNER/REPO (GitHub) or GROUP/PROJECT (GitLab) (required)")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the API token (required)")
	f.StringVar(&o.baseURL, "base-url", "", "API root (default https://api.github.com; for GitLab the server URL, default https://gitlab.com)")
	f.StringSliceVar(&o.sources, "source", nil, "plan only the apps of these sources (default: every app)")
	f.StringSliceVar(&o.apps, "app", nil, "plan only apps matching these globs")
	f.StringVar(&o.statusContext, "context", feedback.DefaultContext, "the commit status's name")
	f.StringVar(&o.targetURL, "target-url", "", "link of the commit status (e.g. the CI run)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the comment, post nothing")
	for _, name := range []string{"local", "repo", "token-file"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

func (o *prFeedback) run(cmd *cobra.Command, g *globals) error {
	ctx := cmd.Context()
	c, err := g.client()
	if err != nil {
		return err
	}
	if o.sha == "" {
		out, err := exec.CommandContext(ctx, "git", "-C", o.local, "rev-parse", "HEAD").Output()
		if err != nil {
			return fmt.Errorf("head commit of %s: %w (give --sha)", o.local, err)
		}
		o.sha = strings.TrimSpace(string(out))
	}
	report, err := o.plan(ctx, c)
	if err != nil {
		return err
	}
	if o.dryRun {
		_, err := fmt.Fprint(cmd.OutOrStdout(), report.Markdown())
		return err
	}
	client, err := o.forge()
	if err != nil {
		return err
	}
	if err := feedback.Post(ctx, client, o.number, report, o.statusContext, o.targetURL); err != nil {
		return err
	}
	st := report.Status(o.statusContext, o.targetURL)
	fmt.Fprintf(cmd.OutOrStdout(), "%s on %s: %s\n", st.State, short(o.sha), st.Description)
	return nil
}

// plan diffs each selected app against the checkout.
func (o *prFeedback) plan(ctx context.Context, c *api.Client) (feedback.Report, error) {
	list, err := c.Apps(ctx, url.Values{"limit": {"10000"}})
	if err != nil {
		return feedback.Report{}, err
	}
	r := feedback.Report{SHA: o.sha}
	for _, a := range list.Items {
		if !o.selected(a) {
			continue
		}
		d, err := c.DiffLocal(ctx, a.Name, o.local)
		ad := feedback.AppDiff{App: a.Name, Actions: d.Actions}
		if err != nil {
			ad.Error = err.Error()
		}
		r.Apps = append(r.Apps, ad)
	}
	if len(r.Apps) == 0 {
		return r, errors.New("no app matches --source and --app")
	}
	return r, nil
}

func (o *prFeedback) selected(a api.App) bool {
	if len(o.sources) > 0 && !slices.Contains(o.sources, a.Source) {
		return false
	}
	if len(o.apps) == 0 {
		return true
	}
	for _, glob := range o.apps {
		if ok, _ := path.Match(glob, a.Name); ok {
			return true
		}
	}
	return false
}

// forge returns the API client for the flags.
func (o *prFeedback) forge() (forge.Client, error) {
	kind := forge.Kind(o.kind)
	gitURL := ""
	switch {
	case o.baseURL != "":
	case kind == forge.GitHub:
		gitURL = "https://github.com/" + o.repo
	case kind == forge.GitLab:
		gitURL = "https://gitlab.com/" + o.repo
	}
	return forge.New(kind, config.ForgeAPI{TokenFile: o.tokenFile, BaseURL: o.baseURL, Repository: o.repo}, gitURL, nil)
}
