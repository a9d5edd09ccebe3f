-- More closed sets closed in the database (see migrations 31–34): where a row's facts came from
-- (`DataOrigin`), an artist link's service and origin (`LinkService`, `LinkOrigin`) and a
-- session's kind (`SessionKind`) become enum types, so a misspelled literal fails when the query
-- is prepared.
CREATE TYPE data_origin AS ENUM ('live', 'demo');
CREATE TYPE link_service AS ENUM ('spotify', 'setlistfm');
CREATE TYPE link_origin AS ENUM ('provider_link', 'name_search', 'moderator');
CREATE TYPE session_kind AS ENUM ('native', 'browser');

ALTER TABLE artists
    DROP CONSTRAINT artists_origin_check,
    DROP CONSTRAINT artists_bio_origin_check,
    ALTER COLUMN origin DROP DEFAULT,
    ALTER COLUMN origin TYPE data_origin USING origin::data_origin,
    ALTER COLUMN origin SET DEFAULT 'live',
    ALTER COLUMN bio_origin TYPE data_origin USING bio_origin::data_origin;
ALTER TABLE venues
    DROP CONSTRAINT venues_origin_check,
    ALTER COLUMN origin DROP DEFAULT,
    ALTER COLUMN origin TYPE data_origin USING origin::data_origin,
    ALTER COLUMN origin SET DEFAULT 'live';
ALTER TABLE shows
    DROP CONSTRAINT shows_origin_check,
    ALTER COLUMN origin DROP DEFAULT,
    ALTER COLUMN origin TYPE data_origin USING origin::data_origin,
    ALTER COLUMN origin SET DEFAULT 'live';

ALTER TABLE artist_links
    DROP CONSTRAINT artist_links_check,
    DROP CONSTRAINT artist_links_service_check,
    DROP CONSTRAINT artist_links_origin_check,
    ALTER COLUMN service TYPE link_service USING service::link_service,
    ALTER COLUMN origin TYPE link_origin USING origin::link_origin,
    ADD CONSTRAINT artist_links_check
        CHECK (origin = 'moderator' OR ((external_id IS NULL) = (no_match IS NOT NULL)));

ALTER TABLE sessions
    DROP CONSTRAINT sessions_kind_check,
    ALTER COLUMN kind DROP DEFAULT,
    ALTER COLUMN kind TYPE session_kind USING kind::session_kind,
    ALTER COLUMN kind SET DEFAULT 'native';
