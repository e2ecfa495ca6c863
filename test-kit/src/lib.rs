//! `batline-test-kit`: what Batline's tests, its benchmarks and the offline
//! demo use in place of the outside world.
//!
//! - [`twilio_sandbox`]: a local Twilio-compatible server and a resident's
//!   phone that sends correctly signed webhooks. `batline up` runs it when no
//!   Twilio account is configured, so the demo works offline.
//! - [`mail_relay`]: the city's mail relay, a real SMTP server, for the
//!   email tests and the fault suite.
//! - [`mail_sandbox`]: where the offline demo's answers by email go, kept
//!   and listed, as the Twilio sandbox does for SMS.
//! - [`app`]: the end-to-end harness. Each test gets the real services on
//!   random ports, a fresh PostgreSQL database and RabbitMQ namespace, and
//!   its own sandbox.

pub mod app;
pub mod mail_relay;
pub mod mail_sandbox;
pub mod twilio_sandbox;
