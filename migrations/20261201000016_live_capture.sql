-- Live capture: fans at a show tap the song being played; the captures merge into the show's
-- crowd set-list (rules in `shared/src/crowd.rs`).
CREATE TABLE captures (
    -- Chosen by the device: the same capture sent twice is stored once.
    id           uuid PRIMARY KEY,
    show_id      uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    song_id      uuid REFERENCES songs (id) ON DELETE SET NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- The device's clock when the fan tapped.
    captured_at  timestamptz NOT NULL,
    encore       boolean NOT NULL DEFAULT false,
    undone_at    timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX captures_show_idx ON captures (show_id) WHERE undone_at IS NULL;

-- The crowd list is a set-list of source `crowd`: the show's actual list (kind `actual`) while
-- no imported or hand-started one exists, and kept beside such a list as kind `crowd`.
ALTER TABLE setlists
    DROP CONSTRAINT setlists_kind_check,
    DROP CONSTRAINT setlists_source_check,
    DROP CONSTRAINT setlists_check1,
    ADD CONSTRAINT setlists_kind_check CHECK (kind IN ('predicted', 'actual', 'crowd')),
    ADD CONSTRAINT setlists_source_check CHECK (source IN ('community', 'user', 'setlistfm', 'manual', 'crowd')),
    ADD CONSTRAINT setlists_kind_source_check CHECK (
        (kind = 'predicted' AND source IN ('community', 'user'))
        OR (kind = 'actual' AND source IN ('setlistfm', 'manual', 'crowd'))
        OR (kind = 'crowd' AND source = 'crowd'));
CREATE UNIQUE INDEX setlists_crowd_key ON setlists (show_id, artist_id) WHERE source = 'crowd';

-- A crowd list that an import demotes (kind `actual` → `crowd`) must reach the devices too.
CREATE OR REPLACE FUNCTION sync_track_setlists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r setlists;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_OP = 'UPDATE' AND (NEW.version, NEW.moderation_status, NEW.accuracy_score, NEW.verified_version, NEW.kind)
        IS NOT DISTINCT FROM (OLD.version, OLD.moderation_status, OLD.accuracy_score, OLD.verified_version, OLD.kind) THEN
        RETURN NULL;
    END IF;
    PERFORM sync_log('setlist', r.id,
                     CASE WHEN r.source = 'user' THEN NULL ELSE r.artist_id END,
                     CASE WHEN r.source = 'user' THEN r.owner_user_id END,
                     TG_OP = 'DELETE');
    RETURN NULL;
END $$;
