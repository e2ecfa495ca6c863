//! What responders do, for the JSON API and the pages alike: each
//! operation takes the signed-in responder and plain arguments and returns
//! the domain result or the crate's error, knowing nothing of requests and
//! answers. The JSON handlers (`api`) and the pages (`web`) only read their
//! input, call one of these and shape the answer.

pub mod call_backs;
pub mod canned_replies;
pub mod cases;
pub mod chat_signals;
pub mod dead_letters;
pub mod fields;
pub mod handoffs;
pub mod links;
pub mod merges;
pub mod oidc;
pub mod open311_clients;
pub mod outbox;
pub mod responders;
pub mod roster;
pub mod search;
pub mod sessions;
pub mod sla_policies;
pub mod topics;
pub mod walk_in;
pub mod walk_in_points;
