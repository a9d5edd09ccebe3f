-- The offline client's sync: devices with their applied sequence, per-mutation results, vote
-- clocks (last writer by the time the user acted), and one change log the pull reads.

CREATE TABLE devices (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq      bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user_idx ON devices (user_id);

-- What each pushed mutation got, so a retried push is answered the same (kept 90 days).
CREATE TABLE device_results (
    device_id    uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    seq          bigint NOT NULL CHECK (seq >= 1),
    mutation_id  uuid NOT NULL,
    outcome      jsonb NOT NULL,
    -- A pull reports a mutation applied only once its effects can be served (see db/sync.rs).
    tx           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, seq),
    UNIQUE (device_id, mutation_id)
);
CREATE INDEX device_results_at_idx ON device_results (at);

-- A vote is a register per (user, line); the stamp of the last write survives a cleared vote,
-- so an older write arriving late (an offline device) cannot bring a vote back.
CREATE TABLE vote_clocks (
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    setlist_song_id  uuid NOT NULL REFERENCES setlist_songs (id) ON DELETE CASCADE,
    hlc              bigint NOT NULL,
    PRIMARY KEY (user_id, setlist_song_id)
);

-- Every change of a row some device may hold. `artist_id` scopes a change to the followers of
-- that artist, `user_id` to one user. Ordered by (writing transaction, sequence) and read only
-- below the oldest running transaction (see backend/src/db/feed.rs), so a transaction that
-- commits late is never skipped.
CREATE SEQUENCE sync_change_seq;
CREATE TABLE sync_changes (
    tx         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq        bigint NOT NULL DEFAULT nextval('sync_change_seq'),
    entity     text NOT NULL CHECK (entity IN ('artist', 'show', 'song', 'setlist', 'line', 'vote', 'follow')),
    entity_id  uuid NOT NULL,
    artist_id  uuid,
    user_id    uuid,
    deleted    boolean NOT NULL DEFAULT false,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tx, seq)
);
CREATE INDEX sync_changes_user_idx ON sync_changes (user_id, tx, seq) WHERE user_id IS NOT NULL;
CREATE INDEX sync_changes_artist_idx ON sync_changes (artist_id, tx, seq) WHERE artist_id IS NOT NULL;
CREATE INDEX sync_changes_at_idx ON sync_changes (at);

-- The oldest position still in the log; cursors before it get 410.
CREATE TABLE sync_horizon (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    tx        bigint NOT NULL,
    seq       bigint NOT NULL
);
INSERT INTO sync_horizon (tx, seq) VALUES (0, 0);

-- Logs a change and wakes live clients (`sync_changes` carries the artist or user id; Postgres
-- folds identical payloads within a transaction, so an import notifies once per artist).
CREATE FUNCTION sync_log(entity text, entity_id uuid, artist uuid, owner uuid, gone boolean)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO sync_changes (entity, entity_id, artist_id, user_id, deleted)
    VALUES (entity, entity_id, artist, owner, gone);
    SELECT pg_notify('sync_changes', coalesce(artist, owner)::text);
$$;

CREATE FUNCTION sync_track_artists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('artist', OLD.id, OLD.id, NULL, true);
        RETURN NULL;
    END IF;
    -- Trending and view counters change often and no device shows them offline.
    IF TG_OP = 'UPDATE' AND (NEW.name, NEW.slug, NEW.image_url, NEW.genres, NEW.popularity, NEW.followers)
        IS NOT DISTINCT FROM (OLD.name, OLD.slug, OLD.image_url, OLD.genres, OLD.popularity, OLD.followers) THEN
        RETURN NULL;
    END IF;
    PERFORM sync_log('artist', NEW.id, NEW.id, NULL, false);
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_artists AFTER INSERT OR UPDATE OR DELETE ON artists
    FOR EACH ROW EXECUTE FUNCTION sync_track_artists();

