//! Twilio's wire protocol: verifying webhook signatures ([`signature`]) and
//! the REST client that sends SMS ([`client`]). Both follow Twilio's public
//! documentation (see `shared/PROTOCOLS.md`); tests run them against a local
//! Twilio-compatible server.

pub mod client;
pub mod form;
pub mod signature;

pub use client::{SentMessage, TwilioClient};
