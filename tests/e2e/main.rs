//! End-to-end tests of the whole system on real PostgreSQL and RabbitMQ,
//! with a local Twilio-compatible server. One binary, many modules: it links
//! once and runs the tests in parallel.

mod admin;
mod area;
mod browser;
mod chat;
mod chat_browser;
mod city_sign_in;
mod classification;
mod console_admin;
mod console_web;
mod control_chars;
mod dashboard;
mod dead_letters;
mod delivery;
mod deployment;
mod handoffs;
mod idempotency;
mod metrics;
mod open;
mod openapi;
mod outage;
mod presence;
mod privacy;
mod proxy;
mod reports;
mod roles;
mod roster;
mod router_processes;
mod routing;
mod routing_properties;
mod satisfaction;
mod schema;
mod search;
mod secrets;
mod security_headers;
mod silent_outage;
mod sla;
mod sms_flow;
mod support;
mod trace;
mod track_contact;
mod voice;
mod walk_in;
mod walk_in_desk;
mod webhook_security;
