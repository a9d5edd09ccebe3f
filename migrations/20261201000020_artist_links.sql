-- How an artist's Spotify and setlist.fm (MusicBrainz) ids were made. Ticketmaster's links are
-- often missing or stale, so the import phases search by name when they are (rule:
-- `shared/src/artist_match.rs`) and record the outcome here — the id taken with its confidence
-- and the runner-up, or why nothing was taken — for moderators, who may set or clear a link
-- themselves (origin `moderator`: the importers then keep it as it is).
CREATE TABLE artist_links (
    artist_id             uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    service               text NOT NULL CHECK (service IN ('spotify', 'setlistfm')),
    external_id           text CHECK (length(external_id) BETWEEN 1 AND 100),
    origin                text NOT NULL CHECK (origin IN ('provider_link', 'name_search', 'moderator')),
    confidence            real CHECK (confidence BETWEEN 0 AND 1),
    runner_up_id          text,
    runner_up_name        text,
    runner_up_confidence  real,
    no_match              text CHECK (no_match IN ('no_hits', 'only_look_alikes', 'below_threshold', 'taken')),
    -- The provider link that answered 404 (or was malformed) before the search.
    stale_id              text,
    decided_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (artist_id, service),
    CHECK (origin = 'moderator' OR (external_id IS NULL) = (no_match IS NOT NULL))
);
