//! One resident across channels (issue 20): a responder links the
//! residents of two cases who are one person; a chat resident proves a
//! phone is theirs with a one-time code and becomes one resident with
//! whoever texted from it. From then on a text, a chat message and a reply
//! all meet in one open case, and the owner answers on the channel the
//! resident last used unless they pick another the resident has.

use std::time::Duration;

use anyhow::Context as _;
use batline_core::domain::{DutyStatus, Language, Role};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    browser,
    chat::{ChatClient, case_id},
    support::{PASSWORD, TestApp, TestResult, eventually},
};

const ANNA: &str = "+358405550101";

async fn resident_of(app: &TestApp, case_id: Uuid) -> TestResult<Uuid> {
    Ok(sqlx::query_scalar("SELECT resident_id FROM cases WHERE id = $1").bind(case_id).fetch_one(&app.pool).await?)
}

/// The channel of the newest reply on `case_id`.
async fn last_reply_channel(app: &TestApp, case_id: Uuid) -> TestResult<String> {
    Ok(sqlx::query_scalar(
        "SELECT channel FROM messages WHERE case_id = $1 AND kind = 'reply' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_one(&app.pool)
    .await?)
}

/// An SMS case from Anna, resolved, and an open chat case from the same
/// person, who is a second resident to Batline until linked.
async fn texted_then_chatted(
    app: &TestApp,
) -> TestResult<(batline_core::store::cases::Case, Uuid, String, ChatClient)> {
    app.text(ANNA, "Katuvalo on rikki Fleminginkadulla").await?;
    let texted = app.wait_for_cases(ANNA, 1, Duration::from_secs(10)).await?.remove(0);
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, case) = chat.first_message("Hei, kirjoitin eilen katuvalosta").await?;
    let chatted = case_id(app, case["code"].as_str().context("code")?).await?;
    Ok((texted, chatted, token, chat))
}

#[tokio::test]
async fn linked_residents_are_one_and_answered_where_they_last_wrote() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::Off).await?;
    let (texted, chatted, _token, _chat) = texted_then_chatted(&app).await?;
    let aino = app.sign_in("aino").await?;
    let link = format!("/api/v1/cases/{chatted}/link");

    // Two open cases are two matters until merged.
    let (status, body) = aino.post(&link, json!({ "with": texted.tracking_code, "reason": "Sama Anna" })).await?;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("merge the cases first"), "{body}");
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/resolve", texted.id), json!({ "summary": "Korjattu" })).await?;
    assert_eq!(status, 200);

    // Only the owner (or a lead) links; a reason is needed; the code must be one.
    let mikko = app.sign_in("mikko").await?;
    let (status, _) = mikko.post(&link, json!({ "with": texted.tracking_code, "reason": "x" })).await?;
    assert_eq!(status, 403);
    let (status, _) = aino.post(&link, json!({ "with": texted.tracking_code, "reason": " " })).await?;
    assert_eq!(status, 422);
    let (status, _) = aino.post(&link, json!({ "with": "nope", "reason": "x" })).await?;
    assert_eq!(status, 422);

    // By default the answer goes where the resident wrote last: the chat.
    // Before the link she has no phone to be texted on.
    let replies = format!("/api/v1/cases/{chatted}/replies");
    let (status, body) = aino.post(&replies, json!({ "body": "Katsotaan", "channel": "sms" })).await?;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("chat"), "names what reaches her: {body}");

    let (status, body) = aino
        .post(&link, json!({ "with": texted.tracking_code.to_lowercase(), "reason": "Sama Anna, kertoi chatissa" }))
        .await?;
    assert_eq!(status, 200, "{body}");
    let person = resident_of(&app, chatted).await?;
    assert_eq!(resident_of(&app, texted.id).await?, person, "both cases are one resident's");
    let phone: Option<String> =
        sqlx::query_scalar("SELECT phone FROM residents WHERE id = $1").bind(person).fetch_one(&app.pool).await?;
    assert_eq!(phone.as_deref(), Some(ANNA), "the chat resident kept, with the phone");
    assert_eq!(app.count("SELECT count(*) FROM resident_links").await?, 1);
    assert_eq!(app.events(chatted, "resident_linked").await?[0]["with"], json!(texted.tracking_code));
    assert_eq!(app.events(texted.id, "resident_linked").await?[0]["reason"], "Sama Anna, kertoi chatissa");
    let (status, body) = aino.post(&link, json!({ "with": texted.tracking_code, "reason": "again" })).await?;
    assert_eq!(status, 409, "one resident already: {body}");

    let (status, _) = aino.post(&replies, json!({ "body": "Kiitos, katsomme asiaa." })).await?;
    assert_eq!(status, 201);
    assert_eq!(last_reply_channel(&app, chatted).await?, "chat");
    let (status, _) = aino.post(&replies, json!({ "body": "Tekstiviestinä myös.", "channel": "sms" })).await?;
    assert_eq!(status, 201);
    assert_eq!(last_reply_channel(&app, chatted).await?, "sms");
    // Her first answer, the resolution notice, and this reply.
    let sms = app.sandbox.wait_for_sms_to(ANNA, 3, Duration::from_secs(10)).await?;
    assert!(sms.iter().any(|s| s.body.contains("Tekstiviestinä myös.")), "{sms:?}");
    let (status, _) = aino.post(&replies, json!({ "body": "x", "channel": "email" })).await?;
    assert_eq!(status, 422, "she has no email address");

    // She texts: it joins her open chat case, and the next answer goes by SMS.
    app.text(ANNA, "Valo palaa taas, kiitos").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 2, "no new case");
    let joined: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM messages WHERE case_id = $1 AND channel = 'sms' AND direction = 'inbound'",
    )
    .bind(chatted)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(joined, 1);
    let (status, _) = aino.post(&replies, json!({ "body": "Hyvä kuulla!" })).await?;
    assert_eq!(status, 201);
    assert_eq!(last_reply_channel(&app, chatted).await?, "sms");
    app.teardown().await
}

