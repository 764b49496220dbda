package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store"
)

const tokenColumns = `id, name, role, apps_json, hash, created_at, created_by, expires_at, last_used_at, revoked_at`

// CreateToken stores a new token. It fails with an error wrapping
// token.ErrNameTaken when an active (neither revoked nor expired) token
// already has t.Name. t.Hash must be set: the store never sees secrets.
func (d *DB) CreateToken(ctx context.Context, t token.Token) error {
	if t.ID == "" || t.Hash == "" {
		return fmt.Errorf("create token %q: ID and hash must be set", t.Name)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = d.now()
	}
	apps, err := jsonText(t.Apps)
	if err != nil {
		return fmt.Errorf("create token %q: %w", t.Name, err)
	}
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkNameFree(ctx, tx, t.Name, d.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO tokens ("+tokenColumns+") VALUES ("+placeholders(10)+")",
			t.ID, t.Name, t.Role, apps, t.Hash, nanos(t.CreatedAt), t.CreatedBy,
			nanos(t.ExpiresAt), nanos(t.LastUsedAt), nanos(t.RevokedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create token %q: %w", t.Name, err)
	}
	return nil
}

// checkNameFree fails when an active token is named name.
func checkNameFree(ctx context.Context, tx *sql.Tx, name string, now time.Time) error {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM tokens WHERE name = ? AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > ?) LIMIT 1`, name, now.UnixNano()).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("%w (token %s): revoke it first or choose another name", token.ErrNameTaken, id)
}

// GetToken returns the token with the given ID, revoked and expired ones
// included, or an error wrapping store.ErrNotFound.
func (d *DB) GetToken(ctx context.Context, id string) (token.Token, error) {
	row := d.r.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ?", id)
	t, err := scanToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		return token.Token{}, fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return token.Token{}, fmt.Errorf("token %s: %w", id, err)
	}
	return t, nil
}

// ListTokens returns every token, revoked and expired ones included,
// oldest first.
func (d *DB) ListTokens(ctx context.Context) ([]token.Token, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT "+tokenColumns+" FROM tokens ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	list, err := collect(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return list, nil
}

// RevokeToken revokes the token with the given ID now and returns it.
// Revoking a revoked token keeps its first revocation time; an unknown ID
// is an error wrapping store.ErrNotFound.
func (d *DB) RevokeToken(ctx context.Context, id string) (token.Token, error) {
	_, err := d.w.ExecContext(ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
		d.now().UnixNano(), id)
	if err != nil {
		return token.Token{}, fmt.Errorf("revoke token %s: %w", id, err)
	}
	return d.GetToken(ctx, id)
}

// TouchToken records that the token was used at `at`. The time only moves
// forward, so late or concurrent touches do not undo each other.
func (d *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	res, err := d.w.ExecContext(ctx, `UPDATE tokens SET last_used_at = max(coalesce(last_used_at, 0), ?)
		WHERE id = ?`, at.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("touch token %s: %w", id, err)
	}
	return checkFound(res, "touch token "+id)
}

func scanToken(s scanner) (token.Token, error) {
	var t token.Token
	err := s.Scan(&t.ID, &t.Name, &t.Role, jsonCol{&t.Apps}, &t.Hash, timeCol{&t.CreatedAt}, &t.CreatedBy,
		timeCol{&t.ExpiresAt}, timeCol{&t.LastUsedAt}, timeCol{&t.RevokedAt})
	return t, err
}
