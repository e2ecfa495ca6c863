//! Outbound SMS against a misbehaving Twilio: retried on 429 and 5xx, never
//! on other 4xx, and every failure ends up on the case timeline where the
//! owner sees it. Status callbacks update delivery, signed like any webhook.

use std::time::Duration;

use batline_core::{
    domain::{DutyStatus, Language},
    twilio::signature,
};
use batline_test_kit::twilio_sandbox::Failure;
use secrecy::ExposeSecret;

use crate::support::{PUBLIC_URL, TestApp, TestResult, eventually};

fn failure(status: u16, code: i64, message: &str) -> Failure {
    Failure { status, code, message: message.to_owned() }
}

async fn auto_reply_status(app: &TestApp, phone: &str) -> TestResult<(String, Option<String>)> {
    eventually("the auto-reply to settle", Duration::from_secs(10), || async {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT m.delivery_status, m.delivery_error FROM messages m
             JOIN cases c ON c.id = m.case_id JOIN residents r ON r.id = c.resident_id
             WHERE r.phone = $1 AND m.kind = 'auto_reply' AND m.delivery_status NOT IN ('pending', 'sending')",
        )
        .bind(phone)
        .fetch_optional(&app.pool)
        .await?;
        Ok(row)
    })
    .await
}

#[tokio::test]
async fn too_many_requests_and_server_errors_are_retried() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.sandbox.fail_next([failure(429, 20429, "Too Many Requests"), failure(503, 20500, "Service Unavailable")]);
    app.text("+358401600001", "Hei").await?;
    let sms = app.sandbox.wait_for_sms_to("+358401600001", 1, Duration::from_secs(10)).await?;
    assert_eq!(app.sandbox.requests(), 3);
    let (status, error) = auto_reply_status(&app, "+358401600001").await?;
    assert_eq!((status.as_str(), error), ("sent", None));
    let provider: String =
        sqlx::query_scalar("SELECT provider_id FROM messages WHERE kind = 'auto_reply'").fetch_one(&app.pool).await?;
    assert_eq!(provider, sms[0].sid);
    app.teardown().await
}

#[tokio::test]
async fn a_final_refusal_is_not_retried_and_the_owner_sees_it() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.sandbox.fail_next([failure(400, 21211, "The 'To' number is not a valid phone number.")]);
    app.text("+358401600002", "Hei").await?;
    let (status, error) = auto_reply_status(&app, "+358401600002").await?;
    assert_eq!(status, "failed");
    assert!(error.is_some_and(|e| e.contains("not a valid phone number")));
    assert_eq!(app.sandbox.requests(), 1, "a 400 is final");

    let aino = app.sign_in("aino").await?;
    let case = app.cases_of("+358401600002").await?.remove(0);
    let (_, detail) = aino.get(&format!("/api/v1/cases/{}", case.id)).await?;
    let failed = detail["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["kind"] == "delivery_failed")
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no delivery_failed event: {detail}"))?;
    assert!(failed["data"]["error"].as_str().is_some_and(|e| e.contains("21211") && e.contains("not a valid")));
    let auto = detail["messages"].as_array().into_iter().flatten().find(|m| m["kind"] == "auto_reply").cloned();
    assert_eq!(auto.map(|m| m["delivery_status"].clone()), Some("failed".into()));
    app.teardown().await
}

#[tokio::test]
async fn twilio_down_for_every_retry_is_recorded_not_swallowed() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.sandbox.fail_next((0..3).map(|_| failure(500, 20500, "Internal Server Error")));
    app.text("+358401600003", "Hei").await?;
    let (status, error) = auto_reply_status(&app, "+358401600003").await?;
    assert_eq!(status, "failed");
    assert!(error.is_some_and(|e| e.contains("Twilio unavailable")));
    assert_eq!(app.sandbox.requests(), 3);
    assert_eq!(app.count("SELECT count(*) FROM case_events WHERE kind = 'delivery_failed'").await?, 1);
    app.teardown().await
}

#[tokio::test]
async fn status_callbacks_update_delivery_and_must_be_signed() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358401600004", "Hei").await?;
    let sms = app.sandbox.wait_for_sms_to("+358401600004", 1, Duration::from_secs(10)).await?;
    auto_reply_status(&app, "+358401600004").await?;
    let token = app.config.twilio()?.auth_token.expose_secret().to_owned();
    let account = app.config.twilio()?.account_sid.clone();
    let url = format!("{PUBLIC_URL}/twilio/sms/status");
    let callback = |status: &str| -> Vec<(String, String)> {
        [
            ("MessageSid", sms[0].sid.as_str()),
            ("MessageStatus", status),
            ("AccountSid", account.as_str()),
            ("ErrorCode", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };
    let post = |params: Vec<(String, String)>, sig: String| {
        app.http
            .post(format!("{}/twilio/sms/status", app.gateway))
            .header("X-Twilio-Signature", sig)
            .form(&params)
            .send()
    };

    let unsigned = post(callback("undelivered"), "bm9wZQ==".into()).await?;
    assert_eq!(unsigned.status(), 403);
    let delivered = callback("delivered");
    let sig = signature::compute(&token, &url, &delivered);
    assert_eq!(post(delivered, sig).await?.status(), 204);
    let status: String = sqlx::query_scalar("SELECT delivery_status FROM messages WHERE provider_id = $1")
        .bind(&sms[0].sid)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(status, "delivered");
    // A late "sent" does not undo "delivered".
    let sent = callback("sent");
    let sig = signature::compute(&token, &url, &sent);
    assert_eq!(post(sent, sig).await?.status(), 204);
    let status: String = sqlx::query_scalar("SELECT delivery_status FROM messages WHERE provider_id = $1")
        .bind(&sms[0].sid)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(status, "delivered");
    app.teardown().await
}

#[tokio::test]
async fn answers_sent_at_once_are_each_recorded_with_their_own_sid() -> TestResult {
    // The sender records what Twilio took in groups under load; each
    // message must still be sent once and carry its own provider id.
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let phones: Vec<String> = (0..12).map(|i| format!("+3584016001{i:02}")).collect();
    let texts = futures_util::future::join_all(phones.iter().map(|phone| app.text(phone, "Katuvalo on rikki"))).await;
    for response in texts {
        assert_eq!(response?.status(), 200);
    }
    for phone in &phones {
        let sms = app.sandbox.wait_for_sms_to(phone, 1, Duration::from_secs(20)).await?;
        assert_eq!(sms.len(), 1, "{phone} was texted {} times", sms.len());
        let (status, error) = auto_reply_status(&app, phone).await?;
        assert_eq!((status.as_str(), error), ("sent", None));
        let (provider, attempts): (Option<String>, i32) = sqlx::query_as(
            "SELECT m.provider_id, m.attempts FROM messages m
             JOIN cases c ON c.id = m.case_id JOIN residents r ON r.id = c.resident_id
             WHERE r.phone = $1 AND m.kind = 'auto_reply'",
        )
        .bind(phone)
        .fetch_one(&app.pool)
        .await?;
        assert_eq!((provider.as_deref(), attempts), (Some(sms[0].sid.as_str()), 1), "{phone}");
    }
    assert_eq!(app.sandbox.requests(), 12);
    app.teardown().await
}
