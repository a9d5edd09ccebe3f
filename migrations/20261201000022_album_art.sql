-- Album art per release, kept with each song (Spotify's track objects carry their album's
-- images): the catalogue shows the cover beside every title.
ALTER TABLE songs ADD COLUMN album_image_url text CHECK (length(album_image_url) <= 500);
