//! Redelivery is normal: a retried webhook, two copies at once, a router
//! that dies between its commit and its ack. None of them may store, file or
//! send anything twice, and none may lose anything.

use std::{sync::Arc, time::Duration};

use batline_core::{
    bus::{self, Bus, BusMessage, Names},
    domain::{DutyStatus, Language},
    outbox::Outbox,
};
use batline_test_kit::twilio_sandbox::new_sid;
use lapin::options::{BasicGetOptions, QueueDeclareOptions};
use tokio_util::sync::CancellationToken;

use crate::support::{AMQP_URL, Options, TestApp, TestResult};

#[tokio::test]
async fn a_retried_message_sid_is_stored_and_answered_once() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    // Twilio retries after a timeout: the same MessageSid again, later.
    let sid = new_sid("SM");
    assert_eq!(app.text_with_sid(&sid, "+358401300001", "Hei").await?.status(), 200);
    app.wait_for_cases("+358401300001", 1, Duration::from_secs(10)).await?;
    assert_eq!(app.text_with_sid(&sid, "+358401300001", "Hei").await?.status(), 200);

    // Two copies at the very same moment, five times over.
    for i in 0..5 {
        let sid = new_sid("SM");
        let from = format!("+35840130010{i}");
        let (a, b) = tokio::join!(app.text_with_sid(&sid, &from, "Hei"), app.text_with_sid(&sid, &from, "Hei"));
        assert_eq!((a?.status().as_u16(), b?.status().as_u16()), (200, 200));
    }
    app.wait_all_filed(Duration::from_secs(10)).await?;
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 6);
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 6);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'resident'").await?, 6);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?, 6);
    settle_outbound(&app).await?;
    assert_eq!(app.sandbox.sent().len(), 6, "{:#?}", app.sandbox.sent());
    app.teardown().await
}

/// Waits until every outbound message has left its pending states.
async fn settle_outbound(app: &TestApp) -> TestResult {
    crate::support::eventually("outbound messages to settle", Duration::from_secs(10), || async {
        let pending =
            app.count("SELECT count(*) FROM messages WHERE delivery_status IN ('pending', 'sending')").await?;
        let outbox = app.count("SELECT count(*) FROM outbox").await?;
        Ok((pending == 0 && outbox == 0).then_some(()))
    })
    .await
}

#[tokio::test]
async fn a_router_killed_before_its_ack_loses_nothing_and_files_nothing_twice() -> TestResult {
    let mut app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const COMMITTED: &str = "+358401300201"; // filed and committed, then the router dies before acking
    const UNCOMMITTED: &str = "+358401300202"; // taken, then the router dies before committing
    app.text(COMMITTED, "Ensimmäinen").await?;
    app.text(UNCOMMITTED, "Toinen").await?;

    // A "router" that takes both deliveries by hand.
    let names = Names::new(&app.namespace);
    let connection = bus::open_connection(AMQP_URL).await?;
    let channel = connection.create_channel().await?;
    let mut taken = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while taken.len() < 2 {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the intake messages never reached the queue");
        match channel.basic_get(&names.intake_queue(), BasicGetOptions { no_ack: false }).await? {
            Some(m) => taken.push(m),
            None => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    let shutdown = CancellationToken::new();
    let bus = Bus::start(AMQP_URL, &app.namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(10)).await?;
    let router = batline_router::Router {
        config: app.config.clone(),
        pool: app.pool.clone(),
        outbox: Outbox::new(app.pool.clone(), bus),
        clock: app.clock.clone(),
        city: std::sync::Arc::new(batline_core::place::CityMap::empty()),
    };
    for m in &taken {
        let BusMessage::IntakeArrived { intake_id, .. } = serde_json::from_slice(&m.delivery.data)? else {
            anyhow::bail!("unexpected message on the intake queue");
        };
        let sender: String =
            sqlx::query_scalar("SELECT sender FROM intake WHERE id = $1").bind(intake_id).fetch_one(&app.pool).await?;
        if sender == COMMITTED {
            let filed = batline_router::intake::file(&router, intake_id).await?;
            assert!(matches!(filed, batline_router::intake::Filed::NewCase { .. }));
        }
    }
    // The process dies: its connection goes without a single ack.
    connection.close(320, "killed").await?;
    shutdown.cancel();

    // A healthy router gets both again.
    app.start_router().await?;
    app.wait_all_filed(Duration::from_secs(15)).await?;
    for phone in [COMMITTED, UNCOMMITTED] {
        assert_eq!(app.wait_for_cases(phone, 1, Duration::from_secs(10)).await?.len(), 1);
        assert_eq!(app.sandbox.wait_for_sms_to(phone, 1, Duration::from_secs(10)).await?.len(), 1);
    }
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 2);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?, 2);
    // The redelivered copy was consumed and acknowledged, not left behind.
    let check = bus::open_connection(AMQP_URL).await?;
    let check_channel = check.create_channel().await?;
    let queue = check_channel
        .queue_declare(
            &names.intake_queue(),
            QueueDeclareOptions { passive: true, ..Default::default() },
            Default::default(),
        )
        .await?;
    assert_eq!(queue.message_count(), 0);
    check_channel.close(200, "done").await?;
    check.close(200, "done").await?;
    settle_outbound(&app).await?;
    assert_eq!(app.sandbox.sent().len(), 2);
    app.teardown().await
}

#[tokio::test]
async fn three_routers_share_a_burst_without_double_filing() -> TestResult {
    let app = TestApp::spawn_with(Options { routers: 3, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let app = Arc::new(app);
    // Ten residents, five texts each, all at once: each resident must end up
    // with exactly one case holding all five texts.
    let mut sends = Vec::new();
    for r in 0..10 {
        for m in 0..5 {
            let app = app.clone();
            sends.push(tokio::spawn(
                async move { app.text(&format!("+3584014000{r:02}"), &format!("viesti {m}")).await },
            ));
        }
    }
    for s in sends {
        assert_eq!(s.await??.status(), 200);
    }
    app.wait_all_filed(Duration::from_secs(20)).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 10);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'resident'").await?, 50);
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?, 10);
    assert_eq!(
        app.count("SELECT count(*) FROM (SELECT case_id FROM messages WHERE kind = 'resident' GROUP BY case_id HAVING count(*) = 5) t")
            .await?,
        10
    );
    app.assert_open_counts_exact().await?;
    let app = Arc::try_unwrap(app).map_err(|_| anyhow::anyhow!("app still shared"))?;
    app.teardown().await
}
