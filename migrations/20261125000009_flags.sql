-- Fans flag set-list songs or whole lists; moderators resolve flags from a queue.
CREATE TABLE flags (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    setlist_id       uuid NOT NULL REFERENCES setlists (id) ON DELETE CASCADE,
    -- NULL: the flag is about the whole list (or its line was removed: `subject` keeps the title).
    setlist_song_id  uuid REFERENCES setlist_songs (id) ON DELETE SET NULL,
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    reporter_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    reason           text NOT NULL CHECK (reason IN ('wrong_song', 'duplicate', 'offensive', 'spam', 'other')),
    note             text CHECK (length(note) <= 500),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    resolution       text CHECK (resolution IN ('dismissed', 'song_removed', 'setlist_hidden')),
    resolved_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    resolved_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
-- One open flag per fan and target.
CREATE UNIQUE INDEX flags_open_key ON flags (reporter_id, setlist_id, coalesce(setlist_song_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE status = 'open';
CREATE INDEX flags_queue_idx ON flags (status, created_at);
