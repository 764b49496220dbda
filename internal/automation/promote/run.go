package promote

import (
	"context"
	"fmt"
	"strings"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/writeback"
)

// Promote carries out one promotion: it reads the From App's path at its
// revision, edits the To App's path on the newest commit of its branch,
// and commits and pushes (through writeback: nothing half-written, races
// re-applied). A promotion that changes nothing pushes nothing.
func (p *Promoter) Promote(ctx context.Context, req Request) (Result, error) {
	from, to, fromSrc, toSrc, err := p.apps(req)
	if err != nil {
		return Result{}, err
	}
	res := Result{From: from.Name, To: to.Name}
	rev := req.Revision
	if rev == "" {
		if rev, err = p.opts.Deployed(ctx, from.Name); err != nil {
			return res, fmt.Errorf("promote %s: %w", from.Name, err)
		}
		if rev == "" {
			return res, fmt.Errorf("%w: app %s has not synced yet: give a revision", ErrInvalid, from.Name)
		}
	}
	fromRemote, _ := writeback.RemoteOf(fromSrc)
	commit, files, err := p.opts.Writer.Read(ctx, fromRemote, rev, from.Path)
	if err != nil {
		return res, fmt.Errorf("promote %s: read %s at %s: %w", from.Name, from.Path, plumb.Short(rev), err)
	}
	res.FromRevision = commit.Revision
	if res.Mode, err = modeOf(req.Mode, files); err != nil {
		return res, err
	}
	edit := func(_ context.Context, dir, _ string) (string, error) {
		var err error
		if res.Changes, err = apply(res.Mode, dir, to.Path, files); err != nil || len(res.Changes) == 0 {
			return "", err
		}
		return message(req, res, commit), nil
	}
	toRemote, _ := writeback.RemoteOf(toSrc)
	ch := writeback.Change{Branch: toSrc.Git.Branch, PushBranch: req.Branch, DryRun: req.DryRun, Edit: edit,
		Author: writeback.Author{Name: firstNonEmpty(req.Actor, "plumb"), Email: p.opts.Email}}
	if res.Commit, err = p.opts.Writer.Commit(ctx, toRemote, ch); err != nil {
		return res, fmt.Errorf("promote %s to %s: %w", from.Name, to.Name, err)
	}
	if res.Commit.Revision == "" {
		res.Changes = nil
	}
	if res.Commit.Revision != "" && !res.Commit.DryRun && !res.Commit.UpToDate {
		p.opts.Pushed(ctx, toSrc.Git.URL, res.Commit.Branch)
	}
	return res, nil
}

// apply edits the To path for the mode.
func apply(mode, dir, toPath string, files []plumb.File) ([]Change, error) {
	if mode == ModeImages {
		return promoteImages(dir, toPath, files)
	}
	return promoteTree(dir, toPath, files)
}

// message writes the commit message with the promotion's trailers.
func message(req Request, res Result, from plumb.Commit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Promote %s to %s: %s\n\n", res.From, res.To, summary(res))
	fmt.Fprintf(&b, "%s at %s (%s) promoted to %s:\n", res.From, from.ShortRevision(), firstLine(from.Message), res.To)
	for _, c := range res.Changes {
		switch {
		case c.Marker != "":
			fmt.Fprintf(&b, "- %s: %s → %s\n", c.File, c.Old, c.New)
		default:
			fmt.Fprintf(&b, "- %s %s\n", c.Action, c.File)
		}
	}
	fmt.Fprintf(&b, "\nPlumb-Promote-From: %s@%s\nPlumb-Promote-To: %s\n", res.From, from.Revision, res.To)
	if req.Actor != "" {
		fmt.Fprintf(&b, "Plumb-Promoted-By: %s\n", req.Actor)
	}
	return b.String()
}

// summary is the subject's tail: the new images, or a file count.
func summary(res Result) string {
	var news []string
	for _, c := range res.Changes {
		if c.Marker != "" && !contains(news, c.New) {
			news = append(news, c.New)
		}
	}
	if len(news) > 0 {
		return strings.Join(news, ", ")
	}
	return fmt.Sprintf("%d file(s) at %s", len(res.Changes), plumb.Short(res.FromRevision))
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
