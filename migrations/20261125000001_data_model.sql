-- TheSet's data model. Never edit an applied migration: add a new one.
--
-- Conventions: uuid keys (gen_random_uuid), text + CHECK instead of Postgres enums (they evolve
-- without ALTER TYPE locks and map to Rust enums at the edge), timestamptz everywhere, external ids
-- unique where present (NULLs are distinct), `updated_at` maintained by one trigger.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- ── artists and their catalogue ───────────────────────────────────────────────────────────────
CREATE TABLE artists (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticketmaster_id      text UNIQUE,
    spotify_id           text UNIQUE,
    musicbrainz_id       uuid UNIQUE,
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    slug                 text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    image_url            text,
    images               jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(images) = 'array'),
    genres               text[] NOT NULL DEFAULT '{}',
    popularity           integer CHECK (popularity BETWEEN 0 AND 100),
    followers            bigint CHECK (followers >= 0),
    bio                  text,
    -- [{ "kind": "spotify", "url": "..." }, ...]
    links                jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    trending_score       double precision NOT NULL DEFAULT 0,
    view_count           bigint NOT NULL DEFAULT 0,
    ticketmaster_synced_at timestamptz,
    spotify_synced_at    timestamptz,
    setlistfm_synced_at  timestamptz,
    catalogue_synced_at  timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artists_name_idx ON artists (lower(name), id);
