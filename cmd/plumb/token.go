package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/store/sqlite"
)

// tokenFlags choose where token verbs act: the daemon's API, or with
// --local the SQLite file in --state directly.
type tokenFlags struct {
	local bool
	state string
}

func newToken(g *globals) *cobra.Command {
	tf := &tokenFlags{}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke API tokens (admin)",
		Long: "API tokens authenticate callers of the plumb daemon (send them as `Authorization: Bearer`, or set\n" +
			"PLUMB_TOKEN). A daemon listening on loopback accepts every local caller as admin until the first\n" +
			"token is created; from then on, and always on other addresses, every caller needs a token.\n" +
			"With --local, the verbs act on the state directory's database directly, without a daemon: use it\n" +
			"to create the first admin token.",
	}
	cmd.PersistentFlags().BoolVar(&tf.local, "local", false, "act on the database in --state directly instead of the daemon's API")
	cmd.PersistentFlags().StringVar(&tf.state, "state", ".plumb", "plumb's state directory (with --local)")
	cmd.AddCommand(newTokenCreate(g, tf), newTokenList(g, tf), newTokenRevoke(g, tf))
	return cmd
}

func newTokenCreate(g *globals, tf *tokenFlags) *cobra.Command {
	var req api.TokenRequest
	var expires time.Duration
	cmd := &cobra.Command{
		Use:   "create NAME --role viewer|operator|admin [--apps GLOB,...] [--expires 720h]",
		Short: "Create a token; it is printed once and never shown again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Name = args[0]
			if expires > 0 {
				req.ExpiresIn = expires.String()
			}
			return withTokens(cmd.Context(), g, tf, func(b tokenBackend) error {
				made, err := b.create(cmd.Context(), req)
				if err != nil {
					return err
				}
				return printNewToken(cmd.OutOrStdout(), cmd.ErrOrStderr(), g.output, made)
			})
		},
	}
	cmd.Flags().StringVar(&req.Role, "role", "", "viewer (reads), operator (also syncs, rolls back, suspends) or admin (also manages tokens)")
	cmd.Flags().StringSliceVar(&req.Apps, "apps", nil, "globs of the app names the token may act on, e.g. 'team-a-*' (default: all apps)")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime of the token, e.g. 720h (default: never expires)")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newTokenList(g *globals, tf *tokenFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets), revoked and expired ones included",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTokens(cmd.Context(), g, tf, func(b tokenBackend) error {
				list, err := b.list(cmd.Context())
				if err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), g.output, list, func(tw *tabwriter.Writer) { tokenTable(tw, list) })
			})
		},
	}
}

func newTokenRevoke(g *globals, tf *tokenFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withTokens(cmd.Context(), g, tf, func(b tokenBackend) error {
				ti, err := b.revoke(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), g.output, ti, func(tw *tabwriter.Writer) { row(tw, ti.ID, ti.Name, "revoked") })
			})
		},
	}
}

// printNewToken prints the plaintext token alone on stdout (so that
// TOKEN=$(plumb token create ...) works) and what it is on stderr.
func printNewToken(out, errw io.Writer, format string, made api.NewToken) error {
	if format != "table" && format != "" {
		return emit(out, format, made, nil)
	}
	apps := "all apps"
	if len(made.Apps) > 0 {
		apps = "apps " + strings.Join(made.Apps, ", ")
	}
	expires := "never expires"
	if !made.ExpiresAt.IsZero() {
		expires = "expires " + made.ExpiresAt.Local().Format(time.RFC3339)
	}
	fmt.Fprintf(errw, "Created token %s (%s): %s on %s, %s.\nStore it now: it is not shown again.\n", made.ID, made.Name, made.Role, apps, expires)
	_, err := fmt.Fprintln(out, made.Token)
	return err
}

func tokenTable(tw *tabwriter.Writer, list []api.TokenInfo) {
	row(tw, "ID", "NAME", "ROLE", "APPS", "STATE", "CREATED", "EXPIRES", "LAST USED")
	for _, t := range list {
		expires := "-"
		if !t.ExpiresAt.IsZero() {
			expires = t.ExpiresAt.Local().Format("2006-01-02 15:04")
		}
		row(tw, t.ID, t.Name, t.Role, dash(strings.Join(t.Apps, ",")), t.State, ago(t.CreatedAt), expires, ago(t.LastUsedAt))
	}
}

// tokenBackend is where token verbs act.
type tokenBackend interface {
	create(ctx context.Context, req api.TokenRequest) (api.NewToken, error)
	list(ctx context.Context) ([]api.TokenInfo, error)
	revoke(ctx context.Context, id string) (api.TokenInfo, error)
}

// withTokens runs fn against the daemon, or the local database with --local.
func withTokens(ctx context.Context, g *globals, tf *tokenFlags, fn func(tokenBackend) error) error {
	if !tf.local {
		c, err := g.client()
		if err != nil {
			return err
		}
		return fn(remoteTokens{c})
	}
	if err := os.MkdirAll(tf.state, 0o700); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(tf.state, "plumb.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(localTokens{db})
}

// remoteTokens acts through the daemon's API.
type remoteTokens struct{ c *api.Client }

func (r remoteTokens) create(ctx context.Context, req api.TokenRequest) (api.NewToken, error) {
	return r.c.CreateToken(ctx, req)
}

func (r remoteTokens) list(ctx context.Context) ([]api.TokenInfo, error) { return r.c.Tokens(ctx) }

func (r remoteTokens) revoke(ctx context.Context, id string) (api.TokenInfo, error) {
	return r.c.RevokeToken(ctx, id)
}

// localTokens acts on the database file, as the local admin, and audits
// what it changes like the API does.
type localTokens struct{ db *sqlite.DB }

func (l localTokens) create(ctx context.Context, req api.TokenRequest) (api.NewToken, error) {
	spec := token.Spec{Name: req.Name, Role: req.Role, Apps: req.Apps}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil {
			return api.NewToken{}, err
		}
		spec.TTL = d
	}
	now := time.Now()
	tok, plain, err := token.Issue(spec, now, token.ReservedName)
	if err != nil {
		return api.NewToken{}, err
	}
	err = l.db.CreateToken(ctx, tok)
	l.audit(ctx, "create-token", api.DescribeToken(tok), err)
	if err != nil {
		return api.NewToken{}, err
	}
	return api.NewToken{TokenInfo: api.TokenInfoOf(tok, now), Token: plain}, nil
}

func (l localTokens) list(ctx context.Context) ([]api.TokenInfo, error) {
	list, err := l.db.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.TokenInfo, 0, len(list))
	for _, t := range list {
		out = append(out, api.TokenInfoOf(t, time.Now()))
	}
	return out, nil
}

func (l localTokens) revoke(ctx context.Context, id string) (api.TokenInfo, error) {
	tok, err := l.db.RevokeToken(ctx, id)
	detail := "token " + id
	if err == nil {
		detail = api.DescribeToken(tok)
	}
	l.audit(ctx, "revoke-token", detail, err)
	if err != nil {
		return api.TokenInfo{}, err
	}
	return api.TokenInfoOf(tok, time.Now()), nil
}

func (l localTokens) audit(ctx context.Context, action, detail string, err error) {
	e := store.AuditEntry{Actor: token.ReservedName, Action: action, Detail: detail + " (--local)", Result: "ok"}
	if err != nil {
		e.Result = "error: " + err.Error()
	}
	_ = l.db.AddAudit(context.WithoutCancel(ctx), e)
}
