//! End-to-end tests of the whole system on real PostgreSQL and RabbitMQ,
//! with a local Twilio-compatible server. One binary, many modules: it links
//! once and runs the tests in parallel.

mod admin;
mod bench_smoke;
mod browser;
mod chat;
mod chat_browser;
mod delivery;
mod handoffs;
mod idempotency;
mod metrics;
mod outage;
mod proxy;
mod reports;
mod roster;
mod router_processes;
mod routing;
mod routing_properties;
mod satisfaction;
mod schema;
mod sla;
mod sms_flow;
mod support;
mod track_contact;
mod voice;
mod walk_in;
mod webhook_security;
