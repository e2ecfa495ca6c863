//! Runs the browser tests in `tests/browser/` (Node.js + playwright-core
//! driving Debian's Chromium) against a [`TestApp`](crate::support::TestApp).
//! The Rust side sets the scene (servers, responders, SMS through the
//! sandbox); the script clicks and reads like a person would.

use std::{path::PathBuf, process::Stdio, time::Duration};

use anyhow::{Context, bail};
use tokio::process::Command;

use crate::support::TestResult;

/// Longest a browser script may run.
const TIMEOUT: Duration = Duration::from_secs(180);

/// Runs `tests/browser/<script>` with `env` and fails with its output unless it exits 0.
pub async fn run(script: &str, env: &[(&str, String)]) -> TestResult {
    run_for(script, env, TIMEOUT).await
}

/// [`run`], for a script that may take up to `timeout`.
pub async fn run_for(script: &str, env: &[(&str, String)], timeout: Duration) -> TestResult {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("tests/browser").join(script);
    let mut command = Command::new("node");
    command.arg(&path).current_dir(&root).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().context("starting node; install Node.js (Debian: apt-get install nodejs npm)")?;
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .with_context(|| format!("{script} ran longer than {timeout:?}"))??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("{script} failed ({})\n--- its output ---\n{stdout}\n--- its errors ---\n{stderr}", output.status);
    }
    println!("{stdout}");
    Ok(())
}
