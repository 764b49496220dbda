-- 0001: the tables. Times are Unix nanoseconds (NULL when unset); lists and
-- maps are JSON text. IDs of history tables are AUTOINCREMENT so that an ID is
-- never reused after retention deletes rows (pagination and event streams rely
-- on IDs only growing).

CREATE TABLE app_status (
	app             TEXT    NOT NULL PRIMARY KEY,
	sync            TEXT    NOT NULL DEFAULT '',
	health          TEXT    NOT NULL DEFAULT '',
	health_message  TEXT    NOT NULL DEFAULT '',
	revision        TEXT    NOT NULL DEFAULT '',
	commit_json     TEXT    NOT NULL DEFAULT 'null',
	input_hash      TEXT    NOT NULL DEFAULT '',
	source_revision TEXT    NOT NULL DEFAULT '',
	last_sync_at    INTEGER,
	last_attempt_at INTEGER,
	last_error      TEXT    NOT NULL DEFAULT '',
	failures        INTEGER NOT NULL DEFAULT 0,
	suspended       INTEGER NOT NULL DEFAULT 0,
	suspend_reason  TEXT    NOT NULL DEFAULT '',
	pinned_revision TEXT    NOT NULL DEFAULT '',
	drift_json      TEXT    NOT NULL DEFAULT 'null',
	drift_at        INTEGER,
	target          TEXT    NOT NULL DEFAULT '',
	source          TEXT    NOT NULL DEFAULT '',
	path            TEXT    NOT NULL DEFAULT '',
	updated_at      INTEGER
) STRICT;

CREATE TABLE syncs (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	app          TEXT    NOT NULL,
	revision     TEXT    NOT NULL DEFAULT '',
	commit_json  TEXT    NOT NULL DEFAULT 'null',
	input_hash   TEXT    NOT NULL DEFAULT '',
	trigger_type TEXT    NOT NULL DEFAULT '',
	reason       TEXT    NOT NULL DEFAULT '',
	actor        TEXT    NOT NULL DEFAULT '',
	started_at   INTEGER NOT NULL,
	finished_at  INTEGER,
	result       TEXT    NOT NULL,
	error        TEXT    NOT NULL DEFAULT '',
	actions_json TEXT    NOT NULL DEFAULT 'null',
	hooks_json   TEXT    NOT NULL DEFAULT 'null',
	health       TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE audit (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	time   INTEGER NOT NULL,
	actor  TEXT    NOT NULL DEFAULT '',
	action TEXT    NOT NULL DEFAULT '',
	app    TEXT    NOT NULL DEFAULT '',
	detail TEXT    NOT NULL DEFAULT '',
	result TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	time        INTEGER NOT NULL,
	app         TEXT    NOT NULL DEFAULT '',
	type        TEXT    NOT NULL DEFAULT '',
	message     TEXT    NOT NULL DEFAULT '',
	revision    TEXT    NOT NULL DEFAULT '',
	detail_json TEXT    NOT NULL DEFAULT 'null'
) STRICT;
