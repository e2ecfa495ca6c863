//! The tracking page: a plain-language timeline (opened, assigned, replied,
//! handed on, resolved) in the resident's language, nothing personal for
//! someone with only the code, and the whole conversation for the case's
//! contact: a phone proven with a one-time SMS code, or the chat session.

use std::time::Duration;

use anyhow::Context;
use batline_core::domain::{DutyStatus, Language};
use serde_json::json;

use crate::{
    chat::{ChatClient, case_id},
    support::{TestApp, TestResult},
};

const RESIDENT: &str = "+358401110022";

fn no_redirects() -> TestResult<reqwest::Client> {
    Ok(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?)
}

#[tokio::test]
async fn the_phone_contact_reads_the_conversation_after_a_texted_code() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let lead = app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE id = $1").bind(lead.id).execute(&app.pool).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text(RESIDENT, "Puistossa on kaatunut puu").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let owner: String = sqlx::query_scalar("SELECT display_name FROM responders WHERE id = $1")
        .bind(case.owner_id)
        .fetch_one(&app.pool)
        .await?;
    let (owner_user, other) = if owner == "Aino" { ("aino", "mikko") } else { ("mikko", "aino") };
    let other_name = if other == "aino" { "Aino" } else { "Mikko" };
    let console = app.sign_in(owner_user).await?;
    console.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Tulemme katsomaan." })).await?;
    let linnea = app.sign_in("linnea").await?;
    let (status, _) =
        linnea.post(&format!("/api/v1/cases/{}/reassign", case.id), json!({ "to": other, "note": "vuoro" })).await?;
    assert_eq!(status, 200);

    let page_url = format!("{}/track/{}", app.gateway, case.tracking_code);
    let page = app.http.get(format!("{page_url}?lang=fi")).send().await?;
    let csp = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let page = page.text().await?;
    assert!(page.contains("Asia avattiin."), "{page}");
    assert!(page.contains(&format!("Asian otti hoitaakseen {owner}.")), "{page}");
    assert!(page.contains(&format!("{owner} vastasi.")), "{page}");
    assert!(page.contains(&format!("Asia siirtyi. Nyt sitä hoitaa {other_name}.")), "{page}");
    assert!(!page.contains("kaatunut puu") && !page.contains("Tulemme katsomaan") && !page.contains("401110022"));
    let english = app.http.get(format!("{page_url}?lang=en")).send().await?.text().await?;
    assert!(english.contains(&format!("The case was handed to {other_name}.")), "{english}");

    let http = no_redirects()?;
    // Another phone: the same answer, and nothing is texted.
    let r = http.post(format!("{page_url}/contact")).form(&[("phone", "040 999 8888"), ("lang", "fi")]).send().await?;
    assert_eq!(r.status(), 303);
    let after_wrong_phone = r.headers().get("location").cloned();
    // The answer, the reply and the notice of the new owner; nothing more.
    app.sandbox.wait_for_sms_to(RESIDENT, 3, Duration::from_secs(10)).await?;
    let texts_before = app.sandbox.sent().len();

    let r = http.post(format!("{page_url}/contact")).form(&[("phone", "040 111 0022"), ("lang", "fi")]).send().await?;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers().get("location").cloned(), after_wrong_phone, "the answer does not tell whose case it is");
    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 4, Duration::from_secs(10)).await?;
    assert_eq!(app.sandbox.sent().len(), texts_before + 1);
    let body = &sms.iter().find(|s| s.body.contains("koodisi")).context("code SMS")?.body;
    let code: String = body
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
        .context("a six-digit code")?
        .to_owned();
    assert!(body.contains(&case.tracking_code), "{body}");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = http.post(format!("{page_url}/contact/confirm")).form(&[("code", wrong), ("lang", "fi")]).send().await?;
    assert!(r.headers().get("location").and_then(|v| v.to_str().ok()).is_some_and(|l| l.contains("step=wrong")));
    assert!(r.headers().get("set-cookie").is_none());

    let r = http
        .post(format!("{page_url}/contact/confirm"))
        .form(&[("code", code.as_str()), ("lang", "fi")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).context("a cookie")?.to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"), "{cookie}");
    let pair = cookie.split(';').next().context("cookie pair")?.to_owned();
    let page = http.get(format!("{page_url}?lang=fi")).header("cookie", &pair).send().await?.text().await?;
    assert!(page.contains("Puistossa on kaatunut puu") && page.contains("Tulemme katsomaan."), "{page}");

    // A used code does not work twice, and the cookie is for this case only.
    let r = http.post(format!("{page_url}/contact/confirm")).form(&[("code", code.as_str())]).send().await?;
    assert!(r.headers().get("location").and_then(|v| v.to_str().ok()).is_some_and(|l| l.contains("step=expired")));
    app.teardown().await
}

#[tokio::test]
async fn the_chat_session_is_the_contact_of_its_case() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, case) = chat.first_message("Bussipysäkin katos on rikki").await?;
    let code = case["code"].as_str().context("code")?;
    case_id(&app, code).await?;
    let url = format!("{}/api/v1/track/{code}/conversation", app.gateway);
    let r = app.http.get(&url).bearer_auth(&token).send().await?;
    assert_eq!(r.status(), 200);
    let lines: serde_json::Value = r.json().await?;
    assert_eq!(lines[0]["from"], "resident");
    assert_eq!(lines[0]["body"], "Bussipysäkin katos on rikki");

    let (mut other, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (other_token, _) = other.first_message("Toinen asia").await?;
    assert_eq!(app.http.get(&url).bearer_auth(&other_token).send().await?.status(), 403);
    assert_eq!(app.http.get(&url).send().await?.status(), 403);
    app.teardown().await
}
