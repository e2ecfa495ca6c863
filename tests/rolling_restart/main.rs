//! A rolling restart under load: two gateways, two routers and a console,
//! each stopped with SIGTERM (as systemd stops a unit) and started again,
//! one at a time, while a mixed stream of texts, calls, visits, Open311
//! requests, emails and chat conversations comes in. A stopping service
//! says "draining" on `/readyz`, stops accepting, finishes what it has in
//! hand and tells chat sockets to reconnect (1012); the senders retry
//! elsewhere as Twilio, a proxy and the chat page do. Afterwards: no
//! webhook or API call was answered 5xx, every chat message was accepted
//! and stored exactly once, and the fault suite's invariants hold.
//!
//! A binary of its own, like the fault suite, so it runs alone.

#[path = "../faults/kit.rs"]
#[macro_use]
mod kit;

use std::time::Duration;

use batline_test_kit::twilio_sandbox::new_sid;
use chrono::Utc;
use kit::{
    cluster::{PrivatePostgres, PrivateRabbit, free_port},
    invariants::{self, count, filed, wait_for},
    services::{Environment, Service},
    stage::{self, Stage},
};
use tokio_util::sync::CancellationToken;

/// Chat residents, and the messages each writes.
const CHATTERS: usize = 8;
const CHAT_MESSAGES: usize = 6;
/// How long the stream lasts.
const SPAN: Duration = Duration::from_secs(30);
/// How long a service may take to drain after SIGTERM (systemd's
/// TimeoutStopSec in the book's units is 40 s; the services allow
/// themselves 30 s).
const DRAIN_WITHIN: Duration = Duration::from_secs(35);
/// Texts sent to a gateway at once just before it is told to stop, so
/// it has webhooks in flight when the SIGTERM comes.
const IN_FLIGHT: usize = 12;
/// A pause between one restart and the next.
const BETWEEN: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_loses_nothing_and_answers_no_5xx() -> anyhow::Result<()> {
    batline_core::telemetry::init_for_tests();
    let started = tokio::time::Instant::now();
    stage::remove_leftovers();
    let (pg, rabbit) = tokio::join!(tokio::task::spawn_blocking(PrivatePostgres::start), PrivateRabbit::start());
    let (pg, rabbit) = (pg??, rabbit?);
    stage::run("rolling restart test", started, |logs, shutdown| async move {
        scenario(&pg, &rabbit, &logs, &shutdown).await
    })
    .await
}

/// How to start one service again: its kind, name, port and extra settings.
struct Slot {
    kind: &'static str,
    name: &'static str,
    port: u16,
    extra: Vec<(&'static str, String)>,
}

impl Slot {
    fn new(kind: &'static str, name: &'static str, extra: Vec<(&'static str, String)>) -> anyhow::Result<Slot> {
        Ok(Slot { kind, name, port: free_port()?, extra })
    }

    fn spawn(&self, env: &Environment) -> anyhow::Result<Service> {
        env.spawn(self.kind, self.name, self.port, &self.extra)
    }
}

async fn scenario(
    pg: &PrivatePostgres,
    rabbit: &PrivateRabbit,
    logs: &std::path::Path,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    // Every chat comes from 127.0.0.1: the per-address bound on new chats
    // is for the internet, not for this test.
    let extra = [("BATLINE_CHAT_NEW_PER_HOUR", "1000".to_owned()), ("BATLINE_CHAT_NEW_BURST", "100".to_owned())];
    let stage = Stage::set_up(&pg.url("batline"), &rabbit.amqp_url(), logs, &extra, shutdown).await?;
    let (env, http, pool, ready) = (&stage.env, &stage.http, &stage.pool, stage::READY);

    let (smtp_a, smtp_b) = (free_port()?, free_port()?);
    let smtp = |port: u16| vec![("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{port}"))];
    let slots = [
        Slot::new("gateway", "gateway-a", smtp(smtp_a))?,
        Slot::new("gateway", "gateway-b", smtp(smtp_b))?,
        Slot::new("router", "router-1", Vec::new())?,
        Slot::new("router", "router-2", Vec::new())?,
        Slot::new("console", "console", Vec::new())?,
    ];
    let mut running = Vec::new();
    for slot in &slots {
        running.push(slot.spawn(env)?);
    }
    for service in &running {
        service.wait_ready(http, 200, ready).await?;
    }

