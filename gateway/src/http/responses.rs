//! The answers many operations of the OpenAPI document can give besides
//! their own: what a Twilio webhook answers before its handler runs, the
//! rate limits, and Batline's own failure. Each is the [`ErrorBody`] of
//! [`crate::error::ApiError`].

use utoipa::IntoResponses;

use crate::error::ErrorBody;

/// What any Twilio webhook may answer before its handler runs.
#[derive(IntoResponses)]
pub enum Signed {
    /// No `X-Twilio-Signature`, a signature that does not match this
    /// request (`bad_signature`), or a webhook for another Twilio account
    /// (`wrong_account`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The body is larger than 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not `application/x-www-form-urlencoded`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
}

/// Too many requests from one address.
#[derive(IntoResponses)]
pub enum RateLimited {
    /// Over the per-address limit a minute; try again after `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ErrorBody),
}

/// A webhook that starts a new contact (`/twilio/sms`, `/twilio/voice`)
/// from a source over its per-minute limit: nothing was stored.
#[derive(IntoResponses)]
pub enum WebhookFlood {
    /// Over `BATLINE_WEBHOOK_PER_MINUTE` from this address (`rate_limited`);
    /// send it again after `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ErrorBody),
}

/// Batline's own failure: logged with its cause, answered opaquely.
#[derive(IntoResponses)]
pub enum Internal {
    /// Something failed on Batline's side (PostgreSQL away, say); try again.
    #[response(status = 500)]
    Internal(ErrorBody),
}