/// The codes texted to `to` so far, oldest first, from the sandbox's record.
fn codes_to(app: &TestApp, to: &str) -> Vec<String> {
    app.sandbox
        .sent()
        .iter()
        .filter(|s| s.to == to && s.body.contains("Vahvistuskoodisi"))
        .filter_map(|s| s.body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).map(str::to_owned))
        .collect()
}

/// The `n`th code (from 1) texted to `to`, once it has been.
async fn texted_code(app: &TestApp, to: &str, n: usize) -> TestResult<String> {
    eventually("the code SMS", Duration::from_secs(10), || async { Ok(codes_to(app, to).get(n - 1).cloned()) }).await
}

async fn contact(app: &TestApp, path: &str, token: &str, form: &[(&str, &str)]) -> TestResult<(u16, Value)> {
    let r = app.http.post(format!("{}{path}", app.gateway)).bearer_auth(token).form(form).send().await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_chat_resident_confirms_a_phone_with_a_code_and_is_one_resident_with_it() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let (texted, chatted, token, _chat) = texted_then_chatted(&app).await?;
    let ask = "/api/v1/chat/contact";
    let confirm = "/api/v1/chat/contact/confirm";

    // Without the chat's token nothing happens; bad input is explained in Finnish.
    let (status, _) = contact(&app, ask, "not-a-token", &[("phone", "040 555 0101")]).await?;
    assert_eq!(status, 401);
    let (status, body) = contact(&app, ask, &token, &[("phone", "soita minulle")]).await?;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid")), "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("puhelinnumerolta"), "{body}");
    let (status, body) = contact(&app, ask, &token, &[("phone", "040 555 0101"), ("email", "a@b.fi")]).await?;
    assert_eq!(status, 422, "one at a time: {body}");
    let (status, body) = contact(&app, confirm, &token, &[("code", "123456")]).await?;
    assert_eq!((status, body["code"].as_str()), (409, Some("no_code")), "{body}");

    // Her case is still open: she cannot be linked to it without the owner.
    let (status, body) = contact(&app, ask, &token, &[("phone", "040 555 0101")]).await?;
    assert_eq!((status, body["status"].as_str()), (202, Some("sent")), "{body}");
    let code = texted_code(&app, ANNA, 1).await?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = contact(&app, confirm, &token, &[("code", wrong)]).await?;
    assert_eq!((status, body["code"].as_str()), (422, Some("wrong_code")), "{body}");
    let (status, body) = contact(&app, confirm, &token, &[("code", &code)]).await?;
    assert_eq!((status, body["status"].as_str()), (200, Some("owner_decides")), "{body}");
    assert_ne!(resident_of(&app, texted.id).await?, resident_of(&app, chatted).await?, "not linked");
    let told = app.events(chatted, "contact_confirmed").await?;
    assert_eq!((told[0]["linked"].clone(), told[0]["with"].clone()), (json!(false), json!(texted.tracking_code)));

    // Once the texted case is resolved, confirming links them.
    let aino = app.sign_in("aino").await?;
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/resolve", texted.id), json!({ "summary": "Korjattu" })).await?;
    assert_eq!(status, 200);
    let (status, _) = contact(&app, ask, &token, &[("phone", "+358 40 555 0101")]).await?;
    assert_eq!(status, 202);
    let fresh = texted_code(&app, ANNA, 2).await?;
    let (status, body) = contact(&app, confirm, &token, &[("code", &fresh)]).await?;
    assert_eq!((status, body["status"].as_str()), (200, Some("confirmed")), "{body}");
    let person = resident_of(&app, chatted).await?;
    assert_eq!(resident_of(&app, texted.id).await?, person, "one resident now");
    let phone: Option<String> =
        sqlx::query_scalar("SELECT phone FROM residents WHERE id = $1").bind(person).fetch_one(&app.pool).await?;
    assert_eq!(phone.as_deref(), Some(ANNA));
    let (status, body) = contact(&app, confirm, &token, &[("code", &fresh)]).await?;
    assert_eq!(status, 409, "a code works once: {body}");
    let (status, body) = contact(&app, ask, &token, &[("phone", "040 555 0101")]).await?;
    assert_eq!((status, body["status"].as_str()), (200, Some("confirmed")), "already hers: {body}");
    let (status, body) = contact(&app, ask, &token, &[("phone", "040 555 0199")]).await?;
    assert_eq!((status, body["code"].as_str()), (409, Some("has_other")), "{body}");

    // The owner sees the phone and can text her; a text from her joins the chat case.
    let (_, detail) = aino.get(&format!("/api/v1/cases/{chatted}")).await?;
    assert_eq!(detail["resident_phone"], json!(ANNA), "{detail}");
    app.text(ANNA, "Kiitos koodista").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 2, "no new case");
    let (status, _) = aino.post(&format!("/api/v1/cases/{chatted}/replies"), json!({ "body": "Selvä." })).await?;
    assert_eq!(status, 201);
    assert_eq!(last_reply_channel(&app, chatted).await?, "sms", "she wrote last by SMS");

    // Without email on the line, an address is refused in the chat's language.
    let (status, body) = contact(&app, ask, &token, &[("email", "anna@example.fi")]).await?;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid")), "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("puhelinnumero"), "{body}");

    // At most three codes an hour per chat: the third goes, the fourth not.
    let (mut other, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (other_token, _) = other.first_message("Toinen asia: puisto on roskainen").await?;
    for _ in 0..3 {
        let (status, body) = contact(&app, ask, &other_token, &[("phone", "040 555 0188")]).await?;
        assert_eq!(status, 202, "{body}");
    }
    let (status, body) = contact(&app, ask, &other_token, &[("phone", "040 555 0188")]).await?;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")), "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("tunnin"), "in Finnish: {body}");
    app.teardown().await
}

