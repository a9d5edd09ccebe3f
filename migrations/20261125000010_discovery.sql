-- Discovery: page views by day (trending decays them), the show trending index, rejected versions.

-- Daily view counts of artist and show pages; buffered in each process and flushed in batches.
-- Subjects are artist or show ids (UUIDs do not collide); rows older than 180 days are purged.
CREATE TABLE page_views (
    subject_id  uuid NOT NULL,
    day         date NOT NULL,
    views       bigint NOT NULL CHECK (views >= 0),
    PRIMARY KEY (subject_id, day)
);
CREATE INDEX page_views_day_idx ON page_views (day);

CREATE INDEX shows_trending_idx ON shows (trending_score DESC, id)
    WHERE status IN ('upcoming', 'ongoing');

-- A moderator may reject a version; the list goes back to the last good one (as a new version).
ALTER TABLE setlist_versions
    ADD COLUMN rejected_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN rejected_at timestamptz,
    ADD COLUMN reject_reason text CHECK (length(reject_reason) <= 500);

-- The dashboard lists a fan's contributions.
CREATE INDEX setlist_songs_added_by_idx ON setlist_songs (added_by) WHERE added_by IS NOT NULL;
CREATE INDEX setlist_versions_author_idx ON setlist_versions (author_id) WHERE author_id IS NOT NULL;
