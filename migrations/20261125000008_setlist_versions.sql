-- Actual set-lists change by versions: fans propose corrections, moderators verify one.

CREATE TABLE setlist_versions (
    setlist_id  uuid NOT NULL REFERENCES setlists (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    -- NULL: the imported original, or an author who deleted their account.
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    note        text CHECK (length(note) <= 500),
    songs       jsonb NOT NULL CHECK (jsonb_typeof(songs) = 'array'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (setlist_id, version)
);

ALTER TABLE setlists
    ADD COLUMN verified_version integer,
    ADD COLUMN verified_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN verified_at timestamptz;

-- Leaderboards read scored personal predictions.
CREATE INDEX setlists_scored_idx ON setlists (owner_user_id, accuracy_score)
    WHERE source = 'user' AND accuracy_score IS NOT NULL;
