//! A per-source limit on Twilio's webhooks (`/twilio/*`), so that a flood
//! from one address cannot make the gateway read, verify and store without
//! end (`BATLINE_WEBHOOK_PER_MINUTE`, default 6000 a minute).
//!
//! **The source is the TCP peer's address**, the one thing a sender cannot
//! choose: a form field (`From`, `AccountSid`) is whatever the flood says,
//! and a header is too unless a proxy we trust wrote it, which the gateway
//! has no setting for. IPv6 peers count by their /64, the block one host
//! is usually given, so cycling through its addresses does not help (the
//! limiter itself counts so: `batline_core::rate_limit::source`).
//! Twilio sends from a few addresses, so the limit sits far above what a
//! city's line gets from any one of them. Behind a reverse proxy every
//! request has the proxy's address and the limit becomes one for the whole
//! gateway: limit per client on the proxy then, as for tracking.
//!
//! **Checked first**, before the body is read and before the signature is
//! verified. Verifying first would mean reading up to 64 KiB and computing
//! an HMAC for every request of the flood, which is the work the limit is
//! there to spare. Counting unsigned requests costs Twilio nothing: a TCP
//! peer cannot use an address it does not hold, so junk from elsewhere
//! spends only its own sender's allowance, never Twilio's.
//!
//! **A 429 never loses an accepted contact.** It is answered before
//! anything is stored, so a refused text or call leaves no trace and
//! Twilio may send it again (its retry and fallback settings decide).
//! Only webhooks that *start* a contact are refused ([`NEW_CONTACTS`]).
//! The rest belong to a contact Batline already accepted: the hold loop
//! and dial results of a caller on the line, a voice message's recording,
//! delivery and call status. Refusing one would drop a caller mid-call or
//! lose part of what was accepted, and Twilio does not resend them, so
//! over the limit they still count but go on (to the signature check, as
//! always). Under overload the gateway sheds new work, not work in hand.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use batline_core::metrics;

use crate::{error::ApiError, state::AppState};

/// The webhooks that start a new contact: an inbound text and an incoming
/// call. Refusing them stores nothing.
pub const NEW_CONTACTS: &[&str] = &["/twilio/sms", "/twilio/voice"];

/// Middleware on the gateway's routes: counts every `/twilio/` request
/// against its source and refuses a new contact over the limit with 429
/// and `Retry-After`. Anything else passes untouched.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let client = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    // Without a peer address (a router called in-process, never a served
    // socket) there is nothing to count by.
    let (true, Some(client)) = (path.starts_with("/twilio/"), client) else {
        return next.run(request).await;
    };
    // The limiter counts IPv6 by its /64 itself (`rate_limit::source`).
    let Err(wait) = state.webhook_limit.check(client) else {
        return next.run(request).await;
    };
    if NEW_CONTACTS.contains(&path) {
        metrics::webhook_rejected("rate_limited");
        tracing::warn!(%client, path, retry_after = wait.as_secs(), "webhook over the per-source limit; refused");
        return ApiError::WebhookFlood { per_minute: state.config.webhook_per_minute, wait }.into_response();
    }
    tracing::debug!(%client, path, "webhook of an accepted contact over the per-source limit; let through");
    next.run(request).await
}
