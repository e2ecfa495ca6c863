//! `batline-test-kit`: what Batline's tests, its benchmarks and the offline
//! demo use in place of the outside world.
//!
//! - [`twilio_sandbox`]: a local Twilio-compatible server and a resident's
//!   phone that sends correctly signed webhooks. `batline up` runs it when no
//!   Twilio account is configured, so the demo works offline.
//! - [`app`]: the end-to-end harness. Each test gets the real services on
//!   random ports, a fresh PostgreSQL database and RabbitMQ namespace, and
//!   its own sandbox.

pub mod app;
pub mod twilio_sandbox;
