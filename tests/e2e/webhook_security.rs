//! The SMS webhook admits only what Twilio signed, turns away bad input
//! with a 4xx while storing and sending nothing, and refuses a flood from
//! one source without losing what it accepted.

use std::{net::IpAddr, time::Duration};

use batline_core::twilio::signature;
use batline_test_kit::twilio_sandbox::{InboundSms, new_sid};
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::support::{BATLINE_NUMBER, Options, PUBLIC_URL, TestApp, TestResult};

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

/// How many intake rows Twilio's message or call `sid` left.
async fn stored(app: &TestApp, sid: &str) -> TestResult<i64> {
    app.count(&format!("SELECT count(*) FROM intake WHERE provider_id = '{sid}'")).await
}

/// Retry-After of a 429, checked to be a sane wait.
fn retry_after(response: &reqwest::Response) -> TestResult<Duration> {
    let seconds: u64 = response.headers()["retry-after"].to_str()?.parse()?;
    anyhow::ensure!((1..=60).contains(&seconds), "Retry-After: {seconds}");
    Ok(Duration::from_secs(seconds))
}

#[tokio::test]
async fn a_flood_from_one_source_is_refused_and_nothing_accepted_is_lost() -> TestResult {
    // 30 a minute: all 30 may come at once, then one more every 2 s.
    const LIMIT: usize = 30;
    let app = TestApp::spawn_with(Options { webhook_per_minute: LIMIT as u32, ..Options::default() }).await?;

    // Texts from one address, each from its own resident, until one is
    // refused: the whole allowance first (more if the sending is slow
    // enough for the allowance to refill meanwhile).
    let mut accepted = Vec::new();
    let (refused, late, sid) = loop {
        let (from, sid) = (format!("+35840555{:04}", accepted.len()), new_sid("SM"));
        let response = app.text_with_sid(&sid, &from, "Roska-astia on täynnä").await?;
        match response.status().as_u16() {
            200 => accepted.push(from),
            429 => break (response, from, sid),
            other => anyhow::bail!("text {} answered {other}", accepted.len()),
        }
        anyhow::ensure!(accepted.len() <= LIMIT + 5, "{} texts and none refused", accepted.len());
    };
    assert!(accepted.len() >= LIMIT, "refused after {} of {LIMIT}", accepted.len());
    retry_after(&refused)?;
    let body: Value = refused.json().await?;
    assert_eq!(body["code"], "rate_limited");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("nothing was stored")), "{body}");
    assert_eq!(stored(&app, &sid).await?, 0, "a refused text leaves nothing behind");

    // What belongs to an accepted contact still goes through over the limit.
    let status = app.twilio("/twilio/sms/status", &[("MessageSid", "SM0000"), ("MessageStatus", "delivered")]).await?;
    assert_eq!(status.status(), 204);

    // A call starts a contact too and shares the allowance (one may slip
    // through if the allowance refilled meanwhile).
    let mut calls = 0;
    let mut wait = loop {
        let call_sid = new_sid("CA");
        let response = app.call(&call_sid, &format!("+35840556{calls:04}")).await?;
        calls += 1;
        if response.status() == 429 {
            assert_eq!(stored(&app, &call_sid).await?, 0, "a refused call leaves nothing behind");
            break retry_after(&response)?;
        }
        assert_eq!(response.status(), 200);
        anyhow::ensure!(calls <= 3, "calls are never refused");
    };

    // Another source has its own allowance.
    let token = app.config.twilio()?.auth_token.expose_secret().to_owned();
    let account = app.config.twilio()?.account_sid.clone();
    let neighbour = "+358405557777";
    let params =
        InboundSms { message_sid: &new_sid("SM"), from: neighbour, to: BATLINE_NUMBER, body: "Hei" }.params(&account);
    let signature = signature::compute(&token, &format!("{PUBLIC_URL}/twilio/sms"), &params);
    let elsewhere = reqwest::Client::builder().local_address(IpAddr::from([127, 0, 0, 2])).build()?;
    let r = elsewhere
        .post(format!("{}/twilio/sms", app.gateway))
        .header("X-Twilio-Signature", signature)
        .form(&params)
        .send()
        .await?;
    assert_eq!(r.status(), 200, "127.0.0.2 is another source");

    let metrics = app.http.get(format!("{}/metrics", app.gateway_ops)).send().await?.text().await?;
    assert!(metrics.contains(r#"batline_webhooks_rejected_total{reason="rate_limited"}"#), "{metrics}");

    // After the wait it asked for, Twilio's retry of the refused text is
    // taken (and retried again if the status callback took the refill).
    let mut retries = 0;
    loop {
        tokio::time::sleep(wait).await;
        let response = app.text_with_sid(&sid, &late, "Roska-astia on täynnä").await?;
        if response.status() == 200 {
            break;
        }
        assert_eq!(response.status(), 429);
        wait = retry_after(&response)?;
        retries += 1;
        anyhow::ensure!(retries < 3, "the retry is refused after waiting as told");
    }
    assert_eq!(stored(&app, &sid).await?, 1);

    // Every accepted text was filed into its own case with an owner.
    app.wait_all_filed(Duration::from_secs(15)).await?;
    for from in accepted.iter().map(String::as_str).chain([neighbour, late.as_str()]) {
        assert_eq!(app.cases_of(from).await?.len(), 1, "{from} has its case");
    }
    app.teardown().await
}
