-- One exactly-once record for every write, whichever door it came through: a REST route and the
-- sync push answer a fan's mutation id once and replay that first answer to every retry — by the
-- other door too. A pushed mutation also holds its device's sequence number (a retried push is
-- answered by position); a REST write holds none. A mutation id pushed again under another
-- number is answered with the first answer, kept as a replay row at that number.
ALTER TABLE applied_mutations
    ADD COLUMN device_id uuid REFERENCES devices (id) ON DELETE CASCADE,
    ADD COLUMN seq bigint CHECK (seq >= 1),
    ADD COLUMN replay boolean NOT NULL DEFAULT false,
    ADD COLUMN outcome jsonb,
    -- A pull reports a pushed mutation applied only once its effects can be served (db/sync).
    ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ADD CONSTRAINT applied_mutations_position CHECK ((device_id IS NULL) = (seq IS NULL)),
    -- Only a pushed id can be answered again under a second position.
    ADD CONSTRAINT applied_mutations_replay_pushed CHECK (NOT replay OR device_id IS NOT NULL);

-- REST answers become the push's outcome: applied, with the body the route answered.
UPDATE applied_mutations
SET outcome = jsonb_build_object('outcome', 'applied', 'body', response)
              || CASE WHEN status = 201 THEN '{"created": true}'::jsonb ELSE '{}'::jsonb END,
    kind = CASE kind
               WHEN 'vote' THEN 'vote.set@1'
               WHEN 'add_song' THEN 'community.add@1'
               WHEN 'prediction' THEN 'prediction.set@1'
               WHEN 'setlist_correction' THEN 'setlist.edit@1'
               WHEN 'setlist_start' THEN 'setlist.start@1'
               ELSE kind
           END;

ALTER TABLE applied_mutations
    DROP CONSTRAINT applied_mutations_pkey,
    DROP COLUMN status,
    DROP COLUMN response,
    ALTER COLUMN outcome SET NOT NULL;

-- The pushed answers move in: the first answer of an id is its record, a later position of the
-- same id (or an id a REST call answered first) a replay.
INSERT INTO applied_mutations (user_id, mutation_id, kind, device_id, seq, replay, outcome, tx, applied_at)
SELECT d.user_id, r.mutation_id, 'pushed@0', r.device_id, r.seq,
       EXISTS (SELECT 1 FROM applied_mutations a WHERE a.user_id = d.user_id AND a.mutation_id = r.mutation_id)
       OR row_number() OVER (PARTITION BY d.user_id, r.mutation_id ORDER BY r.at, r.seq) > 1,
       r.outcome, r.tx, r.at
FROM device_results r JOIN devices d ON d.id = r.device_id;

DROP TABLE device_results;

CREATE UNIQUE INDEX applied_mutations_first ON applied_mutations (user_id, mutation_id) WHERE NOT replay;
CREATE UNIQUE INDEX applied_mutations_position_idx ON applied_mutations (device_id, seq);