#[tokio::test]
async fn linking_and_picking_the_channel_in_the_console_and_confirming_in_the_chat() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    app.add_responder("liisa", "Liisa", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("liisa", Role::Lead).await?;
    let (texted, chatted, _token, _chat) = texted_then_chatted(&app).await?;
    let aino = app.sign_in("aino").await?;
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/resolve", texted.id), json!({ "summary": "Korjattu" })).await?;
    assert_eq!(status, 200);
    browser::run_for(
        "link.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("GATEWAY", app.gateway.clone()),
            ("SANDBOX", app.sandbox.api_base()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("CHAT_ID", chatted.to_string()),
            ("TEXTED_CODE", texted.tracking_code.clone()),
            ("PHONE", ANNA.to_owned()),
        ],
        Duration::from_secs(120),
    )
    .await?;
    assert_eq!(resident_of(&app, texted.id).await?, resident_of(&app, chatted).await?);
    // Her first answer, the resolution notice, and the reply picked as SMS.
    let sms = app.sandbox.wait_for_sms_to(ANNA, 3, Duration::from_secs(10)).await?;
    assert!(sms.iter().any(|s| s.body.contains("Tulemme huomenna")), "the reply picked as SMS: {sms:?}");
    // The chat page's resident confirmed a phone in the page itself.
    let confirmed: i64 = app.count("SELECT count(*) FROM contact_codes WHERE confirmed_at IS NOT NULL").await?;
    assert_eq!(confirmed, 1, "the chat page confirmed a phone");
    app.teardown().await
}
