//! `batline-core`: what the gateway, the router and the agent console share.
//!
//! The three services never import each other; they meet only in PostgreSQL
//! (through [`store`]) and RabbitMQ (through [`bus`]). This crate holds both
//! meeting points, the domain vocabulary ([`domain`]), the resident-facing
//! texts ([`texts`]) and the Twilio-compatible REST client ([`twilio`]).

#![warn(missing_docs)]

pub mod account_names;
pub mod assign;
pub mod bus;
pub mod call_back;
pub mod client_address;
pub mod clock;
pub mod config;
pub mod csv_export;
pub mod db;
pub mod districts;
pub mod domain;
pub mod email_address;
pub mod error;
pub mod figures;
pub mod filing_notices;
pub mod group_commit;
pub mod health;
pub mod intake_writer;
pub mod language;
pub mod lexicon;
pub mod metrics;
pub mod open311_keys;
pub mod opening_hours;
pub mod ops_server;
pub mod outbound;
pub mod outbox;
pub mod ownership;
pub mod password;
pub mod phone;
pub mod place;
pub mod plain_text;
pub mod priority;
pub mod privacy;
pub mod rate_limit;
pub mod resident_link;
pub mod responder_admin;
pub mod roster;
pub mod satisfaction;
pub mod security_headers;
pub mod sending;
pub mod sla;
pub mod store;
pub mod telemetry;
pub mod texts;
pub mod topic;
pub mod trace_context;
pub mod tracking_code;
pub mod twilio;
pub mod walk_in;
pub mod whole_number;

pub use config::Config;
pub use error::{Error, Result};
