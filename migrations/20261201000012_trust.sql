-- Trust before launch: addresses are proven before they count, deleted accounts leave no votes,
-- and provider identities remember whether the provider vouched for their address.

-- An account signed in through a provider that does not vouch for addresses (Spotify) has no
-- address until its owner proves one: an unproven address must never reserve or link an account.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

-- Whether the provider said it verified `email` (Google's `email_verified`; Spotify never does).
-- When an address is first proven, identities whose address the provider did not verify are
-- unlinked: they may belong to whoever registered the address before its owner.
ALTER TABLE oauth_identities ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
-- Before this column, an identity linked only by a verified Google address marked its account
-- verified; that is the only case known to be vouched for.
UPDATE oauth_identities i SET email_verified = true
  FROM users u
 WHERE u.id = i.user_id AND i.provider = 'google' AND u.email_verified_at IS NOT NULL
   AND lower(i.email) = lower(u.email);

-- A deleted account's votes leave the totals: the DELETE of each vote row fires the totals
-- trigger, which takes the exact difference off its line, so "sign up, vote, delete, repeat"
-- adds nothing. (Before, votes stayed as anonymous +1s with user_id NULL.) Existing anonymous
-- votes are removed the same way.
DELETE FROM votes WHERE user_id IS NULL;
ALTER TABLE votes DROP CONSTRAINT votes_user_id_fkey;
ALTER TABLE votes ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE votes ADD CONSTRAINT votes_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
