-- 0003: API tokens. Only the SHA-256 hash of a token's secret is kept; the
-- plaintext is shown once when the token is created. Revoked tokens stay, so
-- that the audit log's actors keep a meaning. Times are Unix nanoseconds.

CREATE TABLE tokens (
	id           TEXT    NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	role         TEXT    NOT NULL,
	apps_json    TEXT    NOT NULL DEFAULT 'null',
	hash         TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	created_by   TEXT    NOT NULL DEFAULT '',
	expires_at   INTEGER,
	last_used_at INTEGER,
	revoked_at   INTEGER
) STRICT;

CREATE INDEX tokens_name ON tokens (name) WHERE revoked_at IS NULL;
