//! A connection that dies without a word: the network between the services
//! and RabbitMQ starts swallowing every byte, with no FIN or RST, so the TCP
//! connection looks alive. lapin alone would wait forever; the heartbeat
//! (here 2 s, so the test is quick) must notice, readiness must go false,
//! and once the network is back the supervisor must reconnect, readiness
//! must come back and work must flow again.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use batline_core::domain::{DutyStatus, Language};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{
        TcpListener, TcpStream,
        tcp::{OwnedReadHalf, OwnedWriteHalf},
    },
    sync::watch,
};

use crate::support::{Options, TestApp, TestResult, eventually};

/// A TCP proxy to RabbitMQ that can turn into a black hole: frozen, it
/// keeps every connection open and drops what either side sends.
struct BlackHole {
    port: u16,
    frozen: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
}

impl BlackHole {
    async fn start(upstream: &'static str) -> TestResult<BlackHole> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let frozen = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0u64);
        let (accept_frozen, accept_generation) = (frozen.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let frozen = accept_frozen.clone();
                let mut thawed = accept_generation.subscribe();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(upstream).await else { return };
                    let (from_client, to_client) = inbound.into_split();
                    let (from_broker, to_broker) = outbound.into_split();
                    tokio::select! {
                        _ = pump(from_client, to_broker, frozen.clone()) => {}
                        _ = pump(from_broker, to_client, frozen) => {}
                        // Connections from before a thaw are stale: their
                        // clients gave up on them.
                        _ = thawed.changed() => {}
                    }
                });
            }
        });
        Ok(BlackHole { port, frozen, generation })
    }

    fn amqp_url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f?heartbeat=2", self.port)
    }

    fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    fn thaw(&self) {
        self.frozen.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, frozen: Arc<AtomicBool>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if frozen.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn readyz(app: &TestApp, base: &str) -> TestResult<u16> {
    Ok(app.http.get(format!("{base}/readyz")).send().await?.status().as_u16())
}

#[tokio::test]
async fn a_silently_dead_connection_is_noticed_and_replaced() -> TestResult {
    let hole = BlackHole::start("127.0.0.1:5672").await?;
    let app = TestApp::spawn_with(Options { front_amqp_url: hole.amqp_url(), ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    hole.freeze();
    let frozen_at = tokio::time::Instant::now();
    for base in [&app.gateway_ops, &app.console_ops] {
        eventually("readiness to notice the dead connection", Duration::from_secs(15), || async {
            Ok((readyz(&app, base).await? == 503).then_some(()))
        })
        .await?;
    }
    let noticed = frozen_at.elapsed();
    // Two missed 2 s heartbeats, plus the supervisor's 0.5 s status poll.
    assert!(noticed < Duration::from_secs(10), "noticed only after {noticed:?}");

    hole.thaw();
    for base in [&app.gateway_ops, &app.console_ops] {
        eventually("readiness after reconnecting", Duration::from_secs(30), || async {
            Ok((readyz(&app, base).await? == 200).then_some(()))
        })
        .await?;
    }
    let r = app.text("+358401800001", "Puistonpenkki on rikki").await?;
    assert_eq!(r.status(), 200);
    let cases = app.wait_for_cases("+358401800001", 1, Duration::from_secs(20)).await?;
    app.sandbox.wait_for_sms_to("+358401800001", 1, Duration::from_secs(15)).await?;
    assert_eq!(cases.len(), 1);
    eventually("the outbox to drain", Duration::from_secs(10), || async {
        Ok((app.count("SELECT count(*) FROM outbox").await? == 0).then_some(()))
    })
    .await?;
    println!("a silently dead connection was noticed after {:.1} s", noticed.as_secs_f64());
    app.teardown().await
}
