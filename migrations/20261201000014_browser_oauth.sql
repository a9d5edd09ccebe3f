-- Google and Spotify from the web app. A browser flow is tied to the browser that started it by a
-- cookie whose digest is kept here, in the place of a native app's PKCE challenge (exactly one of
-- the two), and comes back to a page of the web app (`app_redirect_uri` holds its path).
ALTER TABLE oauth_flows
    ALTER COLUMN app_code_challenge DROP NOT NULL,
    ADD COLUMN browser_binding bytea CHECK (length(browser_binding) = 32),
    ADD CONSTRAINT oauth_flows_one_binding
        CHECK ((browser_binding IS NULL) <> (app_code_challenge IS NULL));
