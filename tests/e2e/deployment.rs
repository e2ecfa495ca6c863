//! How `batline up` treats the demo city on a line with a real Twilio
//! account: it seeds nothing, and it refuses to start while a demo sign-in
//! (whose password the README prints) still has the demo password. And
//! where it says its operations listeners are.

use std::{process::Stdio, time::Duration};

use batline_core::{bus, db, store};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};
use uuid::Uuid;

use crate::support::{AMQP_URL, TestResult};

/// A fresh database and bus namespace, and `batline up` configured for a
/// real Twilio account (never reached: nothing is sent).
struct Line {
    database_url: String,
    namespace: String,
}

impl Line {
    fn new() -> Self {
        let id = Uuid::new_v4().simple().to_string();
        Line {
            database_url: format!("postgres://postgres@127.0.0.1:5432/batline_deploy_{id}"),
            namespace: format!("batline_deploy_{id}"),
        }
    }

    fn up(&self, extra: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_batline"));
        command
            .arg("up")
            .env_clear()
            .env("DATABASE_URL", &self.database_url)
            .env("AMQP_URL", AMQP_URL)
            .env("BATLINE_BUS_NAMESPACE", &self.namespace)
            .env("BATLINE_GATEWAY_ADDR", "127.0.0.1:0")
            .env("BATLINE_CONSOLE_ADDR", "127.0.0.1:0")
            .env("BATLINE_GATEWAY_OPS_ADDR", "127.0.0.1:0")
            .env("BATLINE_CONSOLE_OPS_ADDR", "127.0.0.1:0")
            .env("BATLINE_PUBLIC_URL", "https://batline.test.example")
            .env("BATLINE_CONSOLE_URL", "https://console.batline.test.example")
            .env("TWILIO_ACCOUNT_SID", "ACdeployment")
            .env("TWILIO_AUTH_TOKEN", "a-real-accounts-token")
            .env("TWILIO_FROM_NUMBER", "+358931000000")
            .env("TWILIO_API_BASE", "http://127.0.0.1:9")
            .env("RUST_LOG", "warn")
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    async fn teardown(self) -> TestResult {
        db::drop_database(&self.database_url).await?;
        bus::delete_namespace(AMQP_URL, &self.namespace).await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_real_line_refuses_to_start_while_a_demo_sign_in_has_the_demo_password() -> TestResult {
    let line = Line::new();
    let pool = db::connect_and_migrate(&line.database_url, 2).await?;
    // A database that ran the demo once (say, before the account was set up).
    batline::seed::demo_city_if_empty(&pool).await?;

    let out = tokio::time::timeout(Duration::from_secs(60), line.up(&[]).output()).await??;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started with the demo's published password: {said}");
    assert!(
        said.contains("demo password") && said.contains("pormestari"),
        "names the mayor, who can read every case: {said}"
    );
    assert!(said.contains("batline responder password"), "says how to fix it: {said}");

    // Every demo sign-in given a new password: it starts.
    for username in batline::seed::demo_sign_ins_still_open(&pool).await? {
        let out = Command::new(env!("CARGO_BIN_EXE_batline"))
            .args(["responder", "password", "--username", username])
            .env("DATABASE_URL", &line.database_url)
            .env("BATLINE_RESPONDER_PASSWORD", "a much better password")
            .output()
            .await?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut up = line.up(&[]).stdout(Stdio::piped()).spawn()?;
    let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let running = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("Batline is running") {
                return Ok::<bool, std::io::Error>(true);
            }
        }
        Ok(false)
    })
    .await??;
    assert!(running, "batline up did not start once the demo passwords were changed");
    up.kill().await?;
    pool.close().await;
    line.teardown().await
}

#[tokio::test]
async fn a_real_line_seeds_no_demo_city_unless_asked() -> TestResult {
    let line = Line::new();
    let pool = db::connect_and_migrate(&line.database_url, 2).await?;

    // Nothing seeded, so no backstop: it stops and says how to add one.
    let out = tokio::time::timeout(Duration::from_secs(60), line.up(&[]).output()).await??;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("no backstop"), "{said}");
    assert_eq!(store::responders::count(&pool).await?, 0, "seeded a demo city into a real line");

    // BATLINE_DEMO=true (staging, tests) seeds it.
    let mut up = line.up(&[("BATLINE_DEMO", "true")]).stdout(Stdio::piped()).spawn()?;
    let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let seeded = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("Demo sign-ins") {
                return Ok::<bool, std::io::Error>(true);
            }
        }
        Ok(false)
    })
    .await??;
    assert!(seeded, "BATLINE_DEMO=true did not seed the demo city");
    up.kill().await?;
    pool.close().await;
    line.teardown().await
}

/// The `http://` addresses in a line `batline up` printed.
fn urls(line: &str) -> Vec<String> {
    line.split_whitespace().filter(|w| w.starts_with("http://")).map(|w| w.trim_end_matches(',').to_owned()).collect()
}

#[tokio::test]
async fn batline_up_prints_its_operations_addresses_and_serves_them_there_only() -> TestResult {
    let line = Line::new();
    let mut up = line.up(&[("BATLINE_DEMO", "true")]).stdout(Stdio::piped()).spawn()?;
    let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    // Port 0 everywhere: the printed addresses are the only way to them.
    let (console, ops) = tokio::time::timeout(Duration::from_secs(60), async {
        let (mut console, mut ops) = (None, None);
        while let Some(line) = lines.next_line().await? {
            let line = line.trim_start();
            if line.starts_with("console ") {
                console = urls(line).into_iter().next();
            } else if line.starts_with("operations ") {
                ops = Some(urls(line));
            }
            if let (Some(console), Some(ops)) = (&console, &ops) {
                return Ok::<_, anyhow::Error>((console.clone(), ops.clone()));
            }
        }
        anyhow::bail!("batline up printed no console or operations address")
    })
    .await??;
    assert_eq!(ops.len(), 2, "the gateway's and the console's: {ops:?}");
    let http = reqwest::Client::new();
    for base in &ops {
        crate::support::eventually("the operations listener to say ready", Duration::from_secs(30), || async {
            let r = http.get(format!("{base}/readyz")).send().await?;
            Ok((r.status() == 200).then_some(()))
        })
        .await?;
        let metrics = http.get(format!("{base}/metrics")).send().await?;
        assert_eq!(metrics.status(), 200, "{base}/metrics");
        assert!(!base.ends_with(":0"), "the bound port is printed, not the setting's 0: {base}");
    }
    for path in batline_core::ops_server::PATHS {
        let r = http.get(format!("{console}{path}")).send().await?;
        assert_eq!(r.status(), 404, "the console's public address answers {path}");
    }
    up.kill().await?;
    let _ = up.wait().await;
    line.teardown().await
}
