-- A feed per user, produced by what already happens (a reply, a decision on one's flag or
-- correction, a scored prediction, a followed artist's new show, a change to a show one goes
-- to). `dedupe` names the event: several backend processes (or a retried job) producing the
-- same event write one row. Nobody is notified of their own act (the producers leave the actor
-- out). Rows reach the user's devices through the sync log, so a device is nudged, not polling.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('new_show', 'show_changed', 'prediction_scored',
                    'correction_decided', 'comment_reply', 'flag_resolved')),
    dedupe      text NOT NULL CHECK (length(dedupe) BETWEEN 1 AND 200),
    show_id     uuid REFERENCES shows (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        text NOT NULL CHECK (length(body) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    UNIQUE (user_id, dedupe)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- Kinds a user turned off (every kind is on until then).
CREATE TABLE notification_prefs (
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind     text NOT NULL,
    enabled  boolean NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Writes one notification for each of `users` who wants `kind` (the one way rows are made);
-- answers how many were new.
CREATE FUNCTION notify(users uuid[], kind text, dedupe text, show uuid, title text, body text)
RETURNS integer LANGUAGE sql AS $$
    WITH made AS (
        INSERT INTO notifications (user_id, kind, dedupe, show_id, title, body)
        SELECT u, kind, dedupe, show, left(title, 200), left(body, 500) FROM unnest(users) AS u
        WHERE NOT EXISTS (SELECT 1 FROM notification_prefs p
                          WHERE p.user_id = u AND p.kind = notify.kind AND NOT p.enabled)
        ON CONFLICT (user_id, dedupe) DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM made;
$$;

ALTER TABLE sync_changes
    DROP CONSTRAINT sync_changes_entity_check,
    ADD CONSTRAINT sync_changes_entity_check
        CHECK (entity IN ('artist', 'show', 'song', 'setlist', 'line', 'vote', 'follow', 'attend',
                          'notification'));

CREATE FUNCTION sync_track_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_log('notification', OLD.id, NULL, OLD.user_id, true);
        RETURN NULL;
    END IF;
    PERFORM sync_log('notification', NEW.id, NULL, NEW.user_id, false);
    RETURN NULL;
END $$;
CREATE TRIGGER sync_track_notifications AFTER INSERT OR UPDATE OF read_at OR DELETE ON notifications
    FOR EACH ROW EXECUTE FUNCTION sync_track_notifications();

-- A followed artist's new show, whoever imported it.
CREATE FUNCTION notify_new_show() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fans uuid[];
    place text;
BEGIN
    IF NEW.date < current_date THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(f.user_id) INTO fans FROM user_follows_artists f
     WHERE f.artist_id = NEW.headliner_artist_id;
    IF fans IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(' · ' || v.name || coalesce(', ' || v.city, ''), '') INTO place
      FROM venues v WHERE v.id = NEW.venue_id;
    PERFORM notify(fans, 'new_show', 'new_show:' || NEW.id, NEW.id,
                   (SELECT a.name FROM artists a WHERE a.id = NEW.headliner_artist_id) || ' announced a show',
                   to_char(NEW.date, 'Dy DD Mon YYYY') || coalesce(place, ''));
    RETURN NULL;
END $$;
CREATE TRIGGER notify_new_show AFTER INSERT ON shows
    FOR EACH ROW EXECUTE FUNCTION notify_new_show();

-- A show one goes to moves, changes venue, or is cancelled (the routine `ongoing` and
-- `completed` of every show are not news).
CREATE FUNCTION notify_show_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fans uuid[];
    what text;
    named text := coalesce(NEW.name, (SELECT a.name FROM artists a WHERE a.id = NEW.headliner_artist_id));
BEGIN
    IF NEW.date IS DISTINCT FROM OLD.date THEN
        what := 'moved to ' || to_char(NEW.date, 'Dy DD Mon YYYY');
    ELSIF NEW.venue_id IS DISTINCT FROM OLD.venue_id THEN
        what := 'moved to ' || coalesce((SELECT v.name FROM venues v WHERE v.id = NEW.venue_id), 'another venue');
    ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status NOT IN ('ongoing', 'completed') THEN
        what := 'is now ' || NEW.status;
    ELSE
        RETURN NULL;
    END IF;
    SELECT array_agg(g.user_id) INTO fans FROM show_attendance g WHERE g.show_id = NEW.id AND g.going;
    IF fans IS NOT NULL THEN
        PERFORM notify(fans, 'show_changed',
                       'show_changed:' || NEW.id || ':' || NEW.date || ':' || coalesce(NEW.venue_id::text, '') || ':' || NEW.status,
                       NEW.id, named || ' ' || what, 'A show you are going to changed.');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notify_show_changed AFTER UPDATE OF date, venue_id, status ON shows
    FOR EACH ROW EXECUTE FUNCTION notify_show_changed();
