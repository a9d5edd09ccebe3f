-- A second lock on one person's private rows: row-level security.
--
-- Requests acting for a signed-in fan on their own private data (the sync pull, their
-- notifications, "going", calendar, sessions) run as the role `theset_app`, with the acting fan
-- set for the transaction (`db::private::acting`: `set_config('role', 'theset_app', true)` and
-- `set_config('theset.user', <id>, true)`). For that role these policies show and accept only the
-- acting fan's rows, so a query that forgot its `WHERE user_id = …` still reads nobody else's.
--
-- Everything else (authentication by token digest, public pages, jobs, cron, the group commit of
-- votes, moderators' queues) runs as the connecting role, the tables' owner, which row-level
-- security does not restrict: those paths act for no one person, or for many at once (a merge of
-- a crowd's captures, a notification to every fan of an artist), and read private rows only
-- through the statements of `db/` that name whose rows they want.

DO $$
BEGIN
    CREATE ROLE theset_app NOLOGIN NOBYPASSRLS;
EXCEPTION
    -- Roles belong to the cluster: another database of it (a test's, a replica's) made it.
    WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The connecting role switches to it inside a transaction (`SET LOCAL ROLE`).
DO $$
BEGIN
    EXECUTE format('GRANT theset_app TO %I', current_user);
EXCEPTION
    WHEN duplicate_object OR unique_violation OR object_in_use THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO theset_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO theset_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO theset_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO theset_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO theset_app;

-- The fan a transaction acts for; NULL when none is set (then no private row is visible).
CREATE FUNCTION theset_acting_user() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('theset.user', true), '')::uuid
$$;

-- Tables with a user_id: the acting fan's rows only.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sessions', 'notifications', 'notification_prefs', 'calendar_feeds',
                             'show_attendance', 'user_follows_artists', 'devices',
                             'oauth_identities', 'applied_mutations', 'votes', 'captures',
                             'email_tokens']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY acting_fan_only ON %I TO theset_app '
            'USING (user_id = theset_acting_user()) WITH CHECK (user_id = theset_acting_user())', t);
    END LOOP;
END $$;

-- Tokens of the acting fan's sessions, answers of the acting fan's devices.
ALTER TABLE access_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY acting_fan_only ON access_tokens TO theset_app
    USING (session_id IN (SELECT id FROM sessions));
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY acting_fan_only ON refresh_tokens TO theset_app
    USING (session_id IN (SELECT id FROM sessions));
ALTER TABLE device_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY acting_fan_only ON device_results TO theset_app
    USING (device_id IN (SELECT id FROM devices));

-- Set-lists: every public list, and of the personal predictions the acting fan's own.
ALTER TABLE setlists ENABLE ROW LEVEL SECURITY;
CREATE POLICY public_or_own ON setlists TO theset_app
    USING (source <> 'user' OR owner_user_id = theset_acting_user())
    WITH CHECK (source <> 'user' OR owner_user_id = theset_acting_user());
