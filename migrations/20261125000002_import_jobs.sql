-- Import jobs: per-artist job lookup, per-show set-list import state, and NOTIFY channels that
-- wake workers (`sync_jobs`) and fan progress out to SSE streams in every backend process
-- (`sync_progress`).

ALTER TABLE sync_jobs ADD COLUMN artist_id uuid REFERENCES artists (id) ON DELETE CASCADE;
CREATE INDEX sync_jobs_artist_idx ON sync_jobs (artist_id, created_at DESC);

ALTER TABLE sync_progress ADD COLUMN status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'succeeded', 'failed', 'retrying'));
-- The writing transaction. Streams serve only rows below the oldest running transaction
-- (pg_snapshot_xmin), so a row whose id was allocated earlier but committed later is never
-- skipped by a reader that already moved past its id.
ALTER TABLE sync_progress ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();

-- Each past show keeps its own setlist.fm import state, so shows setlist.fm does not have yet
-- back off on their own schedule and never starve the others.
CREATE TABLE show_setlist_imports (
    show_id          uuid PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'not_found', 'imported')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX show_setlist_imports_due_idx ON show_setlist_imports (next_attempt_at)
    WHERE state IN ('pending', 'not_found');
CREATE TRIGGER show_setlist_imports_updated_at BEFORE UPDATE ON show_setlist_imports
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION sync_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sync_jobs', NEW.job_type);
    RETURN NULL;
END $$;
CREATE TRIGGER sync_jobs_notify AFTER INSERT ON sync_jobs FOR EACH ROW EXECUTE FUNCTION sync_jobs_notify();

CREATE FUNCTION sync_progress_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sync_progress', NEW.job_id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER sync_progress_notify AFTER INSERT ON sync_progress FOR EACH ROW EXECUTE FUNCTION sync_progress_notify();
