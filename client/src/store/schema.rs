//! The local schema, as migrations applied in order; `PRAGMA user_version` is the count applied.
//! Never edit one that has shipped: append.

pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE artists (
        id                  TEXT PRIMARY KEY,
        slug                TEXT NOT NULL UNIQUE,
        name                TEXT NOT NULL,
        image_url           TEXT,
        genres              TEXT NOT NULL DEFAULT '[]',
        popularity          INTEGER,
        upcoming_show_count INTEGER NOT NULL DEFAULT 0,
        synced_at           TEXT NOT NULL
    );
    CREATE INDEX artists_name_idx ON artists (name COLLATE NOCASE);",
    // The sync scope (rows as the server last sent them), the outbox, and search.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE follows (artist_id TEXT PRIMARY KEY);
    CREATE TABLE shows (
        id         TEXT PRIMARY KEY,
        artist_id  TEXT NOT NULL,
        date       TEXT NOT NULL,
        status     TEXT NOT NULL,
        data       TEXT NOT NULL
    );
    CREATE INDEX shows_artist_idx ON shows (artist_id, date);
    CREATE TABLE songs (
        artist_id   TEXT NOT NULL,
        id          TEXT NOT NULL,
        title       TEXT NOT NULL,
        album       TEXT,
        popularity  INTEGER,
        PRIMARY KEY (artist_id, id)
    );
    CREATE TABLE setlists (
        id              TEXT PRIMARY KEY,
        show_id         TEXT NOT NULL,
        artist_id       TEXT NOT NULL,
        kind            TEXT NOT NULL,
        source          TEXT NOT NULL,
        version         INTEGER NOT NULL,
        verified        INTEGER NOT NULL,
        accuracy_score  REAL
    );
    CREATE INDEX setlists_show_idx ON setlists (show_id);
    CREATE TABLE lines (
        id          TEXT PRIMARY KEY,
        setlist_id  TEXT NOT NULL,
        song_id     TEXT,
        title       TEXT NOT NULL,
        position    INTEGER NOT NULL,
        set_name    TEXT NOT NULL,
        is_cover    INTEGER NOT NULL,
        is_tape     INTEGER NOT NULL,
        upvotes     INTEGER NOT NULL,
        downvotes   INTEGER NOT NULL,
        net_votes   INTEGER NOT NULL
    );
    CREATE INDEX lines_setlist_idx ON lines (setlist_id, position);
    -- The user's vote registers as the server holds them.
    CREATE TABLE votes (
        setlist_song_id  TEXT PRIMARY KEY,
        value            INTEGER NOT NULL,
        hlc              TEXT NOT NULL
    );
    -- Every user action, written in the same transaction as it is shown. `seq` is gap-free per
    -- device and never reused; rows leave once a pull has delivered their effect.
    CREATE TABLE outbox (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        kind        TEXT NOT NULL,
        body        TEXT NOT NULL,
        hlc         TEXT NOT NULL,
        state       TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'applied', 'superseded', 'rejected')),
        result      TEXT,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX outbox_state_idx ON outbox (state, seq);
    CREATE VIRTUAL TABLE search USING fts5(name, kind UNINDEXED, ref UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
    -- FTS5 cannot look rows up by column: this maps (kind, ref) to the row id, so re-indexing a
    -- song is two key lookups instead of a scan of the whole index.
    CREATE TABLE search_keys (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, UNIQUE (kind, ref));",
    // Server pages the app has shown (home, search, artist, show, venue, dashboard...), so each
    // opens again with no network. `private` rows belong to the signed-in user.
    "CREATE TABLE page_cache (
        key         TEXT PRIMARY KEY,
        body        TEXT NOT NULL,
        private     INTEGER NOT NULL,
        fetched_at  TEXT NOT NULL
    );",
    // Map tiles the app has shown, so a venue's map keeps its detail offline.
    "CREATE TABLE tiles (
        z           INTEGER NOT NULL,
        x           INTEGER NOT NULL,
        y           INTEGER NOT NULL,
        body        BLOB NOT NULL,
        mime        TEXT NOT NULL,
        fetched_at  TEXT NOT NULL,
        PRIMARY KEY (z, x, y)
    );
    CREATE INDEX tiles_age_idx ON tiles (fetched_at);",
    // Text being typed in an editor (a set-list correction), so closing the app loses nothing.
    // Private: it goes with the sign-out.
    "CREATE TABLE drafts (
        key         TEXT PRIMARY KEY,
        body        TEXT NOT NULL,
        saved_at    TEXT NOT NULL
    );",
    // Shows in the scope without a follow (going, or opened), as the server last sent them; and
    // this device's own live captures (written with their outbox rows, kept after delivery so
    // the fan sees what they captured). Both private: they go with the sign-out.
    "CREATE TABLE attending (
        show_id    TEXT PRIMARY KEY,
        artist_id  TEXT NOT NULL,
        going      INTEGER NOT NULL,
        public     INTEGER NOT NULL
    );
    CREATE TABLE captures (
        id         TEXT PRIMARY KEY,
        show_id    TEXT NOT NULL,
        song_id    TEXT,
        title      TEXT NOT NULL,
        at         TEXT NOT NULL,
        encore     INTEGER NOT NULL,
        undone     INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX captures_show_idx ON captures (show_id, at);",
    // Show packs ("Ready offline"): what was kept for each show the user goes to soon.
    "CREATE TABLE packs (
        show_id      TEXT PRIMARY KEY,
        bytes        INTEGER NOT NULL,
        tiles        INTEGER NOT NULL,
        missing      TEXT NOT NULL,
        prepared_at  TEXT NOT NULL
    );",
    // Fans' pictures the app has shown (public; one version per fan), so leaderboards and pages
    // kept on the device keep their faces with no signal.
    // The user's notifications as the sync brings them (private: they go with the sign-out).
    "CREATE TABLE notifications (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        show_id     TEXT,
        title       TEXT NOT NULL,
        body        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        read        INTEGER NOT NULL
    );
    CREATE INDEX notifications_created_idx ON notifications (created_at DESC);",
    "CREATE TABLE avatars (
        user_id     TEXT PRIMARY KEY,
        version     INTEGER NOT NULL,
        body        BLOB NOT NULL,
        fetched_at  TEXT NOT NULL
    );",
    // Where an artist's facts came from (`live`, or the offline demo catalogue's `demo`), so a
    // card kept on the device says "demo" too.
    "ALTER TABLE artists ADD COLUMN origin TEXT NOT NULL DEFAULT 'live';",
];