    let driver = stage.driver(&[&running[0], &running[1]], &[smtp_a, smtp_b], &running[4]).await?;
    let stream = Stage::start_stream(&driver, SPAN);
    let (planned, at) = (stream.planned, stream.clock());
    let gateways = vec![running[0].base.clone(), running[1].base.clone()];
    let chats = tokio::spawn(kit::chat_driver::run(gateways, CHATTERS, CHAT_MESSAGES, SPAN));

    wait_for("a few contacts to be filed", Duration::from_secs(30), || async { Ok(filed(pool).await? >= 8) }).await?;
    let mut extra_texts = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        if slot.kind == "gateway" {
            for k in 0..IN_FLIGHT {
                let text = kit::driver::Contact::Sms {
                    sid: new_sid("SM"),
                    from: format!("+3584050{i}{k:04}"),
                    body: format!("Bussipysäkin katos {k} on rikki"),
                };
                extra_texts.push(driver.send_now(i, text));
            }
            // The requests are on their way, some read, some still queued.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let service = &mut running[i];
        let ops = service.ops.clone();
        let probe = tokio::spawn(draining_seen(http.clone(), ops));
        let took = service.terminate(DRAIN_WITHIN).await?;
        let draining = probe.await.unwrap_or(false);
        say!(
            "{} {} stopped {:.2} s after SIGTERM{}",
            at(),
            slot.name,
            took.as_secs_f64(),
            if draining { ", saying \"draining\" on /readyz meanwhile" } else { "" }
        );
        running[i] = slot.spawn(env)?;
        running[i].wait_ready(http, 200, ready).await?;
        say!("{} {} is back and ready", at(), slot.name);
        tokio::time::sleep(BETWEEN).await;
    }
    let last_recovery = Utc::now();

    let chats = tokio::time::timeout(Duration::from_secs(120), chats).await??;
    for text in extra_texts.drain(..) {
        text.await?;
    }
    let planned = planned + 2 * IN_FLIGHT;
    let mut accepted = stage.finish(stream.handle, &driver, planned).await?;
    say!("{} the stream ended and everything settled", at());
    accepted.chat = chats.accepted.clone();

    // Every chat message: accepted once, stored once, in a case.
    let stored: Vec<(String, i64)> = sqlx::query_as(
        "SELECT split_part(provider_id, ':', 2), count(*) FROM intake
         WHERE channel = 'chat' AND case_id IS NOT NULL GROUP BY 1",
    )
    .fetch_all(pool)
    .await?;
    let stored_once = chats.sent.iter().filter(|id| stored.iter().any(|(s, n)| s == *id && *n == 1)).count();
    let chat_messages =
        count(pool, "SELECT count(*) FROM messages WHERE channel = 'chat' AND direction = 'inbound'").await?;
    say!(
        "chat: {} residents sent {} messages; accepted {}; stored exactly once in a case {}; inbound chat messages \
         {chat_messages}; sockets told to reconnect (1012) {}; reconnections {}",
        CHATTERS,
        chats.sent.len(),
        chats.accepted.len(),
        stored_once,
        chats.told_to_reconnect,
        chats.reconnects
    );
    say!("answers with a 5xx status: {}", accepted.server_errors.len());
    anyhow::ensure!(chats.abandoned.is_empty(), "chat residents gave up: {:#?}", chats.abandoned);
    anyhow::ensure!(chats.sent.len() == CHATTERS * CHAT_MESSAGES, "only {} chat messages were sent", chats.sent.len());
    anyhow::ensure!(chats.accepted.len() == chats.sent.len(), "chat messages were never accepted");
    anyhow::ensure!(stored_once == chats.sent.len(), "chat messages lost or stored twice");
    anyhow::ensure!(
        chat_messages as usize == chats.sent.len(),
        "{chat_messages} chat messages stored for {} sent",
        chats.sent.len()
    );
    anyhow::ensure!(
        chats.told_to_reconnect > 0,
        "no chat socket was told to reconnect: the gateways were not restarted under chat"
    );
    anyhow::ensure!(accepted.server_errors.is_empty(), "answered 5xx: {:#?}", accepted.server_errors);
    invariants::check(pool, &stage.sandbox, &accepted, last_recovery, invariants::Faults::MayBeUnseen).await
}

/// Whether `/readyz` said "draining" (503) before the listener went away.
async fn draining_seen(http: reqwest::Client, ops: String) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        match http.get(format!("{ops}/readyz")).timeout(Duration::from_millis(500)).send().await {
            Ok(r) if r.status() == 503 => {
                let body: serde_json::Value = r.json().await.unwrap_or_default();
                if body["draining"] == true {
                    return true;
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
