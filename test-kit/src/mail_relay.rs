//! The city's mail relay in tests: `tests/email/relay.py`, a real SMTP
//! server (aiosmtpd, pinned in `tests/email/requirements.txt` and installed
//! by `scripts/test`). Mail for the line's domain is relayed to Batline's
//! SMTP listener, its 4xx and 5xx passed back; everything else is delivered
//! to a maildir, the residents' mailboxes.

use std::{path::Path, time::Duration};

use anyhow::Context as _;
use tokio::io::AsyncBufReadExt;

use crate::app::TestResult;

/// The pinned aiosmtpd.
const AIOSMTPD_VERSION: &str = "1.4.6";

/// A running relay; stopped when dropped or with [`MailRelay::stop`].
pub struct MailRelay {
    /// Where it takes mail.
    pub port: u16,
    process: tokio::process::Child,
}

impl MailRelay {
    /// Starts the relay for `line_domain`, relaying it to `batline`
    /// (`host:port`) and delivering the rest into `maildir`.
    pub async fn start(line_domain: &str, batline: &str, maildir: &Path) -> TestResult<MailRelay> {
        let python = std::env::var_os("BATLINE_AIOSMTPD_PYTHON").map(std::path::PathBuf::from).unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(format!(".cache/batline/aiosmtpd-{AIOSMTPD_VERSION}/bin/python"))
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/email/relay.py");
        let mut process = tokio::process::Command::new(&python)
            .arg(script)
            .arg(line_domain)
            .arg(batline)
            .arg(maildir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting the mail relay with {} (scripts/test installs it)", python.display()))?;
        let stdout = process.stdout.take().context("the relay's output")?;
        let mut first = String::new();
        tokio::time::timeout(Duration::from_secs(30), tokio::io::BufReader::new(stdout).read_line(&mut first))
            .await
            .context("the mail relay did not start within 30 s")??;
        let port = first.trim().strip_prefix("ready ").context("the relay's ready line")?.parse()?;
        Ok(MailRelay { port, process })
    }

    /// Stops it, so nothing more lands in its maildir.
    pub async fn stop(mut self) {
        let _ = self.process.kill().await;
    }
}
