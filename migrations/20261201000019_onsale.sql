-- When a show's public ticket sale opens (Ticketmaster's `sales.public.startDateTime`), so the
-- followers of its artists can be reminded the day before and told when it opens. The two
-- reminders are named by the sale time, so a moved sale reminds again and a repeated run
-- (or a second process) writes nothing twice.
ALTER TABLE shows ADD COLUMN onsale_at timestamptz;
CREATE INDEX shows_onsale_idx ON shows (onsale_at) WHERE onsale_at IS NOT NULL;

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('new_show', 'show_changed', 'prediction_scored', 'correction_decided',
                        'comment_reply', 'flag_resolved', 'onsale'));