CREATE FUNCTION sync_track_shows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('show', OLD.id, OLD.headliner_artist_id, NULL, true);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.name, NEW.date, NEW.start_time, NEW.starts_at, NEW.status, NEW.venue_id,
                             NEW.ticket_url, NEW.sold_out, NEW.headliner_artist_id)
        IS NOT DISTINCT FROM (OLD.name, OLD.date, OLD.start_time, OLD.starts_at, OLD.status, OLD.venue_id,
                              OLD.ticket_url, OLD.sold_out, OLD.headliner_artist_id) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.headliner_artist_id <> OLD.headliner_artist_id THEN
        PERFORM sync_log('show', OLD.id, OLD.headliner_artist_id, NULL, true);
    END IF;
    PERFORM sync_log('show', NEW.id, NEW.headliner_artist_id, NULL, false);
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_shows AFTER INSERT OR UPDATE OR DELETE ON shows
    FOR EACH ROW EXECUTE FUNCTION sync_track_shows();

CREATE FUNCTION sync_track_artist_songs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('song', OLD.song_id, OLD.artist_id, NULL, true);
    ELSE
        PERFORM sync_log('song', NEW.song_id, NEW.artist_id, NULL, false);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_artist_songs AFTER INSERT OR DELETE ON artist_songs
    FOR EACH ROW EXECUTE FUNCTION sync_track_artist_songs();

CREATE FUNCTION sync_track_songs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.title, NEW.album, NEW.release_date, NEW.popularity)
        IS NOT DISTINCT FROM (OLD.title, OLD.album, OLD.release_date, OLD.popularity) THEN
        RETURN NULL;
    END IF;
    PERFORM sync_log('song', NEW.id, x.artist_id, NULL, false) FROM artist_songs x WHERE x.song_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_songs AFTER UPDATE ON songs
    FOR EACH ROW EXECUTE FUNCTION sync_track_songs();

-- Personal predictions reach their owner only; community and actual lists every follower.
CREATE FUNCTION sync_track_setlists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r setlists;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_OP = 'UPDATE' AND (NEW.version, NEW.moderation_status, NEW.accuracy_score, NEW.verified_version)
        IS NOT DISTINCT FROM (OLD.version, OLD.moderation_status, OLD.accuracy_score, OLD.verified_version) THEN
        RETURN NULL;
    END IF;
    PERFORM sync_log('setlist', r.id,
                     CASE WHEN r.source = 'user' THEN NULL ELSE r.artist_id END,
                     CASE WHEN r.source = 'user' THEN r.owner_user_id END,
                     TG_OP = 'DELETE');
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_setlists AFTER INSERT OR UPDATE OR DELETE ON setlists
    FOR EACH ROW EXECUTE FUNCTION sync_track_setlists();

CREATE FUNCTION sync_track_setlist_songs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r setlist_songs;
    l setlists;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_OP = 'UPDATE' AND (NEW.upvotes, NEW.downvotes, NEW.position, NEW.title, NEW.set_name, NEW.song_id,
                             NEW.is_cover, NEW.is_tape)
        IS NOT DISTINCT FROM (OLD.upvotes, OLD.downvotes, OLD.position, OLD.title, OLD.set_name, OLD.song_id,
                              OLD.is_cover, OLD.is_tape) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO l FROM setlists WHERE id = r.setlist_id;
    IF NOT FOUND THEN
        -- The set-list itself is being deleted; its tombstone covers the lines.
        RETURN NULL;
    END IF;
    PERFORM sync_log('line', r.id,
                     CASE WHEN l.source = 'user' THEN NULL ELSE l.artist_id END,
                     CASE WHEN l.source = 'user' THEN l.owner_user_id END,
                     TG_OP = 'DELETE');
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_setlist_songs AFTER INSERT OR UPDATE OR DELETE ON setlist_songs
    FOR EACH ROW EXECUTE FUNCTION sync_track_setlist_songs();

-- A user's own vote: one register per line (a cleared vote arrives as value 0).
CREATE FUNCTION sync_track_votes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r votes;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF r.user_id IS NOT NULL THEN
        PERFORM sync_log('vote', r.setlist_song_id, NULL, r.user_id, false);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_votes AFTER INSERT OR UPDATE OR DELETE ON votes
    FOR EACH ROW EXECUTE FUNCTION sync_track_votes();

CREATE FUNCTION sync_track_follows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('follow', OLD.artist_id, NULL, OLD.user_id, true);
    ELSE
        PERFORM sync_log('follow', NEW.artist_id, NULL, NEW.user_id, false);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_follows AFTER INSERT OR DELETE ON user_follows_artists
    FOR EACH ROW EXECUTE FUNCTION sync_track_follows();
