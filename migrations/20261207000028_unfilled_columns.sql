-- Columns that nothing fills go, with what showed them: a "Sold out" badge that could never
-- appear, show counters never counted, venue capacities only the demo invented (Ticketmaster has
-- none), live/remix flags of songs that are all studio recordings (the others are left out before
-- they are stored), and two account columns nothing wrote. Facts people can give (sold out,
-- capacity) come back with their source when venue operators keep them.

CREATE OR REPLACE FUNCTION sync_track_shows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('show', OLD.id, OLD.headliner_artist_id, NULL, true);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.name, NEW.date, NEW.start_time, NEW.starts_at, NEW.status, NEW.venue_id,
                             NEW.ticket_url, NEW.headliner_artist_id)
        IS NOT DISTINCT FROM (OLD.name, OLD.date, OLD.start_time, OLD.starts_at, OLD.status, OLD.venue_id,
                              OLD.ticket_url, OLD.headliner_artist_id) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.headliner_artist_id <> OLD.headliner_artist_id THEN
        PERFORM sync_log('show', OLD.id, OLD.headliner_artist_id, NULL, true);
    END IF;
    PERFORM sync_log('show', NEW.id, NEW.headliner_artist_id, NULL, false);
    RETURN NULL;
END $$;

ALTER TABLE shows DROP COLUMN sold_out, DROP COLUMN vote_count, DROP COLUMN prediction_count;
ALTER TABLE venues DROP COLUMN capacity;
ALTER TABLE songs DROP COLUMN is_live, DROP COLUMN is_remix;
ALTER TABLE users DROP COLUMN avatar_url;
ALTER TABLE sessions DROP COLUMN ip;
