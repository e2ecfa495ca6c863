//! A private PostgreSQL cluster and a private RabbitMQ node for the fault
//! suite, so that restarting them disturbs no other test on the machine.
//!
//! Both run from Debian's packages as their own system users (the suite runs
//! as root, and neither server will run as root): PostgreSQL (the newest
//! version under `/usr/lib/postgresql`, 15 on Debian 12) with
//! `initdb`/`pg_ctl` in a temporary directory owned by `postgres`, RabbitMQ
//! as a second node (`batline-fault-<pid>-<id>@localhost`) with its own
//! ports, data and log directories, sharing the machine's epmd and Erlang
//! cookie so `rabbitmqctl -n` can steer it. Each is torn down when its guard
//! drops, also when the test fails. Directories and node names carry the
//! test process's id, so a run killed before its guards dropped is cleaned
//! up by the next run.

use std::{
    collections::BTreeSet,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::Mutex,
    time::Duration,
};

use anyhow::Context;
use uuid::Uuid;

/// Where Debian installs each PostgreSQL version's server binaries.
const PG_VERSIONS: &str = "/usr/lib/postgresql";
const RABBITMQ_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const RABBITMQCTL: &str = "/usr/lib/rabbitmq/bin/rabbitmqctl";
/// Where the Debian package keeps the Erlang cookie the CLI must share.
const RABBITMQ_HOME: &str = "/var/lib/rabbitmq";
/// Prefix of every directory and node this module creates.
const PREFIX: &str = "batline-fault-";
/// Where the servers' directories go: `/tmp` rather than `$TMPDIR`, which
/// may be private to root, and PostgreSQL's socket path must stay short.
const BASE: &str = "/tmp";

/// A port nobody listens on right now, and never one this suite was given
/// before: the kernel may hand a just-released port out again, and two
/// services given the same one means one of them cannot start (it
/// happened: a console's operations port was the gateway's).
pub fn free_port() -> anyhow::Result<u16> {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    for _ in 0..100 {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        if GIVEN.lock().unwrap_or_else(|p| p.into_inner()).insert(port) {
            return Ok(port);
        }
    }
    anyhow::bail!("no port this suite has not used already")
}

/// Runs `program args` as `user` and fails with its output if it fails.
fn run_as(user: &str, envs: &[(&str, String)], program: &str, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new("runuser");
    // From `/`: the test's own directory (a `mktemp -d` clone, 0700) may be
    // closed to `user`, and psql says so on stderr, into the output read here.
    command.current_dir("/").args(["-u", user, "--", "env"]);
    for (k, v) in envs {
        command.arg(format!("{k}={v}"));
    }
    let out = command
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {program} as {user}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    anyhow::ensure!(out.status.success(), "{program} {args:?} failed ({}): {text}", out.status);
    Ok(text)
}

/// Runs a blocking command on tokio's blocking pool, so the services' traffic
/// driver keeps running meanwhile.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f).await?
}

fn make_dir(owner: &str, kind: &str) -> anyhow::Result<PathBuf> {
    let dir = Path::new(BASE).join(format!("{PREFIX}{kind}-{}-{}", std::process::id(), Uuid::new_v4().simple()));
    std::fs::create_dir(&dir)?;
    chown(owner, &dir)?;
    Ok(dir)
}

