//! The console's JSON API: one module per resource, each handler reading
//! its request, calling an operation (`operations`) and shaping the answer,
//! described for the OpenAPI document (`openapi`) next to its code.

pub mod auth;
pub mod call_backs;
pub mod canned_replies;
pub mod cases;
pub mod chat_signals;
pub mod dead_letters;
pub mod duty;
pub mod handoffs;
pub mod health;
pub mod openapi;
pub mod reports;
pub mod responders;
pub mod roster;
pub mod sla_policies;
pub mod walk_in;
pub mod walk_in_points;