CREATE INDEX artists_trending_idx ON artists (trending_score DESC, id DESC);
CREATE INDEX artists_genres_idx ON artists USING gin (genres);
CREATE INDEX artists_name_trgm_idx ON artists USING gin (name gin_trgm_ops);
CREATE TRIGGER artists_updated_at BEFORE UPDATE ON artists FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE songs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    spotify_id        text UNIQUE,
    -- One song per recording: ISRC is the dedup key when present.
    isrc              text UNIQUE CHECK (isrc ~ '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    -- shared::titles normal form; matching set-list entries and dedup without ISRC use it.
    normalized_title  text NOT NULL,
    album             text,
    album_spotify_id  text,
    album_type        text CHECK (album_type IN ('album', 'single', 'compilation', 'ep')),
    release_date      date,
    track_number      integer CHECK (track_number > 0),
    disc_number       integer CHECK (disc_number > 0),
    duration_ms       integer CHECK (duration_ms >= 0),
    popularity        integer CHECK (popularity BETWEEN 0 AND 100),
    is_live           boolean NOT NULL DEFAULT false,
    is_remix          boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX songs_normalized_title_idx ON songs (normalized_title);
CREATE TRIGGER songs_updated_at BEFORE UPDATE ON songs FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE artist_songs (
    artist_id          uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    song_id            uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    is_primary_artist  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (artist_id, song_id)
);
CREATE INDEX artist_songs_song_idx ON artist_songs (song_id);

-- ── venues and shows ──────────────────────────────────────────────────────────────────────────
CREATE TABLE venues (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticketmaster_id  text UNIQUE,
    setlistfm_id     text UNIQUE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    address          text,
    city             text,
    state            text,
    state_code       text,
    country          text,
    country_code     text CHECK (country_code ~ '^[A-Z]{2}$'),
    postal_code      text,
    timezone         text,
    capacity         integer CHECK (capacity > 0),
    location         geography(Point, 4326),
    url              text,
    image_url        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX venues_location_idx ON venues USING gist (location);
CREATE INDEX venues_city_idx ON venues (lower(city));
CREATE INDEX venues_name_idx ON venues (lower(name), id);
CREATE INDEX venues_capacity_idx ON venues (capacity);
CREATE TRIGGER venues_updated_at BEFORE UPDATE ON venues FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE shows (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticketmaster_id      text UNIQUE,
    setlistfm_id         text UNIQUE,
    name                 text,
    headliner_artist_id  uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    venue_id             uuid REFERENCES venues (id) ON DELETE SET NULL,
    date                 date NOT NULL,
    start_time           time,
    -- The start as an instant (local date/time at the venue's zone); voting closes at it.
    starts_at            timestamptz,
    status               text NOT NULL DEFAULT 'upcoming'
                         CHECK (status IN ('upcoming', 'ongoing', 'completed', 'cancelled')),
    ticket_url           text,
    sold_out             boolean NOT NULL DEFAULT false,
    price_currency       text CHECK (price_currency ~ '^[A-Z]{3}$'),
    price_min            numeric(10, 2) CHECK (price_min >= 0),
    price_max            numeric(10, 2) CHECK (price_max >= price_min),
    tour_name            text,
    -- metrics
    view_count           bigint NOT NULL DEFAULT 0,
    vote_count           bigint NOT NULL DEFAULT 0,
    prediction_count     bigint NOT NULL DEFAULT 0,
    trending_score       double precision NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shows_date_idx ON shows (date, id);
CREATE INDEX shows_artist_date_idx ON shows (headliner_artist_id, date);
CREATE INDEX shows_venue_date_idx ON shows (venue_id, date);
CREATE INDEX shows_status_date_idx ON shows (status, date);
CREATE TRIGGER shows_updated_at BEFORE UPDATE ON shows FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Line-up: the headliner (position 0) and supporting acts.
CREATE TABLE show_artists (
    show_id    uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    artist_id  uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('headliner', 'support')),
    position   integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    PRIMARY KEY (show_id, artist_id)
);
CREATE INDEX show_artists_artist_idx ON show_artists (artist_id);

-- ── users ─────────────────────────────────────────────────────────────────────────────────────
CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
    email_verified_at  timestamptz,
    display_name       text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
    avatar_url         text,
    role               text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin')),
    password_hash      text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Case-insensitive uniqueness without the citext extension.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE user_follows_artists (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    artist_id   uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, artist_id)
);
CREATE INDEX user_follows_artists_artist_idx ON user_follows_artists (artist_id, created_at);

-- ── set-lists and votes ───────────────────────────────────────────────────────────────────────
CREATE TABLE setlists (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    show_id            uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    artist_id          uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    kind               text NOT NULL CHECK (kind IN ('predicted', 'actual')),
    -- community: the show's voted list; user: a fan's personal prediction; setlistfm/manual: actual.
    source             text NOT NULL CHECK (source IN ('community', 'user', 'setlistfm', 'manual')),
    owner_user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    external_id        text UNIQUE,
    external_url       text,
    accuracy_score     double precision CHECK (accuracy_score BETWEEN 0 AND 100),
    moderation_status  text NOT NULL DEFAULT 'approved'
                       CHECK (moderation_status IN ('pending', 'approved', 'verified', 'rejected', 'hidden')),
    version            integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((source = 'user') = (owner_user_id IS NOT NULL)),
    CHECK ((kind = 'actual') = (source IN ('setlistfm', 'manual')))
);
-- One community list and one actual list per (show, artist); one personal prediction per fan.
CREATE UNIQUE INDEX setlists_community_key ON setlists (show_id, artist_id) WHERE source = 'community';
CREATE UNIQUE INDEX setlists_actual_key ON setlists (show_id, artist_id) WHERE kind = 'actual';
CREATE UNIQUE INDEX setlists_personal_key ON setlists (show_id, artist_id, owner_user_id) WHERE source = 'user';
CREATE INDEX setlists_show_idx ON setlists (show_id);
CREATE TRIGGER setlists_updated_at BEFORE UPDATE ON setlists FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE setlist_songs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    setlist_id  uuid NOT NULL REFERENCES setlists (id) ON DELETE CASCADE,
    -- NULL for free-text entries not in the catalogue (covers, medleys, jams, tapes).
    song_id     uuid REFERENCES songs (id) ON DELETE SET NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    position    integer NOT NULL CHECK (position >= 0),
    set_name    text NOT NULL DEFAULT 'main' CHECK (length(set_name) BETWEEN 1 AND 40),
    is_cover    boolean NOT NULL DEFAULT false,
    cover_of    text,
    is_tape     boolean NOT NULL DEFAULT false,
    notes       text CHECK (length(notes) <= 1000),
    play_time   interval,
    -- Denormalised vote totals, kept exact by votes_apply_totals() below; never written by the app.
    upvotes     integer NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
    downvotes   integer NOT NULL DEFAULT 0 CHECK (downvotes >= 0),
    net_votes   integer NOT NULL DEFAULT 0,
    added_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (net_votes = upvotes - downvotes)
);
CREATE INDEX setlist_songs_setlist_idx ON setlist_songs (setlist_id, position);
-- A catalogue song appears once per list.
CREATE UNIQUE INDEX setlist_songs_song_key ON setlist_songs (setlist_id, song_id) WHERE song_id IS NOT NULL;

CREATE TABLE votes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- NULL once the voter deleted their account: the vote stays in the totals, anonymised.
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    setlist_song_id  uuid NOT NULL REFERENCES setlist_songs (id) ON DELETE CASCADE,
    value            smallint NOT NULL CHECK (value IN (-1, 1)),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, setlist_song_id)
);
CREATE INDEX votes_song_idx ON votes (setlist_song_id);
CREATE TRIGGER votes_updated_at BEFORE UPDATE ON votes FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Vote totals move by the exact old→new difference in the voter's own transaction. The row lock
-- taken by INSERT … ON CONFLICT / UPDATE / DELETE on `votes` makes OLD the committed value, so
-- concurrent voters cannot double-count (a CTE that reads the old vote first can: see
-- docs/architecture.md). Lock order: votes row, then its setlist_songs row.
CREATE FUNCTION votes_apply_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.value = NEW.value AND OLD.setlist_song_id = NEW.setlist_song_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE setlist_songs
           SET upvotes = upvotes - (OLD.value = 1)::int,
               downvotes = downvotes - (OLD.value = -1)::int,
               net_votes = net_votes - OLD.value
         WHERE id = OLD.setlist_song_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE setlist_songs
           SET upvotes = upvotes + (NEW.value = 1)::int,
               downvotes = downvotes + (NEW.value = -1)::int,
               net_votes = net_votes + NEW.value
         WHERE id = NEW.setlist_song_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER votes_totals AFTER INSERT OR UPDATE OR DELETE ON votes
    FOR EACH ROW EXECUTE FUNCTION votes_apply_totals();

