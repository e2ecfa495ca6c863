//! Poison messages: a message no consumer can handle is rejected to the
//! dead-letter queue, recorded by the router, counted in `/metrics`, listed
//! for leads (and refused to responders), and sent back on its route by a
//! lead; a retry that fails again comes back as a new dead letter. A
//! message that is delivered too often is dead-lettered by the broker, with
//! its route and reason readable.

use std::time::Duration;

use batline_core::{
    bus::{Bus, BusMessage, Exchange, dead_letter::DeadLetter, topology::DELIVERY_LIMIT},
    domain::{Channel, DutyStatus, Language},
};
use futures_util::StreamExt;
use lapin::{
    options::{BasicConsumeOptions, BasicNackOptions},
    types::FieldTable,
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::{AMQP_URL, TestApp, TestResult, eventually};

/// The value of `series` (name and labels exactly as rendered) in a scrape.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn a_poison_message_is_kept_counted_shown_to_leads_and_retried() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE username = 'linnea'").execute(&app.pool).await?;
    let lead = app.sign_in("linnea").await?;
    let responder = app.sign_in("aino").await?;

    let shutdown = CancellationToken::new();
    let bus = Bus::start(AMQP_URL, &app.namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(10)).await?;
    // An intake the router cannot find, and bytes that are not a message at all.
    let missing = Uuid::new_v4();
    bus.publish(&BusMessage::IntakeArrived { intake_id: missing, channel: Channel::Sms }).await?;
    bus.publish_bytes(Exchange::Work, "intake.sms", b"{not json").await?;

    eventually("both poison messages to be recorded", Duration::from_secs(20), || async {
        Ok((app.count("SELECT count(*) FROM dead_letters").await? == 2).then_some(()))
    })
    .await?;
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 0, "nothing was filed");

    // Counted: the rejections by this process's consumers, and the two waiting.
    // Other tests share the recorder, so the counter is compared with >=, and
    // the gauge is read until a scrape of this app's database shows it.
    eventually("the dead letters in /metrics", Duration::from_secs(10), || async {
        let text = app.http.get(format!("{}/metrics", app.gateway_ops)).send().await?.text().await?;
        let rejected = sample(&text, "batline_messages_dead_lettered_total{queue=\"intake\"}").unwrap_or(0.0);
        let waiting = sample(&text, "batline_dead_letters");
        Ok((rejected >= 2.0 && waiting == Some(2.0)).then_some(()))
    })
    .await?;

    // Listed for a lead, refused to a responder.
    assert_eq!(responder.get("/api/v1/dead-letters").await?.0, 403);
    let (status, list) = lead.get("/api/v1/dead-letters").await?;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["waiting"], 2);
    let letters = list["dead_letters"].as_array().cloned().unwrap_or_default();
    assert_eq!(letters.len(), 2, "{list}");
    for letter in &letters {
        assert_eq!(letter["queue"], "intake", "{letter}");
        assert_eq!(letter["routing_key"], "intake.sms", "{letter}");
        assert_eq!(letter["reason"], "rejected", "{letter}");
        assert_eq!(letter["retried_at"], Value::Null);
    }
    let by_payload = |want_json: bool| {
        letters.iter().find(|l| l["payload_json"].is_null() != want_json).cloned().unwrap_or(Value::Null)
    };
    let unknown_intake = by_payload(true);
    assert_eq!(unknown_intake["payload_json"]["intake_id"], json!(missing), "{list}");
    let garbage = by_payload(false);
    assert_eq!(garbage["payload"], "{not json", "{list}");
    assert_eq!((garbage["payload_bytes"].as_u64(), garbage["payload_truncated"].as_bool()), (Some(9), Some(false)));
    let (unknown_id, garbage_id) = (
        unknown_intake["id"].as_str().unwrap_or_default().to_owned(),
        garbage["id"].as_str().unwrap_or_default().to_owned(),
    );

    // The lead's page shows them too, with a retry button.
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&browser, &app.console, "linnea").await?;
    let page = browser.get(format!("{}/lead", app.console)).header("Cookie", &cookie).send().await?.text().await?;
    assert!(page.contains(&format!(r#"data-dead-letter="{unknown_id}""#)), "the lead page lists the dead letter");
    assert!(page.contains(&format!(r#"action="/dead-letters/{garbage_id}/retry""#)));
    assert!(page.contains("{not json"), "its content is shown, escaped where needed");

    // Retrying is for leads and admins.
    assert_eq!(responder.post(&format!("/api/v1/dead-letters/{unknown_id}/retry"), json!({})).await?.0, 403);
    assert_eq!(lead.post(&format!("/api/v1/dead-letters/{}/retry", Uuid::new_v4()), json!({})).await?.0, 404);

    // The missing intake turns up (restored from a backup, say): a retry files it.
    sqlx::query(
        "INSERT INTO intake (id, channel, sender, body, raw) VALUES ($1, 'sms', '+358401900001', 'Katuvalo on rikki', '{}')",
    )
    .bind(missing)
    .execute(&app.pool)
    .await?;
    let (status, retried) = lead.post(&format!("/api/v1/dead-letters/{unknown_id}/retry"), json!({})).await?;
    assert_eq!(status, 200, "{retried}");
    assert!(retried["retried_at"].is_string(), "{retried}");
    let cases = app.wait_for_cases("+358401900001", 1, Duration::from_secs(15)).await?;
    assert_eq!(cases.len(), 1, "the retried intake was filed");
    let (status, _) = lead.post(&format!("/api/v1/dead-letters/{unknown_id}/retry"), json!({})).await?;
    assert_eq!(status, 409, "a dead letter is retried once");

    // Garbage stays garbage: retried, it dies again and is kept again.
    assert_eq!(lead.post(&format!("/api/v1/dead-letters/{garbage_id}/retry"), json!({})).await?.0, 200);
    eventually("the retried garbage to be dead-lettered again", Duration::from_secs(20), || async {
        Ok((app.count("SELECT count(*) FROM dead_letters").await? == 3).then_some(()))
    })
    .await?;
    let (_, list) = lead.get("/api/v1/dead-letters").await?;
    assert_eq!(list["waiting"], 1, "{list}");
    assert_eq!(list["dead_letters"][0]["payload"], "{not json", "{list}");
    let (_, all) = lead.get("/api/v1/dead-letters?include_retried=true").await?;
    assert_eq!(all["dead_letters"].as_array().map(Vec::len), Some(3), "{all}");
    assert_eq!(lead.get("/api/v1/dead-letters?limit=0").await?.0, 422);

    shutdown.cancel();
    app.teardown().await
}

/// A message that keeps coming back (its consumer crashes or returns it
/// every time) is dead-lettered by RabbitMQ after the delivery limit, and
/// the dead-letter consumer reads where it came from and why.
#[tokio::test]
async fn a_message_redelivered_too_often_is_dead_lettered_with_its_route() -> TestResult {
    let namespace = format!("test_{}", Uuid::new_v4().simple());
    let shutdown = CancellationToken::new();
    let bus = Bus::start(AMQP_URL, &namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(10)).await?;
    let outcome = redeliver_until_dead(&bus, &shutdown).await;
    shutdown.cancel();
    batline_core::bus::delete_namespace(AMQP_URL, &namespace).await?;
    let (letter, deliveries) = outcome?;
    assert_eq!(letter.death.reason, "delivery_limit", "{letter:?}");
    assert_eq!(letter.death.queue, bus.names().intake_queue());
    assert_eq!(letter.death.exchange, bus.names().exchange(Exchange::Work));
    assert_eq!(letter.death.routing_key, "intake.sms");
    assert!(letter.message_id.is_some(), "every publish carries a message id");
    assert_eq!(letter.payload, b"{\"type\":\"crashes_its_consumer\"}");
    assert!(deliveries >= DELIVERY_LIMIT as usize, "dead-lettered after {deliveries} deliveries");
    Ok(())
}

async fn redeliver_until_dead(bus: &Bus, shutdown: &CancellationToken) -> TestResult<(DeadLetter, usize)> {
    bus.publish_bytes(Exchange::Work, "intake.sms", b"{\"type\":\"crashes_its_consumer\"}").await?;
    let connection = batline_core::bus::open_connection(AMQP_URL).await?;
    let channel = connection.create_channel().await?;
    let mut returned = channel
        .basic_consume(&bus.names().intake_queue(), "", BasicConsumeOptions::default(), FieldTable::default())
        .await?;
    let (kept, mut dead) = tokio::sync::mpsc::channel(1);
    bus.consume_dead_letters(1, shutdown.clone(), move |letter| {
        let kept = kept.clone();
        async move {
            let _ = kept.send(letter).await;
            Ok(())
        }
    });
    let deadline = tokio::time::sleep(Duration::from_secs(20));
    tokio::pin!(deadline);
    let mut deliveries = 0;
    loop {
        tokio::select! {
            delivery = returned.next() => {
                let delivery = delivery.ok_or_else(|| anyhow::anyhow!("the consumer ended"))??;
                deliveries += 1;
                delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await?;
            }
            letter = dead.recv() => {
                let letter = letter.ok_or_else(|| anyhow::anyhow!("the dead-letter consumer ended"))?;
                connection.close(200, "done").await?;
                return Ok((letter, deliveries));
            }
            _ = &mut deadline => anyhow::bail!("not dead-lettered after {deliveries} deliveries"),
        }
    }
}
