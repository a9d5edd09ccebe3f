-- More closed sets closed in the database (see migrations 31 and 32): an account's role and an
-- artist's place on a show's bill become enum types, mapped to `Role` and `LineupRole`, so a
-- misspelled role in a query fails when it is prepared instead of matching no one.
CREATE TYPE user_role AS ENUM ('user', 'moderator', 'admin');
CREATE TYPE lineup_role AS ENUM ('headliner', 'support');

ALTER TABLE users
    DROP CONSTRAINT users_role_check,
    ALTER COLUMN role DROP DEFAULT,
    ALTER COLUMN role TYPE user_role USING role::user_role,
    ALTER COLUMN role SET DEFAULT 'user';

ALTER TABLE show_artists
    DROP CONSTRAINT show_artists_role_check,
    ALTER COLUMN role TYPE lineup_role USING role::lineup_role;
