//! Hand-offs, duty changes and a lead's reassignment: a case changes hands
//! only when the next person takes it, and never becomes unowned.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language, Role};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::support::{TestApp, TestResult, eventually};

async fn kinds(app: &TestApp, case_id: uuid::Uuid) -> TestResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

#[tokio::test]
async fn an_accepted_handoff_moves_the_case_and_the_resident_is_told() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino_r = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const RESIDENT: &str = "+358402000001";
    app.text(RESIDENT, "Naapurin koira haukkuu yöt läpeensä").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, aino_r.id);
    let mikko_r = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let aino = app.sign_in("aino").await?;
    let mikko = app.sign_in("mikko").await?;

    let offer_path = format!("/api/v1/cases/{}/handoffs", case.id);
    assert_eq!(aino.post(&offer_path, json!({ "to": "aino", "note": "x" })).await?.0, 422);
    assert_eq!(aino.post(&offer_path, json!({ "to": "nobody", "note": "x" })).await?.0, 422);
    assert_eq!(mikko.post(&offer_path, json!({ "to": "mikko", "note": "x" })).await?.0, 403, "only the owner offers");
    let (status, offer) = aino.post(&offer_path, json!({ "to": "mikko", "note": "Mikko tuntee tämän talon" })).await?;
    assert_eq!(status, 201, "{offer}");
    assert_eq!(aino.post(&offer_path, json!({ "to": "mikko", "note": "again" })).await?.0, 409, "one open offer");
    assert_eq!(app.cases_of(RESIDENT).await?[0].owner_id, aino_r.id, "the owner stays owner until accepted");

    let (_, offers) = mikko.get("/api/v1/handoffs").await?;
    assert_eq!(offers[0]["note"], "Mikko tuntee tämän talon");
    assert_eq!(offers[0]["from_name"], "Aino");
    assert_eq!(offers[0]["tracking_code"], case.tracking_code.as_str());
    let accept = format!("/api/v1/handoffs/{}/accept", offer["id"].as_str().unwrap_or_default());
    assert_eq!(aino.post(&accept, json!({})).await?.0, 403, "the offer is Mikko's to accept");
    let (status, taken) = mikko.post(&accept, json!({})).await?;
    assert_eq!(status, 200, "{taken}");
    assert_eq!(taken["owner_id"], json!(mikko_r.id));
    assert!(taken["acknowledged_at"].is_string(), "accepting is acknowledging");
    assert_eq!(mikko.post(&accept, json!({})).await?.0, 409);

    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 2, Duration::from_secs(10)).await?;
    assert_eq!(
        sms[1].body,
        format!("Helsingin kaupunki: Asiaasi {} hoitaa nyt Mikko. Vastaamme pian.", case.tracking_code)
    );
    let k = kinds(&app, case.id).await?;
    assert_eq!(
        k,
        ["opened", "auto_classified", "assigned", "acknowledged", "handoff_offered", "handoff_accepted", "assigned"]
    );
    let reason: Value = sqlx::query_scalar(
        "SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned' ORDER BY id DESC LIMIT 1",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(reason["rule"], "handoff");
    assert_eq!(reason["previous_owner_id"], json!(aino_r.id));

    assert_eq!(aino.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "x" })).await?.0, 403);
    assert_eq!(
        mikko.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Hoidan tämän." })).await?.0,
        201
    );
    let tracking: Value =
        app.http.get(format!("{}/api/v1/track/{}", app.gateway, case.tracking_code)).send().await?.json().await?;
    assert_eq!(tracking["owner"]["name"], "Mikko");
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

