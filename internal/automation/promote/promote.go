// Package promote writes promotions to Git: `plumb promote staging --to
// production` copies what one environment's App runs to another's path as
// a commit (or a branch to open a pull request from), instead of someone
// clicking buttons. The commit then flows through the normal sync, and its
// message records the promotion, so the target App's history shows which
// promotion deployed what.
//
// Two modes:
//
//   - images: the values of the $imagepolicy marker fields in the source
//     App's path (at the revision it runs) are set on the fields with the
//     same markers in the target App's path, byte for byte as image
//     updates do (internal/automation/image);
//   - tree: the source App's path at that revision replaces the target
//     App's path (files added, changed and removed).
//
// The default (auto) uses images when the source path has markers, else
// tree. The commit message's trailers name the promotion:
//
//	Promote web-staging to web-prod: registry.example/web:1.2.0
//
//	web-staging at 1a2b3c4 (Update images (staging)) promoted to web-prod:
//	- registry.example/web:1.0.0 → registry.example/web:1.2.0
//
//	Plumb-Promote-From: web-staging@1a2b3c4d...
//	Plumb-Promote-To: web-prod
//	Plumb-Promoted-By: alice
package promote

import (
	"context"
	"errors"
	"fmt"

	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
)

// The modes.
const (
	ModeAuto   = "auto"
	ModeImages = "images"
	ModeTree   = "tree"
)

// Request asks for one promotion.
type Request struct {
	// From and To are App names.
	From string `json:"from"`
	To   string `json:"to"`
	// Revision is the From App's revision to promote (default: the one
	// it last synced).
	Revision string `json:"revision,omitempty"`
	// Mode is auto (default), images or tree.
	Mode string `json:"mode,omitempty"`
	// Branch, when set, receives the commit instead of the To App's
	// branch, for a pull request.
	Branch string `json:"branch,omitempty"`
	// DryRun makes the commit without pushing it.
	DryRun bool `json:"dryRun,omitempty"`
	// Actor is who promotes (recorded in the commit).
	Actor string `json:"actor,omitempty"`
}

// Change is one value or file a promotion changes.
type Change struct {
	File string `json:"file"`
	// Marker is the $imagepolicy marker (images mode).
	Marker string `json:"marker,omitempty"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
	// Action is added, changed or removed (tree mode).
	Action string `json:"action,omitempty"`
}

// Result is what a promotion did.
type Result struct {
	From         string           `json:"from"`
	To           string           `json:"to"`
	FromRevision string           `json:"fromRevision"`
	Mode         string           `json:"mode"`
	Changes      []Change         `json:"changes,omitempty"`
	Commit       writeback.Result `json:"commit"`
}

// Promoter makes promotions.
type Promoter struct {
	opts Options
}

// Options configure a Promoter. Writer, Config and Deployed are required.
type Options struct {
	Writer *writeback.Writer
	// Config returns the running config.
	Config func() *config.Config
	// Deployed returns the revision an App last synced ("" if none).
	Deployed func(ctx context.Context, app string) (string, error)
	// Pushed is called after a commit was pushed to branch of url.
	Pushed func(ctx context.Context, url, branch string)
	// Email is the committer email (default plumb@localhost).
	Email string
}

// New returns a Promoter.
func New(opts Options) *Promoter {
	if opts.Pushed == nil {
		opts.Pushed = func(context.Context, string, string) {}
	}
	if opts.Email == "" {
		opts.Email = config.DefaultAuthorEmail
	}
	return &Promoter{opts: opts}
}

// ErrInvalid marks a request that cannot be carried out as asked.
var ErrInvalid = errors.New("invalid promotion")

// apps resolves the request's Apps, their sources and the To App's branch.
func (p *Promoter) apps(req Request) (from, to *config.App, fromSrc, toSrc *config.Source, err error) {
	cfg := p.opts.Config()
	if from, to = cfg.App(req.From), cfg.App(req.To); from == nil || to == nil {
		missing := req.From
		if from != nil {
			missing = req.To
		}
		return nil, nil, nil, nil, fmt.Errorf("%w: app %q is not in the config", ErrInvalid, missing)
	}
	if req.From == req.To {
		return nil, nil, nil, nil, fmt.Errorf("%w: an app cannot be promoted to itself", ErrInvalid)
	}
	fromSrc, toSrc = cfg.Source(from.Source), cfg.Source(to.Source)
	if fromSrc == nil || fromSrc.Git == nil || toSrc == nil || toSrc.Git == nil {
		return nil, nil, nil, nil, fmt.Errorf("%w: both apps need git sources", ErrInvalid)
	}
	if toSrc.Git.Branch == "" {
		return nil, nil, nil, nil, fmt.Errorf("%w: app %s follows %s, not a branch: promote to it by pushing a matching tag", ErrInvalid, to.Name, refOf(toSrc.Git))
	}
	return from, to, fromSrc, toSrc, nil
}

func refOf(g *config.GitSource) string {
	switch {
	case g.Tag != "":
		return "tag " + g.Tag
	case g.Semver != "":
		return "tags matching " + g.Semver
	default:
		return "commit " + g.Commit
	}
}
