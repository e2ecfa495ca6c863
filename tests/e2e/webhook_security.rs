//! The SMS webhook admits only what Twilio signed, and turns away bad input
//! with a 4xx while storing and sending nothing.

use batline::twilio_sandbox::{InboundSms, new_sid};
use batline_core::twilio::signature;
use secrecy::ExposeSecret;

use crate::support::{BATLINE_NUMBER, PUBLIC_URL, TestApp, TestResult};

const FORM: &str = "application/x-www-form-urlencoded";

fn encode(params: &[(String, String)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish().into_bytes()
}

async fn nothing_stored_or_sent(app: &TestApp) -> TestResult {
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 0, "nothing may be stored");
    assert_eq!(app.count("SELECT count(*) FROM outbox").await?, 0, "nothing may be published");
    assert_eq!(app.sandbox.requests(), 0, "nothing may be sent");
    Ok(())
}

#[tokio::test]
async fn forged_missing_and_tampered_signatures_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.config.twilio()?.auth_token.expose_secret().to_owned();
    let account = app.config.twilio()?.account_sid.clone();
    let sid = new_sid("SM");
    let params =
        InboundSms { message_sid: &sid, from: "+358401230000", to: BATLINE_NUMBER, body: "Hei" }.params(&account);
    let url = format!("{PUBLIC_URL}/twilio/sms");

    // Missing.
    let r = app.post_webhook(encode(&params), FORM, None).await?;
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await?;
    assert_eq!(body["code"], "bad_signature");

    // Signed with another token.
    let forged = signature::compute("not-the-token", &url, &params);
    assert_eq!(app.post_webhook(encode(&params), FORM, Some(&forged)).await?.status(), 403);

    // Signed for the local address rather than the public one Twilio calls.
    let local = signature::compute(&token, &format!("{}/twilio/sms", app.gateway), &params);
    assert_eq!(app.post_webhook(encode(&params), FORM, Some(&local)).await?.status(), 403);

    // Signed, then the body changed.
    let good = signature::compute(&token, &url, &params);
    let mut tampered = params.clone();
    for (k, v) in &mut tampered {
        if k == "Body" {
            *v = "Hei, tässä on jotain muuta".into();
        }
    }
    assert_eq!(app.post_webhook(encode(&tampered), FORM, Some(&good)).await?.status(), 403);

    // Garbage as a signature.
    assert_eq!(app.post_webhook(encode(&params), FORM, Some("%%%not base64%%%")).await?.status(), 403);

    // Signed with the right token but for another account.
    let other_account = InboundSms { message_sid: &sid, from: "+358401230000", to: BATLINE_NUMBER, body: "Hei" }
        .params("AC99999999999999999999999999999999");
    let sig = signature::compute(&token, &url, &other_account);
    assert_eq!(app.post_webhook(encode(&other_account), FORM, Some(&sig)).await?.status(), 403);

    nothing_stored_or_sent(&app).await?;

    // Twilio adds fields without notice: a correctly signed unknown field is fine.
    let mut extra = params.clone();
    extra.push(("AddOns".into(), r#"{"status":"successful"}"#.into()));
    let sig = signature::compute(&token, &url, &extra);
    assert_eq!(app.post_webhook(encode(&extra), FORM, Some(&sig)).await?.status(), 200);
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 1);
    let raw: serde_json::Value = sqlx::query_scalar("SELECT raw FROM intake").fetch_one(&app.pool).await?;
    assert_eq!(raw["AddOns"], r#"{"status":"successful"}"#);
    app.teardown().await
}

#[tokio::test]
async fn garbage_and_oversized_bodies_get_4xx_never_5xx() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.config.twilio()?.auth_token.expose_secret().to_owned();
    let url = format!("{PUBLIC_URL}/twilio/sms");

    // Not UTF-8.
    let r = app.post_webhook(vec![0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xfe], FORM, Some("c2ln")).await?;
    assert_eq!(r.status(), 400);

    // JSON instead of a form.
    let r = app.post_webhook(br#"{"Body":"hi"}"#.to_vec(), "application/json", Some("c2ln")).await?;
    assert_eq!(r.status(), 415);

    // Oversized.
    let big = format!("Body={}", "a".repeat(200 * 1024)).into_bytes();
    let r = app.post_webhook(big, FORM, Some("c2ln")).await?;
    assert_eq!(r.status(), 413);

    // Random bytes that happen to be UTF-8.
    let r = app.post_webhook(b"&&&===%%%zz=%G1".to_vec(), FORM, Some("c2ln")).await?;
    assert!(r.status().is_client_error(), "{}", r.status());

    // Correctly signed but missing what a message needs.
    let params = vec![("Body".to_owned(), "no sid, no sender".to_owned())];
    let sig = signature::compute(&token, &url, &params);
    let r = app.post_webhook(encode(&params), FORM, Some(&sig)).await?;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await?;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("MessageSid")), "{body}");

    nothing_stored_or_sent(&app).await?;
    app.teardown().await
}

#[tokio::test]
async fn unknown_and_malformed_tracking_codes() -> TestResult {
    let app = TestApp::spawn().await?;
    let r = app.http.get(format!("{}/api/v1/track/K7QD-4M2X", app.gateway)).send().await?;
    assert_eq!(r.status(), 404);
    let r = app.http.get(format!("{}/api/v1/track/ABC-12", app.gateway)).send().await?;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await?;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("K7QD-4M2X")));
    app.teardown().await
}

#[tokio::test]
async fn tracking_lookups_are_rate_limited_per_address() -> TestResult {
    let app = TestApp::spawn().await?;
    let url = format!("{}/api/v1/track/K7QD-4M2X", app.gateway);
    // Guessing codes: the default allows 30 look-ups a minute per address.
    for _ in 0..30 {
        assert_eq!(app.http.get(&url).send().await?.status(), 404);
    }
    let limited = app.http.get(&url).send().await?;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str()?.parse()?;
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = limited.json().await?;
    assert_eq!(body["code"], "rate_limited");
    // The page shares the limit: a right code is no way around it.
    let page = app.http.get(format!("{}/track/K7QD-4M2X", app.gateway)).send().await?;
    assert_eq!(page.status(), 429);
    app.teardown().await
}
