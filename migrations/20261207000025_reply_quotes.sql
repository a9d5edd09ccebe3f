-- A reply's notification quotes the reply as it stands: an edit changes the quote, and a reply
-- deleted by its author, hidden by a moderator or gone with its account is no longer quoted
-- (its text must not outlive it in someone else's notifications). Done here, under every way a
-- comment changes, rather than in each action.

CREATE FUNCTION reply_quote(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    -- As actions::notices::quote writes it: 140 characters, then an ellipsis.
    SELECT CASE WHEN char_length(body) > 140 THEN left(body, 140) || '…' ELSE body END
$$;

CREATE FUNCTION requote_reply_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE notifications SET body = 'This reply was removed.'
        WHERE kind = 'comment_reply' AND dedupe = 'reply:' || OLD.id::text;
        RETURN NULL;
    END IF;
    UPDATE notifications
    SET body = CASE WHEN NEW.deleted_at IS NOT NULL OR NEW.hidden_at IS NOT NULL
                    THEN 'This reply was removed.'
                    ELSE reply_quote(NEW.body) END
    WHERE kind = 'comment_reply' AND dedupe = 'reply:' || NEW.id::text;
    RETURN NULL;
END $$;

CREATE TRIGGER requote_reply_notifications
    AFTER UPDATE OF body, deleted_at, hidden_at OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION requote_reply_notifications();

-- A changed quote reaches the devices that hold the notification.
DROP TRIGGER sync_track_notifications ON notifications;
CREATE TRIGGER sync_track_notifications AFTER INSERT OR UPDATE OF read_at, body OR DELETE ON notifications
    FOR EACH ROW EXECUTE FUNCTION sync_track_notifications();
