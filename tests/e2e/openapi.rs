//! Both servers' OpenAPI documents, checked against the running servers by
//! schemathesis (PyPI) with its default checks: no 5xx, only documented
//! status codes, content types, headers and bodies, invalid input refused
//! with a 4xx, valid input not refused, authentication enforced.
//!
//! schemathesis is a Python program: `.ci/run` installs the pinned version
//! into a virtual environment; without it this test fails and says how to
//! install it (it never passes silently).

use std::{path::PathBuf, process::Stdio, time::Duration};

use batline_core::domain::{DutyStatus, Language, Role};
use serde_json::Value;

use crate::support::{Options, TestApp, TestResult};

/// The schemathesis `.ci/run` installs; the seed below makes its runs
/// repeatable, which holds only for one version.
const VERSION: &str = "4.32.5";
/// Fixed so a failure seen once is seen again, and CI never flakes.
const SEED: &str = "20261122";
/// Test cases per operation and phase: enough to cross every documented
/// branch, small enough for about a minute on two cores.
const MAX_EXAMPLES: &str = "12";
/// A run that takes longer than this is a failure of its own.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// Where `.ci/run` puts the virtual environment.
fn default_install() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    Some(PathBuf::from(home).join(format!(".cache/batline/schemathesis-{VERSION}/bin/schemathesis")))
}

fn how_to_install() -> String {
    format!(
        "schemathesis {VERSION} is needed for this test (CI installs it with .ci/run). Install it with:\n  \
         python3 -m venv ~/.cache/batline/schemathesis-{VERSION} && \
         ~/.cache/batline/schemathesis-{VERSION}/bin/pip install schemathesis=={VERSION}\n\
         (on Debian first `apt-get install python3-venv`), or point BATLINE_SCHEMATHESIS at the executable."
    )
}

/// The schemathesis executable of the pinned version.
async fn schemathesis() -> TestResult<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("BATLINE_SCHEMATHESIS")
        .map(PathBuf::from)
        .into_iter()
        .chain(default_install())
        .chain([PathBuf::from("schemathesis")])
        .collect();
    for candidate in candidates {
        let Ok(out) = tokio::process::Command::new(&candidate).arg("--version").output().await else {
            continue;
        };
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && said.contains(VERSION) {
            return Ok(candidate);
        }
        eprintln!("{} is not schemathesis {VERSION}: {}", candidate.display(), said.trim());
    }
    anyhow::bail!("{}", how_to_install())
}

/// Runs schemathesis on the document at `base/openapi.json` with `extra`
/// arguments: its whole report if it found anything.
async fn run(st: &PathBuf, base: &str, extra: &[&str]) -> TestResult<Option<String>> {
    let report = tempfile_dir()?;
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/schemathesis.toml");
    let mut command = tokio::process::Command::new(st);
    command
        .args(["--config-file", config, "--no-color", "run", &format!("{base}/openapi.json")])
        .args(["--seed", SEED, "--max-examples", MAX_EXAMPLES, "--request-timeout", "30"])
        // One worker: Python 3.11 (Debian's) can fail parsing in threads
        // ("AST constructor recursion depth mismatch"), which schemathesis
        // reports as an error of the API under test.
        .args(["--workers", "1"])
        .args(extra)
        .current_dir(&report)
        // Hypothesis keeps its example database here; a fresh one each run
        // keeps runs independent of each other.
        .env("HYPOTHESIS_STORAGE_DIRECTORY", report.join("hypothesis"))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let started = std::time::Instant::now();
    let out = tokio::time::timeout(RUN_LIMIT, command.output()).await??;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("schemathesis on {base} took {:.0?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&report);
    Ok((!out.status.success()).then(|| format!("schemathesis found problems in {base}/openapi.json:\n{text}")))
}

fn tempfile_dir() -> TestResult<PathBuf> {
    let dir = std::env::temp_dir().join(format!("batline-schemathesis-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_in_either_api() -> TestResult {
    let st = schemathesis().await?;
    // The per-address limits are not under test here; at their defaults
    // most of the run would only see 429s.
    let env =
        vec![("BATLINE_TRACK_PER_MINUTE", "1000000".to_owned()), ("BATLINE_OPEN_PER_MINUTE", "1000000".to_owned())];
    let app = TestApp::spawn_with(Options { env, ..Options::default() }).await?;
    // An admin reaches every console operation; with a home point, a
    // ticket without `point_id` is filed there.
    let admin = app.add_responder("ada", "Ada", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET role = $2 WHERE id = $1")
        .bind(admin.id)
        .bind(Role::Admin)
        .execute(&app.pool)
        .await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.set_home_point(admin.id, point).await?;
    // A case, so the lists and reports have something in them.
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358401234567", "Puistossa on kaatunut puu").await?;
    app.wait_for_cases("+358401234567", 1, Duration::from_secs(10)).await?;
    let session = app.sign_in("ada").await?;
    let (status, me): (u16, Value) = session.get("/api/v1/me").await?;
    anyhow::ensure!(status == 200 && me["role"] == "admin", "{status} {me}");

    let mut found = Vec::new();
    found.extend(run(&st, &app.gateway, &[]).await?);
    let bearer = format!("Authorization: Bearer {}", session.token);
    // Signing out would end the session the rest of the run uses: it gets
    // a run of its own, with a session of its own.
    found.extend(run(&st, &app.console, &["-H", &bearer, "--exclude-operation-id", "sign_out"]).await?);
    let other = app.sign_in("ada").await?;
    let bearer = format!("Authorization: Bearer {}", other.token);
    found.extend(run(&st, &app.console, &["-H", &bearer, "--include-operation-id", "sign_out"]).await?);
    app.teardown().await?;
    anyhow::ensure!(found.is_empty(), "{}", found.join("\n\n"));
    Ok(())
}
