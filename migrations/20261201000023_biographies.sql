-- Where an artist's biography comes from (its Wikipedia article, linked through the Wikidata
-- item that states the artist's MusicBrainz id) and when it was last looked for, so the weekly
-- sweep refreshes it and the page credits it.
ALTER TABLE artists
    ADD COLUMN bio_url text CHECK (bio_url ~ '^https://'),
    ADD COLUMN bio_checked_at timestamptz;
