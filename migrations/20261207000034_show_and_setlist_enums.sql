-- More closed sets closed in the database (see migrations 31–33): a show's status and a
-- set-list's kind and source become enum types mapped to `ShowStatus`, `SetlistKind` and
-- `SetlistSource`, so `WHERE status = 'upcomming'` fails when the query is prepared instead of
-- quietly matching no show.
CREATE TYPE show_status AS ENUM ('upcoming', 'ongoing', 'completed', 'cancelled', 'postponed', 'rescheduled');
CREATE TYPE setlist_kind AS ENUM ('predicted', 'actual', 'crowd');
CREATE TYPE setlist_source AS ENUM ('community', 'user', 'setlistfm', 'manual', 'crowd');

-- What names the columns in a stored expression (partial indexes, the leaderboard, the privacy
-- policy) is dropped and made again over the new types: their stored `'…'::text` literals would
-- no longer compare.
DO $$
DECLARE
    defs text[];
    def text;
BEGIN
    SELECT coalesce(array_agg(indexdef), '{}') INTO defs
        FROM pg_indexes
        WHERE schemaname = 'public'
          AND ((tablename = 'shows' AND indexdef LIKE '%status%')
               OR (tablename = 'setlists' AND (indexdef LIKE '%kind%' OR indexdef LIKE '%source%')));
    FOR def IN SELECT indexname FROM pg_indexes
            WHERE schemaname = 'public'
              AND ((tablename = 'shows' AND indexdef LIKE '%status%')
                   OR (tablename = 'setlists' AND (indexdef LIKE '%kind%' OR indexdef LIKE '%source%'))) LOOP
        EXECUTE format('DROP INDEX %I', def);
    END LOOP;

    -- A trigger on `UPDATE OF status` pins the column's type (made again below).
    DROP TRIGGER notify_show_changed ON shows;
    ALTER TABLE shows
        DROP CONSTRAINT shows_status_check,
        ALTER COLUMN status DROP DEFAULT,
        ALTER COLUMN status TYPE show_status USING status::show_status,
        ALTER COLUMN status SET DEFAULT 'upcoming';
    CREATE TRIGGER notify_show_changed AFTER UPDATE OF date, venue_id, status ON shows
        FOR EACH ROW EXECUTE FUNCTION notify_show_changed();

    DROP MATERIALIZED VIEW leaderboard_all_time;
    DROP POLICY public_or_own ON setlists;
    ALTER TABLE setlists
        DROP CONSTRAINT setlists_kind_source_check,
        DROP CONSTRAINT setlists_kind_check,
        DROP CONSTRAINT setlists_source_check,
        DROP CONSTRAINT setlists_check,
        ALTER COLUMN kind TYPE setlist_kind USING kind::setlist_kind,
        ALTER COLUMN source TYPE setlist_source USING source::setlist_source,
        ADD CONSTRAINT setlists_kind_source_check CHECK (
            (kind = 'predicted' AND source IN ('community', 'user'))
            OR (kind = 'actual' AND source IN ('setlistfm', 'manual', 'crowd'))
            OR (kind = 'crowd' AND source = 'crowd')),
        ADD CONSTRAINT setlists_check CHECK ((source = 'user') = (owner_user_id IS NOT NULL));

    FOREACH def IN ARRAY defs LOOP
        def := regexp_replace(def, '''(upcoming|ongoing|completed|cancelled|postponed|rescheduled)''::text', '''\1''::show_status', 'g');
        def := regexp_replace(def, '\(kind = ''(predicted|actual|crowd)''::text\)', '(kind = ''\1''::setlist_kind)', 'g');
        def := regexp_replace(def, '''(community|user|setlistfm|manual|crowd)''::text', '''\1''::setlist_source', 'g');
        EXECUTE def;
    END LOOP;
END $$;

-- As in migration 27: every public list, and of the personal predictions the acting fan's own.
CREATE POLICY public_or_own ON setlists TO theset_app
    USING (source <> 'user' OR owner_user_id = theset_acting_user())
    WITH CHECK (source <> 'user' OR owner_user_id = theset_acting_user());

-- As in migration 24, over the typed columns.
CREATE MATERIALIZED VIEW leaderboard_all_time AS
    SELECT rank() OVER (ORDER BY sum(l.accuracy_score) DESC) AS rank,
           l.owner_user_id AS user_id,
           sum(l.accuracy_score) AS score,
           count(*) AS predictions,
           avg(l.accuracy_score) AS average
      FROM setlists l
     WHERE l.source = 'user' AND l.accuracy_score IS NOT NULL
       AND EXISTS (SELECT 1 FROM setlists a
                    WHERE a.show_id = l.show_id AND a.kind = 'actual' AND a.verified_version IS NOT NULL)
     GROUP BY l.owner_user_id;
CREATE UNIQUE INDEX leaderboard_all_time_user_key ON leaderboard_all_time (user_id);
CREATE INDEX leaderboard_all_time_order_idx ON leaderboard_all_time (score DESC, average DESC, user_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON leaderboard_all_time TO theset_app;