#[tokio::test]
async fn a_declined_or_lapsed_offer_leaves_the_case_with_its_owner() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino_r = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358402000002", "Moi").await?;
    let case = app.wait_for_cases("+358402000002", 1, Duration::from_secs(10)).await?.remove(0);
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("offi", "Offi", &[Language::Fi], DutyStatus::Off).await?;
    let aino = app.sign_in("aino").await?;
    let mikko = app.sign_in("mikko").await?;
    let offer_path = format!("/api/v1/cases/{}/handoffs", case.id);
    assert_eq!(aino.post(&offer_path, json!({ "to": "offi", "note": "x" })).await?.0, 409, "off duty");

    let (_, offer) = aino.post(&offer_path, json!({ "to": "mikko", "note": "Ehditkö?" })).await?;
    let decline = format!("/api/v1/handoffs/{}/decline", offer["id"].as_str().unwrap_or_default());
    let (status, declined) = mikko.post(&decline, json!({ "note": "Olen täynnä" })).await?;
    assert_eq!(status, 200);
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["answer_note"], "Olen täynnä");
    assert_eq!(app.cases_of("+358402000002").await?[0].owner_id, aino_r.id);

    // A second offer nobody answers lapses on the router's clock.
    let (status, offer) = aino.post(&offer_path, json!({ "to": "mikko", "note": "Entä nyt?" })).await?;
    assert_eq!(status, 201);
    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    // The console dates the offer by the real clock, which has moved on since
    // the routers' manual clock started (by seconds on a busy machine).
    let expires_at: chrono::DateTime<chrono::Utc> = offer["expires_at"].as_str().unwrap_or_default().parse()?;
    app.clock.advance(expires_at - app.clock.now_utc() + chrono::Duration::seconds(1));
    batline_router::deadlines::sweep(&router).await?;
    eventually("the offer to lapse", Duration::from_secs(10), || async {
        Ok((app.count("SELECT count(*) FROM handoffs WHERE status = 'expired'").await? == 1).then_some(()))
    })
    .await?;
    assert_eq!(app.cases_of("+358402000002").await?[0].owner_id, aino_r.id);
    let k = kinds(&app, case.id).await?;
    assert!(k.ends_with(&["handoff_declined".into(), "handoff_offered".into(), "handoff_expired".into()]), "{k:?}");
    let (_, offers) = mikko.get("/api/v1/handoffs").await?;
    assert_eq!(offers.as_array().map(Vec::len), Some(0));
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn going_off_duty_hands_every_open_case_on() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino_r = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    for i in 0..3 {
        app.text(&format!("+35840200010{i}"), "Hei").await?;
    }
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let mikko_r = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let aino = app.sign_in("aino").await?;
    let (status, me) = aino.put("/api/v1/me/duty", json!({ "status": "off" })).await?;
    assert_eq!(status, 200);
    assert_eq!(me["duty_status"], "off");
    app.wait_handed_on(aino_r.id, Duration::from_secs(15)).await?;
    assert_eq!(app.count(&format!("SELECT count(*) FROM cases WHERE owner_id = '{}'", mikko_r.id)).await?, 3);
    assert_eq!(
        app.count("SELECT count(*) FROM case_events WHERE kind = 'assigned' AND data->>'because' = 'duty_changed'")
            .await?,
        3
    );
    // The residents hear of Mikko once he takes their cases up, not before.
    let told = "SELECT count(*) FROM messages WHERE kind = 'notice' AND body LIKE '%hoitaa nyt%'";
    assert_eq!(app.count(told).await?, 0);
    let mikko = app.sign_in("mikko").await?;
    let (_, cases) = mikko.get("/api/v1/cases").await?;
    let ids: Vec<&str> = cases.as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), 3, "{cases}");
    for id in ids {
        assert_eq!(mikko.post(&format!("/api/v1/cases/{id}/acknowledge"), json!({})).await?.0, 200);
    }
    for i in 0..3 {
        let sms = app.sandbox.wait_for_sms_to(&format!("+35840200010{i}"), 2, Duration::from_secs(10)).await?;
        assert!(sms[1].body.contains("hoitaa nyt Mikko"), "{}", sms[1].body);
    }
    assert_eq!(app.count(told).await?, 3);
    assert_eq!(aino.put("/api/v1/me/duty", json!({ "status": "sleeping" })).await?.0, 422);
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