-- ── import jobs ───────────────────────────────────────────────────────────────────────────────
CREATE TABLE sync_jobs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_type      text NOT NULL CHECK (length(job_type) BETWEEN 1 AND 64),
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    priority      integer NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    run_at        timestamptz NOT NULL DEFAULT now(),
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    payload       jsonb NOT NULL DEFAULT '{}',
    -- Jobs with the same key are not queued twice while one is pending (e.g. import:<artist>).
    dedupe_key    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CHECK ((status = 'running') = (locked_until IS NOT NULL))
);
CREATE INDEX sync_jobs_claim_idx ON sync_jobs (priority DESC, run_at) WHERE status = 'queued';
CREATE INDEX sync_jobs_lease_idx ON sync_jobs (locked_until) WHERE status = 'running';
CREATE UNIQUE INDEX sync_jobs_dedupe_key ON sync_jobs (dedupe_key) WHERE status IN ('queued', 'running');
CREATE TRIGGER sync_jobs_updated_at BEFORE UPDATE ON sync_jobs FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE sync_progress (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id           uuid NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
    phase            text NOT NULL,
    step             text NOT NULL,
    items_total      integer CHECK (items_total >= 0),
    items_processed  integer NOT NULL DEFAULT 0 CHECK (items_processed >= 0),
    items_succeeded  integer NOT NULL DEFAULT 0 CHECK (items_succeeded >= 0),
    items_failed     integer NOT NULL DEFAULT 0 CHECK (items_failed >= 0),
    message          text,
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX sync_progress_job_idx ON sync_progress (job_id, id);
