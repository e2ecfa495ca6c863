-- Staff sign-in with the city's account (OpenID Connect, issue 23).
--
-- A responder is linked to the provider's subject (`sub`) at their first
-- sign-in with the city's account, by username or email; after that the
-- subject alone finds them, so a renamed account stays the same person.
ALTER TABLE responders ADD COLUMN oidc_subject text UNIQUE;
-- An address the city's directory knows the responder by, for linking them
-- at their first sign-in when the provider gives no matching username.
ALTER TABLE responders ADD COLUMN email text;
CREATE UNIQUE INDEX responders_email_key ON responders (lower(email)) WHERE email IS NOT NULL;

-- A console session opened through the provider names the subject and the
-- provider's session (`sid`), so back-channel logout can end it.
ALTER TABLE console_sessions ADD COLUMN oidc_subject text;
ALTER TABLE console_sessions ADD COLUMN oidc_sid text;
CREATE INDEX console_sessions_oidc_subject ON console_sessions (oidc_subject) WHERE oidc_subject IS NOT NULL;

-- Sign-ins under way: made when the browser is sent to the provider, used
-- up (deleted) when it comes back, so a `state` works once. The browser
-- also holds `state` in a cookie, so it cannot be used from another one.
CREATE TABLE oidc_sign_ins (
    state_hash bytea PRIMARY KEY,
    nonce text NOT NULL,
    pkce_verifier text NOT NULL,
    next text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
