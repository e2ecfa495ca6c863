//! The foundation's whole path: a resident texts, a named responder owns the
//! case at once, the resident is told who and how to follow it, the owner
//! replies, the resident writes again into the same case, the owner resolves.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use serde_json::json;

use crate::support::{PUBLIC_URL, TestApp, TestResult};

const RESIDENT: &str = "+358401110001";

#[tokio::test]
async fn sms_reaches_a_named_owner_and_back() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    // 1. The resident texts; Twilio gets empty TwiML.
    let r = app.text(RESIDENT, "Puistossa on kaatunut puu, joka tukkii kävelytien kokonaan").await?;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str()?.starts_with("text/xml"));
    assert_eq!(r.text().await?, r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#);

    // 2. A named owner from the first row, and a Finnish auto-reply naming her with the code.
    let cases = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?;
    let case = &cases[0];
    let auto = app.sandbox.wait_for_sms_to(RESIDENT, 1, Duration::from_secs(10)).await?;
    let expected = format!(
        "Helsingin kaupunki: Hei, olen Aino. Asiasi {code} on minulla, vastaan 15 minuutin sisällä. Seuraa: {PUBLIC_URL}/track/{code}",
        code = case.tracking_code
    );
    assert_eq!(auto[0].body, expected);
    assert_eq!(auto[0].from, crate::support::BATLINE_NUMBER);
    assert_eq!(auto[0].status_callback.as_deref(), Some(&*format!("{PUBLIC_URL}/twilio/sms/status")));

    // 3. Aino sees it in her console.
    let aino = app.sign_in("aino").await?;
    let (status, mine) = aino.get("/api/v1/cases").await?;
    assert_eq!(status, 200);
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["tracking_code"], case.tracking_code.as_str());
    assert_eq!(mine[0]["owner_name"], "Aino");
    let (status, detail) = aino.get(&format!("/api/v1/cases/{}", case.id)).await?;
    assert_eq!(status, 200);
    let kinds: Vec<&str> =
        detail["timeline"].as_array().into_iter().flatten().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["opened", "assigned"]);
    assert_eq!(detail["timeline"][1]["data"]["rule"], "eligible");
    assert_eq!(detail["timeline"][1]["data"]["decided_by"], "only_candidate");
    assert_eq!(detail["messages"][0]["kind"], "resident");

    // 4. Aino replies; it goes out as SMS. A reply that fits Twilio's limit
    // only without its heading is refused, not cut.
    let (status, refused) =
        aino.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "a".repeat(1590) })).await?;
    assert_eq!(status, 422, "{refused}");
    let (status, _) = aino
        .post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Kiitos! Puistotiimi on matkalla." }))
        .await?;
    assert_eq!(status, 201);
    let sent = app.sandbox.wait_for_sms_to(RESIDENT, 2, Duration::from_secs(10)).await?;
    // Headed with its author and the city: an SMS has no page to say who wrote it.
    assert_eq!(sent[1].body, "Aino, Helsingin kaupunki: Kiitos! Puistotiimi on matkalla.");

    // 5. The resident's next text joins the same case, still Aino's.
    assert_eq!(app.text(RESIDENT, "Kiitos, odotan").await?.status(), 200);
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let cases = app.cases_of(RESIDENT).await?;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].owner_id, case.owner_id);
    let (_, detail) = aino.get(&format!("/api/v1/cases/{}", case.id)).await?;
    let bodies: Vec<&str> =
        detail["messages"].as_array().into_iter().flatten().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(bodies.len(), 4, "text, auto-reply, reply, follow-up: {bodies:?}");
    assert_eq!(bodies[3], "Kiitos, odotan");
    assert!(detail["first_response_at"].is_string());

    // 6. Aino resolves with a summary; the resident is told.
    let (status, resolved) =
        aino.post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "Puu poistettiin." })).await?;
    assert_eq!(status, 200);
    assert_eq!(resolved["status"], "resolved");
    let sent = app.sandbox.wait_for_sms_to(RESIDENT, 3, Duration::from_secs(10)).await?;
    assert!(
        sent[2].body.starts_with("Helsingin kaupunki: Aino ratkaisi asiasi")
            && sent[2].body.contains("Puu poistettiin."),
        "{}",
        sent[2].body
    );
    let (status, _) = aino.post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "again" })).await?;
    assert_eq!(status, 409);

    // 7. The public tracking view: status, owner, timeline, nothing personal.
    let tracking =
        app.http.get(format!("{}/api/v1/track/{}", app.gateway, case.tracking_code.to_lowercase())).send().await?;
    assert_eq!(tracking.status(), 200);
    let tracking: serde_json::Value = tracking.json().await?;
    assert_eq!(tracking["code"], case.tracking_code.as_str());
    assert_eq!(tracking["status"], "resolved");
    assert_eq!(tracking["owner"]["name"], "Aino");
    assert!(tracking["opened_at"].is_string());
    let kinds: Vec<&str> =
        tracking["timeline"].as_array().into_iter().flatten().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["opened", "assigned", "replied", "resolved"]);
    let text = tracking.to_string();
    assert!(!text.contains(RESIDENT) && !text.contains("kaatunut") && !text.contains("Puistotiimi"), "{text}");
    let page =
        app.http.get(format!("{}/track/{}?lang=en", app.gateway, case.tracking_code)).send().await?.text().await?;
    assert!(page.contains("Aino") && page.contains("Resolved") && !page.contains(RESIDENT));
    let opened_local = case.opened_at.with_timezone(&batline_core::roster::TZ).format("%-d.%-m.%Y").to_string();
    assert!(page.contains(&opened_local), "times are shown in Helsinki time: {page}");

    app.assert_open_counts_exact().await?;
    // 8. A new text after resolution opens a new case.
    assert_eq!(app.text(RESIDENT, "Toinen asia: katuvalo on rikki").await?.status(), 200);
    app.wait_for_cases(RESIDENT, 2, Duration::from_secs(10)).await?;
    app.teardown().await
}

