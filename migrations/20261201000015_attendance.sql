-- "I'm going" and shows opened on a device: both put the show's headliner in the user's sync
-- scope (its catalogue, shows and lists reach the device) whether or not the artist is followed.
-- A row is either an attendance (`going`, shown on the public profile only when `public`) or a
-- show the user opened (`kept_at`), which stays in scope until the show is past.
CREATE TABLE show_attendance (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    show_id     uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    going       boolean NOT NULL DEFAULT false,
    public      boolean NOT NULL DEFAULT false,
    kept_at     timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, show_id),
    CHECK (going OR kept_at IS NOT NULL),
    CHECK (going OR NOT public)
);
CREATE INDEX show_attendance_show_idx ON show_attendance (show_id) WHERE going;

-- The artists whose rows a user's devices hold: followed ones and the headliners of shows the
-- user is going to or opened (within the window a device keeps past shows).
CREATE FUNCTION user_scope_artists(uid uuid) RETURNS TABLE (artist_id uuid) LANGUAGE sql STABLE AS $$
    SELECT f.artist_id FROM user_follows_artists f WHERE f.user_id = uid
    UNION
    SELECT s.headliner_artist_id FROM show_attendance a JOIN shows s ON s.id = a.show_id
     WHERE a.user_id = uid AND s.date >= current_date - 90
$$;

ALTER TABLE sync_changes
    DROP CONSTRAINT sync_changes_entity_check,
    ADD CONSTRAINT sync_changes_entity_check
        CHECK (entity IN ('artist', 'show', 'song', 'setlist', 'line', 'vote', 'follow', 'attend'));

-- Reaches only its owner; a deleted row tells the devices to let the show go.
CREATE FUNCTION sync_track_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('attend', OLD.show_id, NULL, OLD.user_id, true);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.going, NEW.public, NEW.kept_at IS NULL)
        IS NOT DISTINCT FROM (OLD.going, OLD.public, OLD.kept_at IS NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM sync_log('attend', NEW.show_id, NULL, NEW.user_id, false);
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_attendance AFTER INSERT OR UPDATE OR DELETE ON show_attendance
    FOR EACH ROW EXECUTE FUNCTION sync_track_attendance();

-- A private calendar feed of the shows a user is going to: the URL carries a secret whose digest
-- is kept here; making a new one revokes the old.
CREATE TABLE calendar_feeds (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
