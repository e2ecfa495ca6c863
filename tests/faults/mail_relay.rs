//! The city's mail relay in the run: the aiosmtpd relay of the email tests
//! (`tests/email/relay.py`), taking the gateways' answers to residents
//! into a maildir in the run's log directory.

use std::{path::Path, time::Duration};

use anyhow::Context as _;
use tokio::io::AsyncBufReadExt;

/// The pinned aiosmtpd (`scripts/test` installs it).
const AIOSMTPD_VERSION: &str = "1.4.6";

/// A running relay; stopped when dropped.
pub struct MailRelay {
    /// Where it takes mail.
    pub port: u16,
    _process: tokio::process::Child,
}

impl MailRelay {
    /// Starts the relay, its maildir under `dir`.
    pub async fn start(dir: &Path) -> anyhow::Result<MailRelay> {
        let python = std::env::var_os("BATLINE_AIOSMTPD_PYTHON").map(std::path::PathBuf::from).unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(format!(".cache/batline/aiosmtpd-{AIOSMTPD_VERSION}/bin/python"))
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/email/relay.py");
        // Nothing in the run mails the line through the relay: its own
        // domain is relayed to a closed port.
        let mut child = tokio::process::Command::new(&python)
            .arg(script)
            .arg("fault.test")
            .arg("127.0.0.1:9")
            .arg(dir.join("maildir"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting the mail relay with {} (scripts/test installs it)", python.display()))?;
        let stdout = child.stdout.take().context("the relay's output")?;
        let mut first = String::new();
        tokio::time::timeout(Duration::from_secs(30), tokio::io::BufReader::new(stdout).read_line(&mut first))
            .await
            .context("the mail relay did not start within 30 s")??;
        let port = first.trim().strip_prefix("ready ").context("the relay's ready line")?.parse()?;
        Ok(MailRelay { port, _process: child })
    }
}
