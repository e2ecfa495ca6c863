//! What a case is about, where and how urgent: the service catalogue's
//! topics (read by all staff, changed by admins, versions kept), and the
//! owner's or a lead's classification of a case from the city's lists, on
//! the timeline, in the case page's words.

use std::time::Duration;

use batline_core::{
    domain::{DutyStatus, Language, Role},
    store,
};
use serde_json::json;

use crate::support::{TestApp, TestResult, eventually};

const RESIDENT: &str = "+358405550401";

#[tokio::test]
async fn the_owner_classifies_a_case_from_the_catalogue_and_the_timeline_says_what_changed() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::Off).await?;
    app.add_responder("hanna", "Hanna", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("hanna", Role::Admin).await?;
    app.text(RESIDENT, "Puistossa on kaatunut puu").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let (aino, mikko, hanna) = (app.sign_in("aino").await?, app.sign_in("mikko").await?, app.sign_in("hanna").await?);

    // Everyone signed in reads the catalogue, in its order, with three names each.
    let (status, topics) = mikko.get("/api/v1/topics").await?;
    assert_eq!(status, 200, "{topics}");
    let codes: Vec<&str> = topics.as_array().into_iter().flatten().filter_map(|t| t["code"].as_str()).collect();
    assert_eq!(codes, ["streets", "parks", "waste", "snow", "stops", "noise", "schools", "health", "housing", "other"]);
    assert_eq!(
        (topics[1]["name_fi"].as_str(), topics[1]["name_sv"].as_str()),
        (Some("Puistot ja viheralueet"), Some("Parker och grönområden"))
    );

    // The owner classifies; the case and its timeline say so.
    let path = format!("/api/v1/cases/{}/classification", case.id);
    let (status, classified) =
        aino.put(&path, json!({ "topic": "parks", "area": "Kallio", "priority": "high" })).await?;
    assert_eq!(status, 200, "{classified}");
    assert_eq!(
        (classified["topic"].as_str(), classified["area"].as_str(), classified["priority"].as_str()),
        (Some("parks"), Some("Kallio"), Some("high"))
    );
    let (_, detail) = aino.get(&format!("/api/v1/cases/{}", case.id)).await?;
    let events: Vec<&serde_json::Value> =
        detail["timeline"].as_array().into_iter().flatten().filter(|e| e["kind"] == "classified").collect();
    assert_eq!(events.len(), 1, "{detail}");
    // Filing heard the park in the resident's words already.
    assert_eq!(events[0]["data"]["previous"], json!({ "topic": "parks", "area": null, "priority": "normal" }));
    // The same again changes nothing and adds nothing.
    let (status, _) = aino.put(&path, json!({ "topic": "parks", "area": "Kallio", "priority": "high" })).await?;
    assert_eq!(status, 200);
    let (_, detail) = aino.get(&format!("/api/v1/cases/{}", case.id)).await?;
    assert_eq!(detail["timeline"].as_array().into_iter().flatten().filter(|e| e["kind"] == "classified").count(), 1);

    // Free text is not a topic; another responder's case is not mine.
    let (status, refused) =
        aino.put(&path, json!({ "topic": "Puiston penkki", "area": null, "priority": "normal" })).await?;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["detail"].as_str().unwrap_or_default().contains("service catalogue"), "{refused}");
    let (status, _) = aino.put(&path, json!({ "topic": "parks", "area": null, "priority": "sometime" })).await?;
    assert_eq!(status, 422, "an unknown priority");
    let (status, _) = mikko.put(&path, json!({ "topic": "waste", "area": null, "priority": "normal" })).await?;
    assert_eq!(status, 403);

    // The admin renames a topic (a new version) and retires another; others may not.
    let (status, _) = aino
        .post(
            "/api/v1/topics",
            json!({ "code": "graffiti", "name_fi": "Töhryt", "name_sv": "Klotter", "name_en": "Graffiti" }),
        )
        .await?;
    assert_eq!(status, 403);
    let (status, added) = hanna
        .post("/api/v1/topics", json!({ "code": "graffiti", "position": 65, "name_fi": "Töhryt", "name_sv": "Klotter", "name_en": "Graffiti" }))
        .await?;
    assert_eq!(status, 201, "{added}");
    let (status, _) = hanna
        .post("/api/v1/topics", json!({ "code": "graffiti", "name_fi": "x", "name_sv": "x", "name_en": "x" }))
        .await?;
    assert_eq!(status, 409, "a code is taken once");
    let (status, _) = hanna
        .post("/api/v1/topics", json!({ "code": "Bad Code", "name_fi": "x", "name_sv": "x", "name_en": "x" }))
        .await?;
    assert_eq!(status, 422);
    let renamed = json!({ "name_fi": "Puistot", "name_sv": "Parker", "name_en": "Parks", "retired": false });
    let (status, parks) = hanna.put("/api/v1/topics/parks", renamed.clone()).await?;
    assert_eq!((status, parks["version"].as_i64(), parks["name_en"].as_str()), (200, Some(2), Some("Parks")));
    let (_, parks) = hanna.put("/api/v1/topics/parks", renamed).await?;
    assert_eq!(parks["version"].as_i64(), Some(2), "the same words again are no new version");
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM topic_versions WHERE code = 'parks'").fetch_one(&app.pool).await?;
    assert_eq!(versions, 2, "the first version is kept");
    let retire = json!({ "name_fi": "Puistot", "name_sv": "Parker", "name_en": "Parks", "retired": true });
    let (status, retired) = hanna.put("/api/v1/topics/parks", retire).await?;
    assert_eq!((status, retired["retired_at"].is_string()), (200, true), "{retired}");
    // A case keeps a retired topic; no case gets it anew.
    let (status, _) = aino.put(&path, json!({ "topic": "parks", "area": "Kallio", "priority": "urgent" })).await?;
    assert_eq!(status, 200, "the case keeps its topic");
    let (status, _) = aino.put(&path, json!({ "topic": "graffiti", "area": "Kallio", "priority": "urgent" })).await?;
    assert_eq!(status, 200);
    let (status, _) = aino.put(&path, json!({ "topic": "parks", "area": "Kallio", "priority": "urgent" })).await?;
    assert_eq!(status, 422, "a retired topic is not offered again");
    let (status, _) =
        hanna.put("/api/v1/topics/nothing", json!({ "name_fi": "x", "name_sv": "x", "name_en": "x" })).await?;
    assert_eq!(status, 404);
    app.teardown().await
}

