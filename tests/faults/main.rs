//! The fault suite: Batline's services as real processes (two gateways, two
//! routers, a console) on a private PostgreSQL and a private RabbitMQ node,
//! under a mixed stream of texts, calls, walk-in tickets, Open311 requests
//! and emails (answered through an aiosmtpd relay), while a router
//! is SIGKILLed, a gateway aborts between storing a contact and publishing
//! it, RabbitMQ's app is stopped and started, and PostgreSQL is restarted.
//! Afterwards: every accepted contact is in exactly one case, every open
//! case has a named owner, no resident got two auto-replies, everything was
//! filed within 10 s of the last recovery, the outbox drained and nothing
//! was dead-lettered. Readiness is checked to be false while RabbitMQ is
//! away and true again after. The counts are printed for CI's log.
//!
//! A binary of its own, so its one heavy test does not compete with the
//! end-to-end tests' parallel ones for the machine.

#[path = "kit.rs"]
#[macro_use]
mod kit;

use std::time::Duration;

use chrono::Utc;
use kit::{
    cluster::{PrivatePostgres, PrivateRabbit, free_port},
    invariants::{self, count, filed, wait_for},
    stage::{self, Stage},
};
use tokio_util::sync::CancellationToken;

/// The gateway that aborts after storing this many contacts.
const ABORT_AFTER_STORES: u64 = 8;
/// How long the stream lasts.
const SPAN: Duration = Duration::from_secs(24);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batline_survives_kills_and_restarts_under_mixed_intake() -> anyhow::Result<()> {
    batline_core::telemetry::init_for_tests();
    let started = tokio::time::Instant::now();
    stage::remove_leftovers();
    let (pg, rabbit) = tokio::join!(tokio::task::spawn_blocking(PrivatePostgres::start), PrivateRabbit::start());
    let (pg, rabbit) = (pg??, rabbit?);
    stage::run("fault suite", started, |logs, shutdown| async move { scenario(&pg, &rabbit, &logs, &shutdown).await })
        .await
}

async fn scenario(
    pg: &PrivatePostgres,
    rabbit: &PrivateRabbit,
    logs: &std::path::Path,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let stage = Stage::set_up(&pg.url("batline"), &rabbit.amqp_url(), logs, &[], shutdown).await?;
    let (env, http, pool, ready) = (&stage.env, &stage.http, &stage.pool, stage::READY);

    let (port_a, port_b, port_console) = (free_port()?, free_port()?, free_port()?);
    let (smtp_a, smtp_b) = (free_port()?, free_port()?);
    let gateway_a =
        env.spawn("gateway", "gateway-a", port_a, &[("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{smtp_a}"))])?;
    let smtp_b_var = ("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{smtp_b}"));
    let hook = [("BATLINE_FAULT_EXIT_AFTER_STORE", ABORT_AFTER_STORES.to_string()), smtp_b_var.clone()];
    let mut gateway_b = env.spawn("gateway", "gateway-b", port_b, &hook)?;
    let console = env.spawn("console", "console", port_console, &[])?;
    let mut router_1 = env.spawn("router", "router-1", free_port()?, &[])?;
    let router_2 = env.spawn("router", "router-2", free_port()?, &[])?;
    for service in [&gateway_a, &gateway_b, &console, &router_1, &router_2] {
        service.wait_ready(http, 200, ready).await?;
    }

    let driver = stage.driver(&[&gateway_a, &gateway_b], &[smtp_a, smtp_b], &console).await?;
    let stream = Stage::start_stream(&driver, SPAN);
    let (planned, at) = (stream.planned, stream.clock());

    // 1. A router dies without a word while it is filing.
    wait_for("a few contacts to be filed", Duration::from_secs(30), || async {
        Ok(count(pool, "SELECT count(*) FROM intake WHERE case_id IS NOT NULL").await? >= 8)
    })
    .await?;
    router_1.kill()?;
    say!("{} fault: SIGKILLed {} after {} contacts were filed", at(), router_1.name, filed(pool).await?);
    let router_3 = env.spawn("router", "router-3", free_port()?, &[])?;
    router_3.wait_ready(http, 200, ready).await?;

    // 2. A gateway dies between storing a contact and publishing it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = gateway_b.exited()? {
            break status;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "gateway-b never reached its fault hook");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    use std::os::unix::process::ExitStatusExt;
    anyhow::ensure!(status.signal() == Some(6), "gateway-b should have aborted, but ended with {status}");
    say!("{} fault: gateway-b aborted after storing its contact no. {ABORT_AFTER_STORES}, before publishing it", at());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let gateway_b = env.spawn("gateway", "gateway-b", port_b, &[smtp_b_var])?;
    gateway_b.wait_ready(http, 200, ready).await?;

    // 3. RabbitMQ's app stops: every service says it is not ready, then
    //    ready again once the supervisors have reconnected.
    let everyone = [&gateway_a, &gateway_b, &console, &router_2, &router_3];
    rabbit.stop_app().await?;
    say!("{} fault: RabbitMQ stopped (stop_app)", at());
    for service in everyone {
        service.wait_ready(http, 503, Duration::from_secs(15)).await?;
    }
    say!("{} supervision: /readyz is 503 on all {} services while RabbitMQ is down", at(), everyone.len());
    tokio::time::sleep(Duration::from_secs(2)).await;
    rabbit.start_app().await?;
    say!("{} recovery: RabbitMQ started (start_app)", at());
    for service in everyone {
        service.wait_ready(http, 200, ready).await?;
    }
    say!("{} supervision: /readyz is 200 on all {} services again", at(), everyone.len());

    // 4. PostgreSQL restarts, with a moment of downtime.
    pg.restart(Duration::from_secs(2)).await?;
    let last_recovery = Utc::now();
    say!("{} fault: PostgreSQL restarted (pg_ctl stop -m fast, 2 s down, start); that is the last recovery", at());
    let backlog = count(pool, "SELECT count(*) FROM intake WHERE case_id IS NULL").await.unwrap_or(-1);
    say!("{} backlog at the last recovery: {backlog} stored contacts without a case", at());

    let accepted = stage.finish(stream.handle, &driver, planned).await?;
    say!("{} the stream ended and everything settled", at());
    invariants::check(pool, &stage.sandbox, &accepted, last_recovery, invariants::Faults::ReachedSenders).await
}