#[tokio::test]
async fn a_lead_may_reassign_directly_and_a_responder_may_not() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358402000201", "Hei").await?;
    let case = app.wait_for_cases("+358402000201", 1, Duration::from_secs(10)).await?.remove(0);
    let mikko_r = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET role = $1 WHERE username = 'linnea'")
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;
    let reassign = format!("/api/v1/cases/{}/reassign", case.id);
    let mikko = app.sign_in("mikko").await?;
    assert_eq!(mikko.post(&reassign, json!({ "to": "mikko", "note": "minulle" })).await?.0, 403);
    assert_eq!(mikko.get(&format!("/api/v1/cases/{}", case.id)).await?.0, 403);

    let linnea = app.sign_in("linnea").await?;
    assert_eq!(linnea.get(&format!("/api/v1/cases/{}", case.id)).await?.0, 200, "a lead reads any case");
    let (status, moved) = linnea.post(&reassign, json!({ "to": "mikko", "note": "Aino on lounaalla" })).await?;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["owner_id"], json!(mikko_r.id));
    assert!(moved["ack_due_at"].is_string() && moved["acknowledged_at"].is_null(), "Mikko must acknowledge");
    assert_eq!(linnea.post(&reassign, json!({ "to": "mikko", "note": "again" })).await?.0, 409);
    let reason: Value = sqlx::query_scalar(
        "SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned' ORDER BY id DESC LIMIT 1",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(reason["rule"], "lead_reassigned");
    assert_eq!(reason["note"], "Aino on lounaalla");
    // The resident hears of Mikko when he takes the case up, not when the lead moves it.
    let told = format!("SELECT count(*) FROM messages WHERE case_id = '{}' AND kind = 'notice'", case.id);
    assert_eq!(app.count(&told).await?, 0);
    assert_eq!(mikko.post(&format!("/api/v1/cases/{}/acknowledge", case.id), json!({})).await?.0, 200);
    assert_eq!(app.count(&told).await?, 1);
    let sms = app.sandbox.wait_for_sms_to("+358402000201", 2, Duration::from_secs(10)).await?;
    assert!(sms[1].body.contains("hoitaa nyt Mikko"), "{}", sms[1].body);
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

#[tokio::test]
async fn nobody_off_duty_takes_a_case_and_going_off_withdraws_their_offers() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino_r = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358402000301", "Hei").await?;
    app.text("+358402000302", "Moi").await?;
    let first = app.wait_for_cases("+358402000301", 1, Duration::from_secs(10)).await?.remove(0);
    let second = app.wait_for_cases("+358402000302", 1, Duration::from_secs(10)).await?.remove(0);
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("james", "James", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET role = $1 WHERE username = 'linnea'")
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;
    let aino = app.sign_in("aino").await?;
    let mikko = app.sign_in("mikko").await?;
    let linnea = app.sign_in("linnea").await?;
    let offered_to_mikko = "SELECT count(*) FROM handoffs WHERE status = 'offered' AND to_id = \
                            (SELECT id FROM responders WHERE username = 'mikko')";

    let (status, offer) =
        aino.post(&format!("/api/v1/cases/{}/handoffs", first.id), json!({ "to": "mikko", "note": "Ota" })).await?;
    assert_eq!(status, 201, "{offer}");
    let accept = format!("/api/v1/handoffs/{}/accept", offer["id"].as_str().unwrap_or_default());
    // Off duty before any router has withdrawn the offer: taking it is refused.
    sqlx::query("UPDATE responders SET duty_status = 'off' WHERE username = 'mikko'").execute(&app.pool).await?;
    let (status, refused) = mikko.post(&accept, json!({})).await?;
    assert_eq!(status, 409, "{refused}");
    assert!(refused.to_string().contains("off duty"), "{refused}");
    assert_eq!(app.cases_of("+358402000301").await?[0].owner_id, aino_r.id);

    // Going off duty in the console withdraws the offers made to them.
    assert_eq!(mikko.put("/api/v1/me/duty", json!({ "status": "on_duty" })).await?.0, 200);
    assert_eq!(app.count(offered_to_mikko).await?, 1);
    assert_eq!(mikko.put("/api/v1/me/duty", json!({ "status": "off" })).await?.0, 200);
    eventually("the offer to Mikko to be withdrawn", Duration::from_secs(15), || async {
        Ok((app.count(offered_to_mikko).await? == 0).then_some(()))
    })
    .await?;
    assert_eq!(mikko.post(&accept, json!({})).await?.0, 409);
    let (_, offers) = mikko.get("/api/v1/handoffs").await?;
    assert_eq!(offers.as_array().map(Vec::len), Some(0), "{offers}");
    assert_eq!(kinds(&app, first.id).await?.last().map(String::as_str), Some("handoff_withdrawn"));
    let withdrawn = app.events(first.id, "handoff_withdrawn").await?;
    assert_eq!(withdrawn[0]["to_name"], "Mikko", "{withdrawn:?}");
    assert_eq!(app.cases_of("+358402000301").await?[0].owner_id, aino_r.id, "the owner keeps it");

    // Nor may a lead give a case to someone off duty.
    let reassign = format!("/api/v1/cases/{}/reassign", second.id);
    let (status, refused) = linnea.post(&reassign, json!({ "to": "mikko", "note": "Mikolle" })).await?;
    assert_eq!(status, 409, "{refused}");
    assert!(refused.to_string().contains("off duty"), "{refused}");

    // An owner who goes off with an offer open: the offer is withdrawn and
    // the case goes on by the rules like the rest of theirs.
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/handoffs", second.id), json!({ "to": "james", "note": "Ota" })).await?;
    assert_eq!(status, 201);
    assert_eq!(aino.put("/api/v1/me/duty", json!({ "status": "off" })).await?.0, 200);
    app.wait_handed_on(aino_r.id, Duration::from_secs(15)).await?;
    assert_eq!(app.count("SELECT count(*) FROM handoffs WHERE status = 'offered'").await?, 0);
    assert!(kinds(&app, second.id).await?.contains(&"handoff_withdrawn".to_owned()));
    app.assert_open_counts_exact().await?;
    app.teardown().await
}
