//! Batline's services as real child processes (`batline gateway|router|
//! console`), so SIGKILL and abort are real. Each writes its log to a file
//! in the run's directory; the test prints the tails when it fails. A child
//! is killed when its handle drops; a child whose test process was killed
//! outright (no drop runs then) is found by its [`RUN_VAR`] and killed by
//! the next run.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

/// Marks every child with the test process's id.
pub const RUN_VAR: &str = "BATLINE_FAULT_SUITE_RUN";

/// Kills services that an earlier run started and could not stop because
/// it was killed itself: their [`RUN_VAR`] names a process that is gone.
pub fn kill_leftovers() {
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        let marker = format!("{RUN_VAR}=");
        let owner = environ
            .split(|b| *b == 0)
            .filter_map(|var| std::str::from_utf8(var).ok()?.strip_prefix(&marker)?.parse::<u32>().ok())
            .next();
        if let Some(owner) = owner
            && owner != std::process::id()
            && !std::path::Path::new(&format!("/proc/{owner}")).exists()
        {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
}

/// What every service of the run shares.
#[derive(Clone)]
pub struct Environment {
    /// Variables every service gets.
    pub vars: Vec<(String, String)>,
    /// Where the logs go.
    pub log_dir: PathBuf,
}

/// A running service.
pub struct Service {
    /// `gateway-a`, `router-1`, …
    pub name: String,
    /// Where it answers its public HTTP (a router's is its operations listener).
    pub base: String,
    /// Where its operations listener answers `/readyz`.
    pub ops: String,
    child: Child,
}

impl Environment {
    /// Starts `batline <kind>` as `name`, answering on `port` (a router: its
    /// operations listener; the others' take a free port of their own), with
    /// `extra` variables on top of the shared ones.
    pub fn spawn(&self, kind: &str, name: &str, port: u16, extra: &[(&str, String)]) -> anyhow::Result<Service> {
        let (addr_var, ops_var) = match kind {
            "gateway" => ("BATLINE_GATEWAY_ADDR", Some("BATLINE_GATEWAY_OPS_ADDR")),
            "console" => ("BATLINE_CONSOLE_ADDR", Some("BATLINE_CONSOLE_OPS_ADDR")),
            "router" => ("BATLINE_ROUTER_METRICS_ADDR", None),
            other => anyhow::bail!("no service {other}"),
        };
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.log_dir.join(format!("{name}.log")))?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_batline"));
        command.arg(kind).envs(self.vars.iter().map(|(k, v)| (k, v))).env(RUN_VAR, std::process::id().to_string());
        // The listeners must differ even where a service does not use its
        // neighbours'; port 0 is exempt from that check.
        for var in [
            "BATLINE_GATEWAY_ADDR",
            "BATLINE_CONSOLE_ADDR",
            "BATLINE_GATEWAY_OPS_ADDR",
            "BATLINE_CONSOLE_OPS_ADDR",
            "BATLINE_ROUTER_METRICS_ADDR",
        ] {
            command.env(var, "127.0.0.1:0");
        }
        command.env(addr_var, format!("127.0.0.1:{port}"));
        let ops_port = match ops_var {
            Some(var) => {
                let ops_port = super::cluster::free_port()?;
                command.env(var, format!("127.0.0.1:{ops_port}"));
                ops_port
            }
            None => port,
        };
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log).spawn()?;
        Ok(Service {
            name: name.to_owned(),
            base: format!("http://127.0.0.1:{port}"),
            ops: format!("http://127.0.0.1:{ops_port}"),
            child,
        })
    }

    /// The last `lines` lines of every service's log.
    pub fn log_tails(&self, lines: usize) -> String {
        let mut out = String::new();
        let Ok(entries) = std::fs::read_dir(&self.log_dir) else { return out };
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let all: Vec<&str> = text.lines().collect();
            out.push_str(&format!("---- {} ----\n", entry.file_name().to_string_lossy()));
            for line in &all[all.len().saturating_sub(lines)..] {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

impl Service {
    /// SIGKILL, and reap it.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// SIGTERM, as systemd stops a unit, and waits up to `within` for it
    /// to finish what it has in hand and exit. Returns how long it took.
    pub async fn terminate(&mut self, within: Duration) -> anyhow::Result<Duration> {
        let asked = tokio::time::Instant::now();
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        anyhow::ensure!(status.success(), "could not send SIGTERM to {}", self.name);
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::ensure!(status.success(), "{} ended with {status} after SIGTERM", self.name);
                return Ok(asked.elapsed());
            }
            anyhow::ensure!(asked.elapsed() < within, "{} did not stop within {within:?} of SIGTERM", self.name);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Whether it has exited, and how.
    pub fn exited(&mut self) -> anyhow::Result<Option<std::process::ExitStatus>> {
        Ok(self.child.try_wait()?)
    }

    /// Waits until its operations listener's `/readyz` answers `status` (200
    /// ready, 503 not), or fails after `timeout`.
    pub async fn wait_ready(&self, http: &reqwest::Client, status: u16, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let last = match http.get(format!("{}/readyz", self.ops)).timeout(Duration::from_secs(2)).send().await {
                Ok(r) if r.status().as_u16() == status => return Ok(()),
                Ok(r) => format!("{} {}", r.status(), r.text().await.unwrap_or_default()),
                Err(e) => e.to_string(),
            };
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("{}: /readyz did not answer {status} within {timeout:?} (last: {last})", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
