//! Logging: human-readable by default, JSON lines with `BATLINE_LOG_FORMAT=json`.
//! `RUST_LOG` filters as usual (default `info`). Both are declared here, as
//! settings like the others, so `batline --help` and the configuration
//! reference list them.

use clap::{Args, FromArgMatches, ValueEnum};
use tracing_subscriber::{EnvFilter, fmt};

/// The log settings.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Logging")]
pub struct Logging {
    /// How log lines are written: `text` for people, `json` for one JSON
    /// object a line.
    #[arg(long, env = "BATLINE_LOG_FORMAT", value_enum, ignore_case = true, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Which log lines are written, in tracing's `EnvFilter` syntax such as
    /// `info,batline_router=debug`. Unset (or not a filter):
    /// `info,sqlx=warn,lapin=warn`.
    #[arg(long = "log", env = "RUST_LOG")]
    pub rust_log: Option<String>,
}

impl Logging {
    /// The log settings from the process environment through the declaration
    /// above; a value it refuses leaves the defaults, since logging starts
    /// before anything could report the mistake. (`batline` itself reads them
    /// with all its other settings, and does report it.)
    pub fn from_env() -> Self {
        let command = Logging::augment_args(clap::Command::new("batline"));
        command
            .try_get_matches_from(["batline"])
            .ok()
            .and_then(|matches| Logging::from_arg_matches(&matches).ok())
            .unwrap_or(Logging { log_format: LogFormat::Text, rust_log: None })
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line, with the current span.
    Json,
}

/// Installs the global subscriber once, reading the log settings from the
/// environment ([`Logging::from_env`]); later calls do nothing.
pub fn init() {
    init_with(&Logging::from_env());
}

/// Installs the global subscriber once with `logging`; later calls do nothing.
pub fn init_with(logging: &Logging) {
    let filter = logging
        .rust_log
        .as_deref()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("info,sqlx=warn,lapin=warn"));
    let result = match logging.log_format {
        LogFormat::Json => fmt().with_env_filter(filter).json().with_current_span(true).try_init(),
        LogFormat::Text => fmt().with_env_filter(filter).try_init(),
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