fn chown(owner: &str, path: &Path) -> anyhow::Result<()> {
    let status = Command::new("chown").arg("-R").arg(format!("{owner}:{owner}")).arg(path).status()?;
    anyhow::ensure!(status.success(), "chown {owner} {} failed", path.display());
    Ok(())
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The pid a leftover's name carries: `batline-fault-<kind>-<pid>-<id>`.
fn owner_pid(name: &str) -> Option<u32> {
    name.strip_prefix(PREFIX)?.split('-').nth(1)?.parse().ok()
}

/// The server binaries of the newest PostgreSQL installed.
fn pg_bin() -> anyhow::Result<PathBuf> {
    let newest = std::fs::read_dir(PG_VERSIONS)
        .with_context(|| format!("no PostgreSQL server under {PG_VERSIONS} (apt-get install postgresql)"))?
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .max_by_key(|(version, _)| *version);
    newest.map(|(_, bin)| bin).ok_or_else(|| anyhow::anyhow!("no initdb under {PG_VERSIONS}/*/bin"))
}

fn pg_tool(name: &str) -> anyhow::Result<String> {
    Ok(pg_bin()?.join(name).display().to_string())
}

/// A directory for the run's service logs, cleaned up like the servers'.
pub fn log_dir() -> anyhow::Result<PathBuf> {
    make_dir("root", "logs")
}

/// Removes log directories of earlier runs that were killed outright.
pub fn remove_leftover_logs() {
    let Ok(entries) = std::fs::read_dir(BASE) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{PREFIX}logs-")) && !owner_pid(&name).is_none_or(process_alive) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A throwaway PostgreSQL cluster on a free port.
pub struct PrivatePostgres {
    dir: PathBuf,
    port: u16,
}

fn pg_ctl_start(dir: &Path, port: u16) -> anyhow::Result<()> {
    // Six services with pools of twenty, and the test's own connections.
    let options =
        format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", dir.display());
    let (data, log) = (dir.join("data").display().to_string(), dir.join("server.log").display().to_string());
    run_as("postgres", &[], &pg_tool("pg_ctl")?, &["-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start"])
        .map(|_| ())
}

fn pg_ctl_stop(dir: &Path, mode: &str) -> anyhow::Result<()> {
    let data = dir.join("data").display().to_string();
    run_as("postgres", &[], &pg_tool("pg_ctl")?, &["-D", &data, "-w", "-m", mode, "stop"]).map(|_| ())
}

impl PrivatePostgres {
    /// `initdb` and start a cluster; trust authentication for `postgres`.
    pub fn start() -> anyhow::Result<PrivatePostgres> {
        let dir = make_dir("postgres", "pg")?;
        let pg = PrivatePostgres { dir, port: free_port()? };
        let data = pg.dir.join("data").display().to_string();
        run_as(
            "postgres",
            &[],
            &pg_tool("initdb")?,
            &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
        )?;
        pg_ctl_start(&pg.dir, pg.port)?;
        Ok(pg)
    }

    /// A streaming standby of the primary on `primary_port`, taken with `pg_basebackup -R`
    /// (which writes `standby.signal` and the primary's address), started
    /// on a port of its own.
    pub fn start_standby_of_port(primary_port: u16) -> anyhow::Result<PrivatePostgres> {
        let dir = make_dir("postgres", "pg")?;
        let standby = PrivatePostgres { dir, port: free_port()? };
        let data = standby.dir.join("data").display().to_string();
        let port = primary_port.to_string();
        run_as(
            "postgres",
            &[],
            &pg_tool("pg_basebackup")?,
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-D", &data, "-R", "-X", "stream", "--no-sync"],
        )?;
        pg_ctl_start(&standby.dir, standby.port)?;
        Ok(standby)
    }

    /// This cluster's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs one SQL statement as `postgres` through psql.
    fn psql(&self, sql: &str) -> anyhow::Result<String> {
        let port = self.port.to_string();
        run_as(
            "postgres",
            &[],
            &pg_tool("psql")?,
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-d", "postgres", "-XAtq", "-c", sql],
        )
    }

    /// Makes every commit wait for a standby's flush (`synchronous_commit =
    /// on` with any standby named), and waits until a standby streams
    /// synchronously. Set after the base backup, so a promoted standby does
    /// not wait for a standby of its own.
    pub async fn require_synchronous_standby(&self) -> anyhow::Result<()> {
        self.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")?;
        self.psql("SELECT pg_reload_conf()")?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let states = self.psql("SELECT string_agg(sync_state, ',') FROM pg_stat_replication")?;
            if states.lines().flat_map(|line| line.trim().split(',')).any(|s| s == "sync") {
                return Ok(());
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "no synchronous standby within 30 s: {states}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Makes every new transaction read-only (`default_transaction_read_only`
    /// through `ALTER SYSTEM` and a reload), as an operator freezes writes
    /// when a switch-over begins: open sessions too meet SQLSTATE 25006 on
    /// their next write.
    pub async fn freeze_writes(&self) -> anyhow::Result<()> {
        self.psql("ALTER SYSTEM SET default_transaction_read_only = on")?;
        self.psql("SELECT pg_reload_conf()").map(|_| ())
    }

    /// `pg_ctl stop -m immediate`: the server dies without a checkpoint,
    /// as when its machine fails.
    pub async fn kill(&self) -> anyhow::Result<()> {
        let dir = self.dir.clone();
        blocking(move || pg_ctl_stop(&dir, "immediate")).await
    }

    /// `pg_ctl promote`: a standby becomes the primary.
    pub async fn promote(&self) -> anyhow::Result<()> {
        let data = self.dir.join("data").display().to_string();
        blocking(move || run_as("postgres", &[], &pg_tool("pg_ctl")?, &["-D", &data, "-w", "promote"]).map(|_| ()))
            .await
    }

    /// A database URL on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server as an operator would (`-m fast`: sessions are cut),
    /// leaves it down for `down`, and starts it again.
    pub async fn restart(&self, down: Duration) -> anyhow::Result<()> {
        let (dir, port) = (self.dir.clone(), self.port);
        blocking(move || {
            pg_ctl_stop(&dir, "fast")?;
            std::thread::sleep(down);
            pg_ctl_start(&dir, port)
        })
        .await
    }

    /// Stops clusters and removes directories that earlier runs, killed
    /// before their guards dropped, left behind.
    pub fn remove_leftovers() {
        let Ok(entries) = std::fs::read_dir(BASE) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&format!("{PREFIX}pg-")) || owner_pid(&name).is_none_or(process_alive) {
                continue;
            }
            let _ = pg_ctl_stop(&entry.path(), "immediate");
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // A cluster the test killed already is not running.
        let running = self.dir.join("data").join("postmaster.pid").exists();
        if running && let Err(e) = pg_ctl_stop(&self.dir, "immediate") {
            eprintln!("stopping the private PostgreSQL: {e:#}");
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("removing {}: {e}", self.dir.display());
        }
    }
}

/// The node of directory `batline-fault-rabbitmq-<pid>-<id>`: `batline-fault-<pid>-<id>@localhost`.
fn node_name(dir_name: &str) -> String {
    format!("{}@localhost", dir_name.replacen("rabbitmq-", "", 1))
}

/// A second RabbitMQ node on free ports.
pub struct PrivateRabbit {
    dir: PathBuf,
    node: String,
    port: u16,
    dist_port: u16,
}

impl PrivateRabbit {
    /// Starts the node and waits until it takes AMQP connections.
    pub async fn start() -> anyhow::Result<PrivateRabbit> {
        let dir = make_dir("rabbitmq", "rabbitmq")?;
        let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let node = node_name(&id);
        let rabbit = PrivateRabbit { dir, node, port: free_port()?, dist_port: free_port()? };
        // Only this listener: the machine's rabbitmq.conf would bind 5672.
        std::fs::write(rabbit.dir.join("rabbitmq.conf"), format!("listeners.tcp.local = 127.0.0.1:{}\n", rabbit.port))?;
        // No plugins: the machine's management plugin would bind 15672.
        std::fs::write(rabbit.dir.join("enabled_plugins"), "")?;
        std::fs::create_dir(rabbit.dir.join("mnesia"))?;
        std::fs::create_dir(rabbit.dir.join("log"))?;
        chown("rabbitmq", &rabbit.dir)?;
        rabbit.launch()?;
        rabbit.wait_accepting(Duration::from_secs(60)).await?;
        Ok(rabbit)
    }

    /// Runs the Erlang node in the background, on this node's directories.
    fn launch(&self) -> anyhow::Result<()> {
        let path = |p: &str| self.dir.join(p).display().to_string();
        let envs = [
            ("HOME", RABBITMQ_HOME.to_owned()),
            ("RABBITMQ_NODENAME", self.node.clone()),
            // Without it the node would take 25672, the machine node's.
            ("RABBITMQ_DIST_PORT", self.dist_port.to_string()),
            ("RABBITMQ_MNESIA_BASE", path("mnesia")),
            ("RABBITMQ_LOG_BASE", path("log")),
            ("RABBITMQ_ENABLED_PLUGINS_FILE", path("enabled_plugins")),
            ("RABBITMQ_CONFIG_FILE", path("rabbitmq.conf")),
        ];
        run_as("rabbitmq", &envs, RABBITMQ_SERVER, &["-detached"]).map(|_| ())
    }

    /// Three nodes joined in one cluster: the second and third join the first.
    pub async fn start_cluster() -> anyhow::Result<[PrivateRabbit; 3]> {
        let (a, b, c) = tokio::join!(PrivateRabbit::start(), PrivateRabbit::start(), PrivateRabbit::start());
        let nodes = [a?, b?, c?];
        for joining in &nodes[1..] {
            let (node, first) = (joining.node.clone(), nodes[0].node.clone());
            blocking(move || {
                Self::ctl(&node, &["stop_app"])?;
                Self::ctl(&node, &["join_cluster", &first])?;
                Self::ctl(&node, &["start_app"])
            })
            .await?;
            joining.wait_accepting(Duration::from_secs(30)).await?;
        }
        Ok(nodes)
    }

    /// The Erlang node's name, `batline-fault-…@localhost`.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// `rabbitmqctl stop`: the whole node goes, as when its machine does.
    pub async fn stop_node(&self) -> anyhow::Result<()> {
        let node = self.node.clone();
        blocking(move || Self::ctl(&node, &["stop"]).map(|_| ())).await
    }

    /// Starts a stopped node again on its own data (it rejoins its
    /// cluster) and waits until it takes connections.
    pub async fn start_node(&self) -> anyhow::Result<()> {
        self.launch()?;
        self.wait_accepting(Duration::from_secs(60)).await?;
        // Taking connections precedes being back in the cluster's
        // quorum queues: wait until the node itself says it is running.
        let node = self.node.clone();
        blocking(move || Self::ctl(&node, &["await_startup", "--timeout", "60"]).map(|_| ())).await
    }

    /// The node leading quorum queue `queue`, asked of this node.
    pub async fn leader_of(&self, queue: &str) -> anyhow::Result<String> {
        let (node, queue) = (self.node.clone(), queue.to_owned());
        blocking(move || {
            let out = Self::ctl(&node, &["list_queues", "name", "leader", "--no-table-headers", "--quiet"])?;
            out.lines()
                .filter_map(|line| line.split_once('\t'))
                .find(|(name, _)| name.trim() == queue)
                .map(|(_, leader)| leader.trim().to_owned())
                .ok_or_else(|| anyhow::anyhow!("no queue {queue} on {node}: {out}"))
        })
        .await
    }

    /// The nodes holding a replica of quorum queue `queue`, asked of this node.
    pub async fn members_of(&self, queue: &str) -> anyhow::Result<Vec<String>> {
        let (node, queue) = (self.node.clone(), queue.to_owned());
        blocking(move || {
            let out = Self::ctl(&node, &["list_queues", "name", "members", "--no-table-headers", "--quiet"])?;
            let line = out
                .lines()
                .find(|line| line.split('\t').next().is_some_and(|name| name.trim() == queue))
                .ok_or_else(|| anyhow::anyhow!("no queue {queue} on {node}: {out}"))?;
            let members = line.split_once('\t').map(|(_, m)| m).unwrap_or_default();
            Ok(members
                .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '@' | '.')))
                .filter(|m| m.contains('@'))
                .map(str::to_owned)
                .collect())
        })
        .await
    }

    /// This node's AMQP URL.
    pub fn amqp_url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    fn ctl(node: &str, args: &[&str]) -> anyhow::Result<String> {
        let mut all = vec!["-n", node];
        all.extend_from_slice(args);
        run_as("rabbitmq", &[("HOME", RABBITMQ_HOME.to_owned())], RABBITMQCTL, &all)
    }

    /// `rabbitmqctl stop_app`: the broker closes every connection and stops
    /// taking new ones; the Erlang node stays up.
    pub async fn stop_app(&self) -> anyhow::Result<()> {
        let node = self.node.clone();
        blocking(move || Self::ctl(&node, &["stop_app"]).map(|_| ())).await
    }

    /// `rabbitmqctl start_app`, then waits until it takes connections again.
    pub async fn start_app(&self) -> anyhow::Result<()> {
        let node = self.node.clone();
        blocking(move || Self::ctl(&node, &["start_app"]).map(|_| ())).await?;
        self.wait_accepting(Duration::from_secs(30)).await
    }

    async fn wait_accepting(&self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("log").join(format!("{}.log", self.node)))
                    .unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                anyhow::bail!("RabbitMQ node {} took no connections within {timeout:?}: {tail:#?}", self.node);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops nodes that earlier runs, killed before their guards dropped,
    /// left behind, and removes their directories.
    pub fn remove_leftovers() {
        let Ok(entries) = std::fs::read_dir(BASE) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&format!("{PREFIX}rabbitmq-")) || owner_pid(&name).is_none_or(process_alive) {
                continue;
            }
            let _ = Self::ctl(&node_name(&name), &["stop"]);
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for PrivateRabbit {
    fn drop(&mut self) {
        // `stop` halts the Erlang node and waits for it to go.
        if let Err(e) = Self::ctl(&self.node, &["stop"]) {
            eprintln!("stopping the private RabbitMQ node {}: {e:#}", self.node);
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("removing {}: {e}", self.dir.display());
        }
    }
}
