//! `batline-bench`: Batline's benchmarks, a crate and binary of their own so
//! the `batline` program a city deploys carries no benchmark code.
//!
//! Each module is one benchmark and its command (`batline-bench <name>`);
//! they drive Batline through its real doors (signed Twilio webhooks, the
//! chat socket, the console API) or, for routing and the dashboard, through
//! the same store functions the services use, in a scratch database. Speed
//! is judged here, in printed figures, never in timed tests.

use std::time::Duration;

pub mod accuracy;
pub mod chat;
pub mod city;
pub mod dashboard;
pub mod machine;
pub mod mixed;
pub mod router_counts;
pub mod routing;
pub mod sms;
pub mod stall_watch;
pub mod store;
pub mod voice;

/// The `p` quantile of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}
