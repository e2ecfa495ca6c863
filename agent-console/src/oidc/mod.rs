//! The console as an OpenID Connect relying party: staff sign in with the
//! city's account (issue 23). Below the operations, beside `http`: it
//! speaks to the provider and checks what the provider signs, and knows
//! nothing of pages or sessions.
//!
//! - [`provider`]: discovery, the provider's keys (JWKS, fetched again when
//!   a token names a key not yet seen, as after a rotation), the
//!   authorisation URL with PKCE (S256) and the token request;
//! - [`tokens`]: one check for every JWT the provider issues, whether the ID
//!   token of a sign-in, a bearer token an integration sends to the API or
//!   a back-channel logout token: the signature by a key the provider
//!   publishes, with an asymmetric algorithm only, `iss` exactly the
//!   provider's, `aud` naming this console, `exp` (with [`tokens::LEEWAY`]),
//!   and what each kind adds (`nonce` and `azp`; the logout event);
//! - [`staff`]: who the claims say the person is and which console role
//!   their groups give (`BATLINE_OIDC_ROLES`), with the `amr` a staff
//!   account must carry (`BATLINE_OIDC_REQUIRED_AMR`);
//! - [`accounts`]: which responder that is (linked at the first sign-in),
//!   and bearer tokens for the JSON API;
//! - [`Refusal`]: every reason a sign-in, token or logout is refused,
//!   logged by its code, never with the token.
//!
//! Built on `jsonwebtoken` with ring (already in the build through rustls)
//! rather than the `openidconnect` crate: that crate checks ID tokens only
//! (neither bearer nor logout tokens) and brings a second crypto stack
//! (RustCrypto's rsa, p256, p384, ed25519-dalek) beside ring.

pub mod accounts;
pub mod provider;
pub mod refusal;
pub mod staff;
pub mod tokens;

pub use provider::Provider;
pub use refusal::Refusal;
