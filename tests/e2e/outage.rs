//! RabbitMQ unreachable when a webhook arrives: Twilio still gets its 200
//! (the contact is durable in PostgreSQL), readiness says the gateway is not
//! ready, and once the broker is back the contact reaches a named owner.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};

use crate::{
    proxy::Proxy,
    support::{Options, TestApp, TestResult, eventually},
};

#[tokio::test]
async fn a_contact_accepted_while_rabbitmq_is_down_still_gets_an_owner() -> TestResult {
    let proxy = Proxy::start("127.0.0.1:5672").await?;
    let app = TestApp::spawn_with(Options { front_amqp_url: proxy.amqp_url(), ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    proxy.cut();
    eventually("the gateway to report not ready", Duration::from_secs(10), || async {
        let r = app.http.get(format!("{}/readyz", app.gateway_ops)).send().await?;
        Ok((r.status() == 503).then_some(()))
    })
    .await?;

    let r = app.text("+358401700001", "Katuvalo on rikki").await?;
    assert_eq!(r.status(), 200, "the contact is durable, so Twilio gets its 200");
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 1);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await?, 1, "waiting in the outbox");
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 0);

    proxy.restore();
    let cases = app.wait_for_cases("+358401700001", 1, Duration::from_secs(30)).await?;
    assert_eq!(cases.len(), 1);
    let sms = app.sandbox.wait_for_sms_to("+358401700001", 1, Duration::from_secs(15)).await?;
    assert!(sms[0].body.contains(&cases[0].tracking_code));
    app.wait_ready(&app.gateway_ops).await?;
    // A publisher deletes its rows after the confirms it answers on, so the
    // SMS can be out a moment before the last delete.
    eventually("the outbox to drain", Duration::from_secs(10), || async {
        Ok((app.count("SELECT count(*) FROM outbox").await? == 0).then_some(()))
    })
    .await?;
    app.teardown().await
}
