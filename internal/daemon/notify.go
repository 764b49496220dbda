package daemon

import (
	"context"
	"errors"

	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/notify"
	"plumb.dev/plumb/internal/store/sqlite"
)

// appInfo tells notifications about an app: its target, its source's URL
// and the commit (author, message) of a revision.
type appInfo struct {
	eng *engine.Engine
	db  *sqlite.DB
}

// AppContext looks up app at revision ("" for the revision applied now).
func (i appInfo) AppContext(ctx context.Context, app, revision string) (notify.AppContext, error) {
	cfg := i.eng.Config()
	a := cfg.App(app)
	if a == nil {
		return notify.AppContext{}, errors.New("app " + app + " is not in the config")
	}
	out := notify.AppContext{Target: a.Target}
	if s := cfg.Source(a.Source); s != nil && s.Git != nil {
		out.SourceURL = s.Git.URL
	}
	recs, err := i.db.ListSyncs(ctx, app, 10, 0)
	if err != nil {
		return out, err
	}
	for _, r := range recs {
		if revision == "" || r.Revision == revision {
			out.Commit, out.Reason = r.Commit, r.Reason
			return out, nil
		}
	}
	if st, err := i.db.GetStatus(ctx, app); err == nil {
		out.Commit = st.Commit
	}
	return out, nil
}

var _ notify.AppInfo = appInfo{}
