-- Community voting and personal predictions: idempotent mutations, and change tracking on
-- set-list songs for live streams.

-- Every applied client mutation, by the id the client generated, with the answer it got: a
-- retried mutation (same id) is answered again and applied never twice.
CREATE TABLE applied_mutations (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mutation_id  uuid NOT NULL,
    kind         text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    status       smallint NOT NULL,
    response     jsonb NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, mutation_id)
);
CREATE INDEX applied_mutations_age_idx ON applied_mutations (applied_at);

-- Live streams resume from a cursor `(change_tx, change_seq)`. Ordering by the writing
-- transaction first and serving only transactions older than the oldest running one
-- (pg_snapshot_xmin) means a change that commits late can never sort before one already sent.
CREATE SEQUENCE setlist_song_change_seq;
ALTER TABLE setlist_songs
    ADD COLUMN change_tx  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('setlist_song_change_seq');
CREATE INDEX setlist_songs_change_idx ON setlist_songs (setlist_id, change_tx, change_seq);

CREATE FUNCTION setlist_songs_track_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    show uuid;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.upvotes, NEW.downvotes, NEW.position, NEW.title, NEW.set_name)
           IS NOT DISTINCT FROM (OLD.upvotes, OLD.downvotes, OLD.position, OLD.title, OLD.set_name) THEN
            RETURN NEW;
        END IF;
        NEW.change_tx := pg_current_xact_id();
        NEW.change_seq := nextval('setlist_song_change_seq');
    END IF;
    SELECT show_id INTO show FROM setlists WHERE id = NEW.setlist_id;
    -- One notification per show and transaction (Postgres folds identical payloads).
    PERFORM pg_notify('show_changes', show::text);
    RETURN NEW;
END $$;
CREATE TRIGGER setlist_songs_track_change BEFORE INSERT OR UPDATE ON setlist_songs
    FOR EACH ROW EXECUTE FUNCTION setlist_songs_track_change();

-- The catalogue song lines of personal predictions carry an encore flag through set_name
-- ('main' / 'encore'); personal lists never hold votes.
