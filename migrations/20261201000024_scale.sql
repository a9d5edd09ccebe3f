-- Found at ten million votes (`cargo xtask bench --scale`, docs/scaling.md).

-- A device's first sync reads the community and actual lists of the artists in its scope; with
-- no index on the artist every snapshot page scanned all set-lists (400,000 at that size, most of
-- them personal predictions, which the snapshot never reads by artist).
CREATE INDEX setlists_artist_idx ON setlists (artist_id, show_id) WHERE source <> 'user';

-- The all-time leaderboard summed every scored prediction of every verified show on each read
-- (330 ms at 90,000 scored predictions). It changes only when a show's predictions are scored
-- against a verified list, so it is kept here, refreshed then (and by the 15-minute scores cron,
-- which also catches deleted accounts and rejected versions); names and pictures are joined on
-- read, so they are never stale.
CREATE MATERIALIZED VIEW leaderboard_all_time AS
SELECT rank() OVER (ORDER BY sum(l.accuracy_score) DESC) AS rank,
       l.owner_user_id AS user_id, sum(l.accuracy_score) AS score, count(*) AS predictions,
       avg(l.accuracy_score) AS average
FROM setlists l
WHERE l.source = 'user' AND l.accuracy_score IS NOT NULL
  AND EXISTS (SELECT 1 FROM setlists a WHERE a.show_id = l.show_id AND a.kind = 'actual'
              AND a.verified_version IS NOT NULL)
GROUP BY l.owner_user_id;
-- CONCURRENTLY needs a unique index; the order index serves the read.
CREATE UNIQUE INDEX leaderboard_all_time_user_key ON leaderboard_all_time (user_id);
CREATE INDEX leaderboard_all_time_order_idx ON leaderboard_all_time (score DESC, average DESC, user_id);
