//! The `batline` program: runs the gateway, the router and the console alone
//! or together, seeds a demo city, administers responders, and benchmarks a
//! running system. The services themselves live in their own crates; this
//! crate only wires them up, so `batline up` and the end-to-end tests start
//! them the same way.

pub mod bench;
pub mod bench_chat;
pub mod bench_dashboard;
pub mod bench_mixed;
pub mod bench_routing;
pub mod bench_voice;
pub mod seed;
pub mod services;
pub mod telemetry;
pub mod twilio_sandbox;
