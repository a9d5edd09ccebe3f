-- Other names a song goes by on set-lists ("Do I Wanna Know" for "Do I Wanna Know?" is already
-- covered by title normalisation; aliases cover real renames, translations and nicknames).
-- Keyed by the normalised alias (shared::titles::normalize) so matching is one lookup.
CREATE TABLE song_aliases (
    song_id           uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    alias             text NOT NULL CHECK (length(alias) BETWEEN 1 AND 500),
    alias_normalized  text NOT NULL CHECK (length(alias_normalized) >= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (song_id, alias_normalized)
);
CREATE INDEX song_aliases_normalized_idx ON song_aliases (alias_normalized);
