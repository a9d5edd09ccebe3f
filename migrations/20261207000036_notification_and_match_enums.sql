-- More closed sets closed in the database (see migrations 31–35): what a notification is about
-- (`NotificationKind`, in notifications, the fans' preferences and `notify()`'s parameter) and why
-- an artist link found no match (`NoMatch`).
CREATE TYPE notification_kind AS ENUM
    ('new_show', 'show_changed', 'prediction_scored', 'correction_decided', 'comment_reply', 'flag_resolved', 'onsale');
CREATE TYPE no_match AS ENUM ('no_hits', 'only_look_alikes', 'below_threshold', 'taken');

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_check,
    ALTER COLUMN kind TYPE notification_kind USING kind::notification_kind;
-- Preferences had no check at all: a misspelled kind was a preference that never applied.
DELETE FROM notification_prefs
    WHERE kind NOT IN ('new_show', 'show_changed', 'prediction_scored', 'correction_decided',
                       'comment_reply', 'flag_resolved', 'onsale');
ALTER TABLE notification_prefs
    ALTER COLUMN kind TYPE notification_kind USING kind::notification_kind;

ALTER TABLE artist_links
    DROP CONSTRAINT artist_links_no_match_check,
    ALTER COLUMN no_match TYPE no_match USING no_match::no_match;

-- As in the migration that made it, with the kind typed: callers pass their literal, which the
-- enum now checks.
DROP FUNCTION notify(uuid[], text, text, uuid, text, text);
CREATE FUNCTION notify(users uuid[], kind notification_kind, dedupe text, show uuid, title text, body text)
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
