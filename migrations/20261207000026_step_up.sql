-- Codes mailed to prove the owner is at the device before a change that could take the account
-- (deleting it): a fourth kind of mailed token.
ALTER TABLE email_tokens
    DROP CONSTRAINT email_tokens_purpose_check,
    ADD CONSTRAINT email_tokens_purpose_check
        CHECK (purpose IN ('verify_email', 'password_reset', 'magic_link', 'step_up'));
