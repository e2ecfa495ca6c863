//! Trace context crosses RabbitMQ: a webhook that arrives with a W3C
//! `traceparent` leads, through the gateway's outbox, the intake queue and
//! the router, to bus messages that carry the same trace id.

use std::time::Duration;

use batline_core::{
    bus::{self, Exchange, Names},
    domain::{DutyStatus, Language},
    twilio::signature,
};
use futures_util::StreamExt;
use lapin::{
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable},
};

use crate::support::{AMQP_URL, BATLINE_NUMBER, PUBLIC_URL, TestApp, TestResult};

#[tokio::test]
async fn a_webhooks_trace_id_reaches_the_messages_it_causes() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    // Listen to case events as a console would.
    let connection = bus::open_connection(AMQP_URL).await?;
    let channel = connection.create_channel().await?;
    let exclusive = QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() };
    let queue = channel.queue_declare("", exclusive, FieldTable::default()).await?;
    let events = Names::new(&app.namespace).exchange(Exchange::Events);
    channel
        .queue_bind(queue.name().as_str(), &events, "case.assigned", QueueBindOptions::default(), FieldTable::default())
        .await?;
    let no_ack = BasicConsumeOptions { no_ack: true, ..Default::default() };
    let mut deliveries = channel.basic_consume(queue.name().as_str(), "", no_ack, FieldTable::default()).await?;

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let params: Vec<(String, String)> = [
        ("MessageSid", "SM0000000000000000000000000000trace"),
        ("SmsSid", "SM0000000000000000000000000000trace"),
        ("AccountSid", app.phone.account_sid()),
        ("From", "+358405550601"),
        ("To", BATLINE_NUMBER),
        ("Body", "Roska-astia on kaatunut"),
        ("NumMedia", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let twilio = app.config.twilio.clone().ok_or_else(|| anyhow::anyhow!("Twilio is configured in tests"))?;
    let signature = {
        use secrecy::ExposeSecret;
        signature::compute(twilio.auth_token.expose_secret(), &format!("{PUBLIC_URL}/twilio/sms"), &params)
    };
    let response = app
        .http
        .post(format!("{}/twilio/sms", app.gateway))
        .header("X-Twilio-Signature", signature)
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .form(&params)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let answered = response.headers().get("traceparent").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(
        answered.starts_with(&format!("00-{trace_id}-")),
        "the gateway answers within the caller's trace: {answered}"
    );

    let delivery = tokio::time::timeout(Duration::from_secs(10), deliveries.next())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case event"))??;
    let header = delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("traceparent").cloned())
        .and_then(|v| match v {
            AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
            _ => None,
        })
        .ok_or_else(|| anyhow::anyhow!("the case event carries no traceparent"))?;
    assert!(
        header.starts_with(&format!("00-{trace_id}-")) && !header.contains("00f067aa0ba902b7"),
        "same trace, a span of its own: {header}"
    );
    connection.close(200, "done").await?;
    app.teardown().await
}
