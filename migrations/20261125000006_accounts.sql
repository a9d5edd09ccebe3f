-- Accounts beyond passwords: mailed single-use links, OAuth identities and flows, avatars, and
-- the audit log of security and moderation events.

-- Email verification, password reset and magic-link sign-in. Only the token's SHA-256 is stored;
-- `used_at` makes each single use (set in the same statement that checks it).
CREATE TABLE email_tokens (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'magic_link')),
    -- The address the link was sent to: a link only works for that address.
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_tokens_email_idx ON email_tokens (lower(email), purpose, created_at DESC);
CREATE INDEX email_tokens_expiry_idx ON email_tokens (expires_at);

-- A person signed in through Google or Spotify. `subject` is the provider's stable user id.
CREATE TABLE oauth_identities (
    provider          text NOT NULL CHECK (provider IN ('google', 'spotify')),
    subject           text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email             text,
    -- Provider tokens (Spotify library reads), sealed with AES-256-GCM under the server key.
    access_token_enc  bytea,
    refresh_token_enc bytea,
    token_expires_at  timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oauth_identities_user_idx ON oauth_identities (user_id);

-- One sign-in attempt through a provider, from `start` to the app's code exchange.
-- The state and the hand-off code are stored hashed; the app proves it started the flow with
-- its own PKCE verifier (RFC 7636), the server proves it to the provider with another.
CREATE TABLE oauth_flows (
    state_hash          bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    provider            text NOT NULL CHECK (provider IN ('google', 'spotify')),
    provider_verifier   text NOT NULL,
    nonce               text NOT NULL,
    app_redirect_uri    text NOT NULL,
    app_code_challenge  text NOT NULL CHECK (length(app_code_challenge) = 43),
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    -- Set once the provider sent the user back and the account is known.
    handoff_hash        bytea UNIQUE CHECK (length(handoff_hash) = 32),
    user_id             uuid REFERENCES users (id) ON DELETE CASCADE,
    completed_at        timestamptz,
    exchanged_at        timestamptz
);
CREATE INDEX oauth_flows_expiry_idx ON oauth_flows (expires_at);

-- Avatars, re-encoded by the server (never the uploaded bytes).
CREATE TABLE user_avatars (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    content_type  text NOT NULL CHECK (content_type IN ('image/png')),
    image         bytea NOT NULL CHECK (length(image) <= 1048576),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Security and moderation events, append only. `actor_id` survives as NULL when the account goes.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    action      text NOT NULL CHECK (action ~ '^[a-z_.]{3,64}$'),
    subject_id  uuid,
    ip          inet,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (pg_column_size(detail) <= 4096)
);
CREATE INDEX audit_log_at_idx ON audit_log (id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);

-- Browser sessions hold one long-lived opaque token in a cookie (kind 'browser'); native ones use
-- access + refresh tokens (kind 'native').
ALTER TABLE sessions ADD COLUMN kind text NOT NULL DEFAULT 'native' CHECK (kind IN ('native', 'browser'));
ALTER TABLE sessions ADD COLUMN ip inet;
