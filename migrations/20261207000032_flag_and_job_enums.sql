-- More closed sets closed in the database (see migration 31): a flag's status and reason, and an
-- import job's status, become enum types mapped to `FlagStatus`, `FlagReason` and `JobStatus`.
CREATE TYPE flag_status AS ENUM ('open', 'resolved', 'dismissed');
CREATE TYPE flag_reason AS ENUM ('wrong_song', 'duplicate', 'offensive', 'spam', 'other');
CREATE TYPE job_status AS ENUM ('running', 'retrying', 'succeeded', 'failed');

-- The indexes that name a flag's status (one open flag per fan and target, the queue) are made
-- again over the new type: their stored `'open'::text` would no longer compare.
DO $$
DECLARE
    defs text[];
    def text;
BEGIN
    SELECT coalesce(array_agg(indexdef), '{}') INTO defs
        FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'flags' AND indexdef LIKE '%status%';
    FOR def IN SELECT indexname FROM pg_indexes
            WHERE schemaname = 'public' AND tablename = 'flags' AND indexdef LIKE '%status%' LOOP
        EXECUTE format('DROP INDEX %I', def);
    END LOOP;
    ALTER TABLE flags
        DROP CONSTRAINT flags_status_check,
        DROP CONSTRAINT flags_reason_check,
        ALTER COLUMN status DROP DEFAULT,
        ALTER COLUMN status TYPE flag_status USING status::flag_status,
        ALTER COLUMN status SET DEFAULT 'open',
        ALTER COLUMN reason TYPE flag_reason USING reason::flag_reason;
    FOREACH def IN ARRAY defs LOOP
        EXECUTE replace(def, '''open''::text', '''open''::flag_status');
    END LOOP;
END $$;

ALTER TABLE sync_progress
    DROP CONSTRAINT sync_progress_status_check,
    ALTER COLUMN status DROP DEFAULT,
    ALTER COLUMN status TYPE job_status USING status::job_status,
    ALTER COLUMN status SET DEFAULT 'running';