/// An SMS naming a broken street light at a street corner is filed with its
/// topic and district, and the owner chosen with them from the first second;
/// danger words make a case urgent; a person's change of what filing heard
/// is counted as a correction.
#[tokio::test]
async fn filing_hears_topic_district_and_danger_in_the_residents_words() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    // The routers read the map at start.
    app.restart_router().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    // Mikko knows Kallio and its streets; Aino knows neither.
    sqlx::query("UPDATE responders SET areas = '{Kallio}', topics = '{streets}' WHERE id = $1")
        .bind(mikko.id)
        .execute(&app.pool)
        .await?;
    sqlx::query("UPDATE responders SET areas = '{Vuosaari}', topics = '{housing}' WHERE id = $1")
        .bind(aino.id)
        .execute(&app.pool)
        .await?;

    app.text(RESIDENT, "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!((case.topic.as_deref(), case.area.as_deref()), (Some("streets"), Some("Kallio")));
    assert_eq!(case.owner_id, mikko.id, "the owner is chosen with the topic and district");
    let heard: serde_json::Value =
        sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'auto_classified'")
            .bind(case.id)
            .fetch_one(&app.pool)
            .await?;
    assert!(heard["topic_words"].as_array().is_some_and(|w| !w.is_empty()), "{heard}");
    assert!(heard["place_words"].as_array().is_some_and(|w| !w.is_empty()), "{heard}");

    // Danger words: urgent from the first second.
    const OTHER: &str = "+358405550402";
    app.text(OTHER, "Rappukäytävässä haisee voimakkaasti kaasu, mitä teen").await?;
    let urgent = app.wait_for_cases(OTHER, 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(urgent.priority.as_str(), "urgent");

    // The owner changes the district filing heard: a counted correction.
    let mikko_console = app.sign_in("mikko").await?;
    let path = format!("/api/v1/cases/{}/classification", case.id);
    let (status, _) =
        mikko_console.put(&path, json!({ "topic": "streets", "area": "Kallio", "priority": "normal" })).await?;
    assert_eq!(status, 200);
    let (status, refused) =
        mikko_console.put(&path, json!({ "topic": "streets", "area": "Atlantis", "priority": "normal" })).await?;
    assert_eq!(status, 422, "not a district: {refused}");
    let (status, _) =
        mikko_console.put(&path, json!({ "topic": "snow", "area": "Sörnäinen", "priority": "normal" })).await?;
    assert_eq!(status, 200);
    let corrected: serde_json::Value = sqlx::query_scalar(
        "SELECT data FROM case_events WHERE case_id = $1 AND kind = 'classified' ORDER BY id DESC LIMIT 1",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(
        (corrected["corrects_heard_topic"].as_bool(), corrected["corrects_heard_area"].as_bool()),
        (Some(true), Some(true))
    );

    // The mayor's dashboard counts it: the one district filing heard was changed.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&http, &app.console, "backstop").await?;
    let page = http.get(format!("{}/dashboard", app.console)).header("Cookie", &cookie).send().await?;
    assert_eq!(page.status(), 200);
    let page = page.text().await?;
    assert!(page.contains(r#"data-figure="areas_kept">0 % (0"#), "{page}");
    app.teardown().await
}

/// A first message that says neither what nor where leaves the case
/// unclassified; a later message that says both fills them in, and says so
/// on the timeline. What the case already has is not changed by what a
/// later message seems to say.
#[tokio::test]
async fn a_follow_up_message_tells_an_unclassified_case_what_and_where() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    app.restart_router().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    app.text(RESIDENT, "Hei, voisitteko auttaa").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!((case.topic.as_deref(), case.area.as_deref()), (None, None), "nothing said yet");

    app.text(RESIDENT, "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa").await?;
    let filled = eventually("the case filled in", Duration::from_secs(10), || async {
        let case = store::cases::get(&app.pool, case.id).await?;
        Ok(case.filter(|c| c.area.is_some()))
    })
    .await?;
    assert_eq!((filled.topic.as_deref(), filled.area.as_deref()), (Some("streets"), Some("Kallio")));
    assert_eq!(filled.owner_id, case.owner_id, "the owner stays");
    let heard: serde_json::Value = sqlx::query_scalar(
        "SELECT data FROM case_events WHERE case_id = $1 AND kind = 'auto_classified' AND data ? 'follow_up'",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!((heard["area"].as_str(), heard["follow_up"].as_bool()), (Some("Kallio"), Some(true)), "{heard}");

    // A third message naming somewhere else changes nothing.
    app.text(RESIDENT, "Myös Vuosaaressa Kallvikintiellä on lunta").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let after = store::cases::get(&app.pool, case.id).await?.ok_or_else(|| anyhow::anyhow!("the case went"))?;
    assert_eq!((after.topic.as_deref(), after.area.as_deref()), (Some("streets"), Some("Kallio")));
    let follow_ups = "SELECT count(*) FROM case_events WHERE kind = 'auto_classified' AND data ? 'follow_up'";
    assert_eq!(app.count(follow_ups).await?, 1);
    app.teardown().await
}

/// Where a case is: filing keeps the place the resident's words named with
/// confidence; the owner sets it by typing an address on the case page, the
/// district following it; an address the map cannot place for sure is
/// refused in the reader's language and changes nothing.
#[tokio::test]
async fn a_case_knows_its_place_from_the_words_or_from_an_address_typed() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    app.restart_router().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    app.text(RESIDENT, "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let case = store::cases::get(&app.pool, case.id).await?.ok_or_else(|| anyhow::anyhow!("no case"))?;
    assert_eq!(case.location_by.as_deref(), Some("text"));
    assert!(case.location_label.as_deref().is_some_and(|l| l.contains("Fleminginkatu")), "{case:?}");
    assert!(case.location_lon.is_some_and(|lon| (24.9..25.0).contains(&lon)), "{case:?}");

    // The owner types another address on the case page.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&http, &app.console, "aino").await?;
    let page = http.get(format!("{}/cases/{}", app.console, case.id)).header("Cookie", &cookie).send().await?;
    let page = page.text().await?;
    assert!(page.contains("Fleminginkatu") && page.contains("asukkaan viestistä"), "the place and how it is known");
    assert!(page.contains("aihe Kadut ja katuvalaistus (0,"), "the timeline names the topic, not its code");
    let csrf = page
        .split(r#"<meta name="csrf-token" content=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("no CSRF token"))?
        .to_owned();
    let locate = |address: &'static str| {
        http.post(format!("{}/cases/{}/locate", app.console, case.id))
            .header("Cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("address", address)])
            .send()
    };
    let refused = locate("jossain tuolla").await?;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await?.contains("ei löytynyt kaupungin kartalta varmasti"));
    let set = locate("Mannerheimintie 5").await?;
    assert_eq!(set.status(), 303, "{:?}", set.text().await);
    let moved = store::cases::get(&app.pool, case.id).await?.ok_or_else(|| anyhow::anyhow!("no case"))?;
    assert_eq!((moved.location_by.as_deref(), moved.area.as_deref()), (Some("responder"), Some("Kluuvi")));
    let located: serde_json::Value =
        sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'located'")
            .bind(case.id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(located["previous"]["area"], "Kallio", "{located}");

    // Kept in PostgreSQL: a restarted router changes nothing of it, and the
    // case page still says where the case is.
    app.restart_router().await?;
    let after = store::cases::get(&app.pool, case.id).await?.ok_or_else(|| anyhow::anyhow!("no case"))?;
    assert_eq!((after.location_label, after.area), (moved.location_label, moved.area));
    let page = http.get(format!("{}/cases/{}", app.console, case.id)).header("Cookie", &cookie).send().await?;
    assert!(page.text().await?.contains("Mannerheimintie 5 (vastaajan kirjoittama)"));
    app.teardown().await
}
