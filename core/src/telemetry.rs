//! Logging: human-readable by default, JSON lines with `BATLINE_LOG_FORMAT=json`.
//! `RUST_LOG` filters as usual (default `info`).

use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber once; later calls do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,lapin=warn"));
    let json = std::env::var("BATLINE_LOG_FORMAT").is_ok_and(|v| v == "json");
    let result = if json {
        fmt().with_env_filter(filter).json().with_current_span(true).try_init()
    } else {
        fmt().with_env_filter(filter).try_init()
    };
    // Already installed (a test harness started twice): keep the first one.
    let _ = result;
}

/// For tests: output goes through the test harness, which shows it only for
/// failing tests. `RUST_LOG` still filters (default: warnings).
pub fn init_for_tests() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,lapin=off"));
    let _ = fmt().with_env_filter(filter).with_test_writer().try_init();
}
