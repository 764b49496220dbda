-- 0002: indexes for the history queries: one app's syncs and events newest
-- first, syncs still running (startup), and time ranges (metrics, retention).

CREATE INDEX syncs_app_id ON syncs (app, id);
CREATE INDEX syncs_started_at ON syncs (started_at);
CREATE INDEX syncs_running ON syncs (id) WHERE result = 'running';
CREATE INDEX events_app_id ON events (app, id);
CREATE INDEX events_time ON events (time);
CREATE INDEX audit_time ON audit (time);
