-- Ticketmaster's `postponed` (no new date yet: it neither starts nor ends on the clock, and
-- votes and predictions stay open) and `rescheduled` (ahead at its new date) are kept as they
-- are instead of becoming `upcoming` — or `completed` once the old date passed.
ALTER TABLE shows
    DROP CONSTRAINT shows_status_check,
    ADD CONSTRAINT shows_status_check
        CHECK (status IN ('upcoming', 'ongoing', 'completed', 'cancelled', 'postponed', 'rescheduled'));

DROP INDEX shows_trending_idx;
CREATE INDEX shows_trending_idx ON shows (trending_score DESC, id)
    WHERE status IN ('upcoming', 'rescheduled', 'ongoing');
