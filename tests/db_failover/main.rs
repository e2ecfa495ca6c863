//! Batline through a PostgreSQL failover: a primary with a synchronous
//! streaming standby, reached through one stable address (a TCP proxy the
//! test moves, as a virtual IP or HAProxy would be moved). Under a mixed
//! stream of contacts the primary's writes are frozen for a moment, as a
//! switch-over begins (`default_transaction_read_only`: the services' open
//! connections meet SQLSTATE 25006), then the primary is killed outright;
//! the address is moved to the standby at once, while it is still
//! read-only, and the standby is promoted two seconds later. The services
//! must discard the connections found read-only, refuse new ones to a
//! read-only server, keep retrying their work, and carry on once the
//! promoted server takes writes. Afterwards the invariants of
//! the fault suite hold, and nothing answered 2xx before the failover is
//! lost: with synchronous replication a commit is on the standby before
//! the webhook is answered.
//!
//! A binary of its own, like the fault suite, so it runs alone.

#[path = "../faults/kit.rs"]
#[macro_use]
mod kit;

use std::time::Duration;

use chrono::Utc;
use kit::{
    cluster::{PrivatePostgres, PrivateRabbit, free_port},
    invariants::{self, filed, wait_for},
    services::Service,
    stage::{self, Stage},
    tcp_proxy::TcpProxy,
};
use tokio_util::sync::CancellationToken;

/// How long the stream lasts.
const SPAN: Duration = Duration::from_secs(24);
/// How long the primary refuses writes before it is killed.
const FROZEN: Duration = Duration::from_secs(2);
/// How long the address leads to the standby before it is promoted.
const BEFORE_PROMOTION: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batline_rides_out_a_postgresql_failover() -> anyhow::Result<()> {
    batline_core::telemetry::init_for_tests();
    let started = tokio::time::Instant::now();
    stage::remove_leftovers();
    let (primary, rabbit) = tokio::join!(tokio::task::spawn_blocking(PrivatePostgres::start), PrivateRabbit::start());
    let (primary, rabbit) = (primary??, rabbit?);
    let standby = tokio::task::spawn_blocking({
        let port = primary.port();
        move || PrivatePostgres::start_standby_of_port(port)
    })
    .await??;
    primary.require_synchronous_standby().await?;
    say!("a primary and a synchronous standby are streaming ({:.1} s)", started.elapsed().as_secs_f64());
    stage::run("failover test", started, |logs, shutdown| async move {
        scenario(&primary, &standby, &rabbit, &logs, &shutdown).await
    })
    .await
}

async fn scenario(
    primary: &PrivatePostgres,
    standby: &PrivatePostgres,
    rabbit: &PrivateRabbit,
    logs: &std::path::Path,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let address = TcpProxy::start(primary.port(), shutdown.clone()).await?;
    let database_url = format!("postgres://postgres@127.0.0.1:{}/batline", address.port);
    let stage = Stage::set_up(&database_url, &rabbit.amqp_url(), logs, &[], shutdown).await?;
    let (env, http, pool, ready) = (&stage.env, &stage.http, &stage.pool, stage::READY);

    let (smtp_a, smtp_b) = (free_port()?, free_port()?);
    let smtp = |port: u16| [("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{port}"))];
    let gateway_a = env.spawn("gateway", "gateway-a", free_port()?, &smtp(smtp_a))?;
    let gateway_b = env.spawn("gateway", "gateway-b", free_port()?, &smtp(smtp_b))?;
    let console = env.spawn("console", "console", free_port()?, &[])?;
    let routers =
        [env.spawn("router", "router-1", free_port()?, &[])?, env.spawn("router", "router-2", free_port()?, &[])?];
    let mut everyone: Vec<&Service> = vec![&gateway_a, &gateway_b, &console];
    everyone.extend(routers.iter());
    for service in &everyone {
        service.wait_ready(http, 200, ready).await?;
    }

    let driver = stage.driver(&[&gateway_a, &gateway_b], &[smtp_a, smtp_b], &console).await?;
    let stream = Stage::start_stream(&driver, SPAN);
    let (planned, at) = (stream.planned, stream.clock());

    wait_for("a third of the stream to be filed", Duration::from_secs(30), || async {
        Ok(filed(pool).await? >= (planned / 3) as i64)
    })
    .await?;
    primary.freeze_writes().await?;
    say!("{} fault: writes frozen on the primary (default_transaction_read_only), as a switch-over begins", at());
    tokio::time::sleep(FROZEN).await;
    let answered_before = driver.snapshot().total();
    primary.kill().await?;
    address.move_to(standby.port());
    say!(
        "{} fault: the primary was killed (pg_ctl stop -m immediate) with {answered_before} contacts answered; \
         the database address now leads to the standby, still read-only",
        at()
    );
    tokio::time::sleep(BEFORE_PROMOTION).await;
    standby.promote().await?;
    let last_recovery = Utc::now();
    say!("{} recovery: the standby was promoted (pg_ctl promote); that is the last recovery", at());
    for service in &everyone {
        service.wait_ready(http, 200, ready).await?;
    }
    say!("{} every service is ready on the promoted server", at());

    let accepted = stage.finish(stream.handle, &driver, planned).await?;
    say!("{} the stream ended and everything settled", at());
    // What the services said of the read-only servers they met.
    let logs = kit::services::Environment { vars: Vec::new(), log_dir: logs.to_path_buf() }.log_tails(usize::MAX);
    let discarded = logs.matches("discarding connections opened before now").count();
    let refused = logs.matches("leads to a read-only server").count();
    say!(
        "{} read-only servers met: {discarded} processes discarded connections after SQLSTATE 25006; \
         {refused} new connections were refused as read-only",
        at()
    );
    anyhow::ensure!(discarded > 0, "no process noticed the read-only primary");
    anyhow::ensure!(refused > 0, "no connection was refused as read-only");
    invariants::check(pool, &stage.sandbox, &accepted, last_recovery, invariants::Faults::MayBeUnseen).await
}
