-- A show's discussion: comments and replies one level deep, plain text. The id is chosen by the
-- writing device, so a comment written offline and pushed twice is written once.
CREATE TABLE comments (
    id          uuid PRIMARY KEY,
    show_id     uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    -- A deleted account takes its comments with it (replies to them go too).
    author_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- NULL: a top-level comment. Replies answer top-level comments only (checked on write).
    parent_id   uuid REFERENCES comments (id) ON DELETE CASCADE,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    edited_at   timestamptz,
    -- Deleted by its author: the text goes, the place stays while it has replies.
    deleted_at  timestamptz,
    hidden_at   timestamptz,
    hidden_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    CHECK (deleted_at IS NOT NULL OR length(body) BETWEEN 1 AND 2000),
    CHECK (deleted_at IS NULL OR body = '')
);
CREATE INDEX comments_show_idx ON comments (show_id, created_at DESC);
CREATE INDEX comments_parent_idx ON comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_author_idx ON comments (author_id, created_at DESC);

-- Flags reach comments and profiles too: each flag names exactly one target.
ALTER TABLE flags
    ALTER COLUMN setlist_id DROP NOT NULL,
    ADD COLUMN comment_id uuid REFERENCES comments (id) ON DELETE CASCADE,
    ADD COLUMN target_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    ADD CONSTRAINT flags_one_target CHECK (num_nonnulls(setlist_id, comment_id, target_user_id) = 1),
    DROP CONSTRAINT flags_resolution_check,
    ADD CONSTRAINT flags_resolution_check
        CHECK (resolution IN ('dismissed', 'song_removed', 'setlist_hidden', 'comment_hidden', 'profile_reset'));
CREATE UNIQUE INDEX flags_open_comment_key ON flags (reporter_id, comment_id)
    WHERE status = 'open' AND comment_id IS NOT NULL;
CREATE UNIQUE INDEX flags_open_user_key ON flags (reporter_id, target_user_id)
    WHERE status = 'open' AND target_user_id IS NOT NULL;