#[tokio::test]
async fn answers_in_the_residents_language_and_prefers_speakers() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Sv, Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358401110002", "Hej, det ligger ett nedfallet träd i parken och det blockerar gångvägen").await?;
    let sms = app.sandbox.wait_for_sms_to("+358401110002", 1, Duration::from_secs(10)).await?;
    assert!(sms[0].body.starts_with("Helsingfors stad: Hej, jag är Linnea."), "{}", sms[0].body);
    app.teardown().await
}

#[tokio::test]
async fn nobody_on_duty_means_the_backstop_owns_it() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("off", "Offi", &[Language::Fi], DutyStatus::Off).await?;
    app.text("+358401110003", "Hello, the street light outside number 5 has been broken for a week").await?;
    let cases = app.wait_for_cases("+358401110003", 1, Duration::from_secs(10)).await?;
    assert_eq!(cases[0].owner_id, app.backstop.id);
    let sms = app.sandbox.wait_for_sms_to("+358401110003", 1, Duration::from_secs(10)).await?;
    assert!(sms[0].body.starts_with("City of Helsinki: Hi, I'm Pormestari."), "{}", sms[0].body);
    let reason: serde_json::Value =
        sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned'")
            .bind(cases[0].id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(reason["rule"], "backstop");
    app.teardown().await
}

#[tokio::test]
async fn least_loaded_responder_gets_the_next_case() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    for i in 0..4 {
        app.text(&format!("+35840222000{i}"), "Roskis on täynnä").await?;
        app.wait_all_filed(Duration::from_secs(10)).await?;
    }
    let load = |id| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cases WHERE owner_id = $1 AND status = 'open'")
                .bind(id)
                .fetch_one(&pool)
                .await
        }
    };
    assert_eq!((load(aino.id).await?, load(mikko.id).await?), (2, 2));
    app.teardown().await
}

#[tokio::test]
async fn console_refuses_strangers_and_other_owners() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("james", "James", &[Language::En], DutyStatus::Off).await?;
    app.text("+358401110004", "Moi").await?;
    let case = app.wait_for_cases("+358401110004", 1, Duration::from_secs(10)).await?.remove(0);

    let anonymous = app.http.get(format!("{}/api/v1/cases", app.console)).send().await?;
    assert_eq!(anonymous.status(), 401);
    let forged = app.http.get(format!("{}/api/v1/cases", app.console)).bearer_auth("made-up").send().await?;
    assert_eq!(forged.status(), 401);
    let wrong = app
        .http
        .post(format!("{}/api/v1/sessions", app.console))
        .json(&json!({ "username": "aino", "password": "wrong" }))
        .send()
        .await?;
    assert_eq!(wrong.status(), 401);

    let james = app.sign_in("james").await?;
    assert_eq!(james.get(&format!("/api/v1/cases/{}", case.id)).await?.0, 403);
    assert_eq!(james.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "hi" })).await?.0, 403);
    assert_eq!(james.post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "x" })).await?.0, 403);

    let aino = app.sign_in("aino").await?;
    assert_eq!(aino.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "  " })).await?.0, 422);
    assert_eq!(
        aino.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "x".repeat(1601) })).await?.0,
        422
    );
    assert_eq!(
        aino.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "text": "wrong field" })).await?.0,
        422
    );
    assert_eq!(aino.get(&format!("/api/v1/cases/{}", uuid::Uuid::new_v4())).await?.0, 404);
    app.teardown().await
}
