//! The `batline` program: runs the gateway, the router and the console alone
//! or together, seeds a demo city and administers responders. The services
//! themselves live in their own crates; this crate only wires them up, so
//! `batline up` and the benchmarks (`batline-bench`, a crate of its own that
//! a city does not deploy) start them the same way.

pub mod seed;
pub mod services;
