-- Where a row's facts came from: the live services, or the offline demo catalogue (recorded and
-- generated answers replayed for trying the app without keys). Pages say "demo" for the latter,
-- and a demo biography is never credited to Wikipedia. Written by every upsert from the mode the
-- server runs in (`THESET_DEMO_CATALOGUE`); rows from before are live.
ALTER TABLE artists
    ADD COLUMN origin text NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'demo')),
    ADD COLUMN bio_origin text CHECK (bio_origin IN ('live', 'demo'));
ALTER TABLE shows ADD COLUMN origin text NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'demo'));
ALTER TABLE venues ADD COLUMN origin text NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'demo'));
-- Biographies held so far were fetched as their artist was.
UPDATE artists SET bio_origin = origin WHERE bio IS NOT NULL;
