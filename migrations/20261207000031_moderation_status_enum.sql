-- Closed sets are closed in the database too: a set-list's moderation status is an enum type,
-- mapped to `ModerationStatus` (shared/src/api/setlists.rs), so a query comparing it with a
-- misspelled literal fails when it is prepared (`cargo sqlx prepare --check`) instead of quietly
-- matching nothing. (The CHECK it replaces let a typo through as "no rows".)
CREATE TYPE moderation_status AS ENUM ('pending', 'approved', 'verified', 'rejected', 'hidden');

ALTER TABLE setlists
    DROP CONSTRAINT setlists_moderation_status_check,
    ALTER COLUMN moderation_status DROP DEFAULT,
    ALTER COLUMN moderation_status TYPE moderation_status USING moderation_status::moderation_status,
    ALTER COLUMN moderation_status SET DEFAULT 'approved';
