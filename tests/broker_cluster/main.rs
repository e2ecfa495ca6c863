//! Batline on a three-node RabbitMQ cluster: two gateways, three routers
//! and a console are given all three nodes in `AMQP_URL`, and under a
//! mixed stream of contacts the node leading the intake queue is stopped
//! (the whole Erlang node, as when its machine goes), started again, and
//! then the node that leads it next is stopped and started. The services
//! must move to another node by themselves and stay ready; afterwards the
//! invariants of the fault suite hold: every accepted contact in exactly one
//! case, every open case owned by a named responder, no resident answered
//! twice, everything filed within 10 s of the last recovery.
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
};
use tokio_util::sync::CancellationToken;

/// How long the stream lasts.
const SPAN: Duration = Duration::from_secs(24);
/// How long a node stays down.
const DOWN: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batline_rides_out_the_loss_of_rabbitmq_nodes() -> anyhow::Result<()> {
    batline_core::telemetry::init_for_tests();
    let started = tokio::time::Instant::now();
    stage::remove_leftovers();
    let (pg, nodes) = tokio::join!(tokio::task::spawn_blocking(PrivatePostgres::start), PrivateRabbit::start_cluster());
    let (pg, nodes) = (pg??, nodes?);
    say!("a RabbitMQ cluster of {} nodes formed in {:.1} s", nodes.len(), started.elapsed().as_secs_f64());
    stage::run(
        "broker cluster test",
        started,
        |logs, shutdown| async move { scenario(&pg, &nodes, &logs, &shutdown).await },
    )
    .await
}

async fn scenario(
    pg: &PrivatePostgres,
    nodes: &[PrivateRabbit; 3],
    logs: &std::path::Path,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let amqp_url = nodes.iter().map(PrivateRabbit::amqp_url).collect::<Vec<_>>().join(",");
    let stage = Stage::set_up(&pg.url("batline"), &amqp_url, logs, &[], shutdown).await?;
    let (env, http, pool, ready) = (&stage.env, &stage.http, &stage.pool, stage::READY);

    let (smtp_a, smtp_b) = (free_port()?, free_port()?);
    let smtp = |port: u16| [("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{port}"))];
    let gateway_a = env.spawn("gateway", "gateway-a", free_port()?, &smtp(smtp_a))?;
    let gateway_b = env.spawn("gateway", "gateway-b", free_port()?, &smtp(smtp_b))?;
    let console = env.spawn("console", "console", free_port()?, &[])?;
    let routers = [
        env.spawn("router", "router-1", free_port()?, &[])?,
        env.spawn("router", "router-2", free_port()?, &[])?,
        env.spawn("router", "router-3", free_port()?, &[])?,
    ];
    let mut everyone: Vec<&Service> = vec![&gateway_a, &gateway_b, &console];
    everyone.extend(routers.iter());
    for service in &everyone {
        service.wait_ready(http, 200, ready).await?;
    }

    // The services declared the queues on whichever nodes they reached;
    // quorum queues are replicated on every node of the cluster.
    let intake = "faults.intake";
    let members = nodes[0].members_of(intake).await?;
    say!("{intake} is replicated on {} nodes: {members:?}", members.len());
    anyhow::ensure!(members.len() == 3, "the intake queue should have a replica on each of the 3 nodes");

    let driver = stage.driver(&[&gateway_a, &gateway_b], &[smtp_a, smtp_b], &console).await?;
    let stream = Stage::start_stream(&driver, SPAN);
    let (planned, at) = (stream.planned, stream.clock());

    wait_for("a few contacts to be filed", Duration::from_secs(30), || async { Ok(filed(pool).await? >= 8) }).await?;
    let mut stopped_before = None;
    for round in 1..=2 {
        let asked = nodes.iter().find(|n| Some(n.node()) != stopped_before.as_deref()).unwrap_or(&nodes[0]);
        let leader = asked.leader_of(intake).await?;
        let Some(node) = nodes.iter().find(|n| n.node() == leader) else {
            anyhow::bail!("the intake queue's leader {leader} is none of the cluster's nodes");
        };
        anyhow::ensure!(
            stopped_before.as_deref() != Some(node.node()),
            "round {round}: the node stopped before leads the queue again; the second stop must be another node"
        );
        node.stop_node().await?;
        say!(
            "{} fault {round}: stopped node {leader}, which led {intake}, after {} contacts were filed",
            at(),
            filed(pool).await?
        );
        // Each service either was on another node or moves to one; all are
        // ready again while the node is still down.
        for service in &everyone {
            service.wait_ready(http, 200, Duration::from_secs(15)).await?;
        }
        let new_leader = nodes.iter().find(|n| n.node() != leader).unwrap_or(&nodes[0]).leader_of(intake).await?;
        say!("{} every service is ready on the remaining nodes; {intake} is now led by {new_leader}", at());
        tokio::time::sleep(DOWN).await;
        node.start_node().await?;
        say!("{} recovery {round}: node {leader} is back in the cluster", at());
        stopped_before = Some(leader);
    }
    let last_recovery = Utc::now();
    for service in &everyone {
        service.wait_ready(http, 200, ready).await?;
    }

    let accepted = stage.finish(stream.handle, &driver, planned).await?;
    say!("{} the stream ended and everything settled", at());
    invariants::check(pool, &stage.sandbox, &accepted, last_recovery, invariants::Faults::MayBeUnseen).await
}
