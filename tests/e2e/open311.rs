//! Open311 GeoReport v2 (issue 20): an admin issues a city app a key; the
//! app lists the services, posts a request and gets its id with the named
//! owner's name at once; the request is a case with its topic, place and
//! district from the first second; the owner's reply and the resolution
//! come back as `status_notes` and `status`, with the owner as handler;
//! XML says the same as JSON; a revoked key is refused.

use std::time::Duration;

use batline_core::domain::{Channel, DutyStatus, Language, Role};
use serde_json::{Value, json};

use crate::support::{TestApp, TestResult};

/// Fleminginkatu by Helsinginkatu, in Kallio.
const KALLIO: (&str, &str) = ("60.1857", "24.9507");

async fn issue_key(app: &TestApp, name: &str) -> TestResult<(String, String)> {
    let admin = app.sign_in("hanna").await?;
    let (status, issued) = admin.post("/api/v1/open311/clients", json!({ "name": name })).await?;
    assert_eq!(status, 201, "{issued}");
    let key = issued["api_key"].as_str().unwrap_or_default().to_owned();
    assert_eq!(key.len(), 43);
    Ok((key, issued["client"]["id"].as_str().unwrap_or_default().to_owned()))
}

async fn get(app: &TestApp, path: &str) -> TestResult<(u16, String)> {
    let response = app.http.get(format!("{}/open311/v2/{path}", app.gateway)).send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

async fn get_json(app: &TestApp, path: &str) -> TestResult<(u16, Value)> {
    let (status, body) = get(app, path).await?;
    Ok((status, serde_json::from_str(&body)?))
}

async fn post(app: &TestApp, file: &str, form: &[(&str, &str)]) -> TestResult<(u16, String)> {
    let response = app.http.post(format!("{}/open311/v2/{file}", app.gateway)).form(form).send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

#[tokio::test]
async fn a_city_app_reports_and_follows_a_request_to_its_resolution() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    // Routers read the city's map when they start.
    app.restart_router().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("hanna", "Hanna", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("hanna", Role::Admin).await?;
    let (key, client_id) = issue_key(&app, "Palautesovellus").await?;

    // Discovery and services, in both formats.
    let (status, discovery) = get_json(&app, "discovery.json").await?;
    assert_eq!(status, 200);
    assert!(discovery["endpoints"][0]["url"].as_str().unwrap_or_default().ends_with("/open311/v2"));
    let (status, services) = get_json(&app, "services.json?locale=sv").await?;
    assert_eq!(status, 200);
    let streets = services.as_array().into_iter().flatten().find(|s| s["service_code"] == "streets");
    assert_eq!(streets.map(|s| s["service_name"].clone()), Some(json!("Gator och gatubelysning")), "{services}");
    let (status, xml) = get(&app, "services.xml").await?;
    assert_eq!(status, 200);
    let doc = roxmltree::Document::parse(&xml)?;
    assert_eq!(doc.root_element().tag_name().name(), "services");
    assert!(doc.descendants().any(|n| n.has_tag_name("service_code") && n.text() == Some("streets")));
    let (status, definition) = get_json(&app, "services/streets.json").await?;
    assert_eq!((status, definition["attributes"].clone()), (200, json!([])));
    let (status, missing) = get_json(&app, "services/nosuch.json").await?;
    assert_eq!((status, missing[0]["code"].clone()), (404, json!(404)));

    // Refusals take the specification's form, in the format asked for.
    let report = [
        ("service_code", "streets"),
        ("lat", KALLIO.0),
        ("long", KALLIO.1),
        ("description", "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa"),
        ("first_name", "Maija"),
        ("email", "maija@example.fi"),
    ];
    let (status, body) = post(&app, "requests.json", &report).await?;
    assert_eq!(status, 403, "no key: {body}");
    assert!(body.contains("api_key is missing"), "{body}");
    let (status, body) = post(&app, "requests.xml", &[("api_key", "wrong"), report[0], report[1]]).await?;
    assert_eq!(status, 403);
    let errors = roxmltree::Document::parse(&body)?;
    assert_eq!(errors.root_element().tag_name().name(), "errors");
    let (status, body) =
        post(&app, "requests.json", &[("api_key", &key), ("service_code", "streets"), report[3]]).await?;
    assert_eq!(status, 400);
    assert!(body.contains("a location is required"), "{body}");

    // The request: an id at once, and the owner's name in the notice.
    let mut form = vec![("api_key", key.as_str())];
    form.extend(report);
    let (status, body) = post(&app, "requests.json", &form).await?;
    assert_eq!(status, 200, "{body}");
    let posted: Value = serde_json::from_str(&body)?;
    let id = posted[0]["service_request_id"].as_str().unwrap_or_default().to_owned();
    assert!(!id.is_empty(), "filed within the wait: {posted}");
    let notice = posted[0]["service_notice"].as_str().unwrap_or_default();
    assert!(notice.contains("Aino") && notice.contains("/track/"), "{notice}");

    // The case: owned, its topic from the service, its place and district from the point.
    let case: batline_core::store::cases::Case =
        sqlx::query_as("SELECT * FROM cases WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    assert_eq!((case.channel, case.owner_id, case.topic.as_deref()), (Channel::Open311, aino.id, Some("streets")));
    assert!(case.area.is_some(), "a district from the point");
    assert!(case.location_label.as_deref().unwrap_or_default().contains("Kallio"), "{:?}", case.location_label);
    assert_eq!(case.location_by.as_deref(), Some("open311"));
    let stored_key: i64 = app.count("SELECT count(*) FROM intake WHERE raw ? 'api_key'").await?;
    assert_eq!(stored_key, 0, "the key is checked, never kept");
    // Nothing is sent: the post's answer named the owner.
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE direction = 'outbound'").await?, 0);

    // Read back: open, handled by Aino, nothing about the reporter.
    let (status, read) = get_json(&app, &format!("requests/{id}.json")).await?;
    assert_eq!(status, 200);
    let request = &read[0];
    assert_eq!((request["status"].clone(), request["agency_responsible"].clone()), (json!("open"), json!("Aino")));
    assert_eq!(request["service_code"], "streets");
    assert_eq!(request["lat"], json!(60.1857));
    assert!(request["requested_datetime"].as_str().unwrap_or_default().ends_with(":00"), "W3C with offset");
    assert!(!read.to_string().contains("maija"), "the reporter stays private: {read}");
    assert!(request.get("request_history").is_none(), "extensions only when asked");

    // The owner sees the reporter's contact on the timeline, replies and resolves.
    let console = app.sign_in("aino").await?;
    let (_, timeline) = console.get(&format!("/api/v1/cases/{}", case.id)).await?;
    assert!(timeline.to_string().contains("maija@example.fi"), "the owner sees how to reach the reporter");
    let (status, _) = console
        .post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Korjausryhmä on tilattu." }))
        .await?;
    assert_eq!(status, 201);
    let (_, read) = get_json(&app, &format!("requests/{id}.json?extensions=true")).await?;
    assert_eq!(read[0]["status_notes"], "Korjausryhmä on tilattu.");
    assert_eq!(read[0]["detailed_status"], "handling");
    let history: Vec<(String, String)> = read[0]["request_history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| (h["status"].as_str().unwrap_or_default().into(), h["handler"].as_str().unwrap_or_default().into()))
        .collect();
    assert_eq!(
        history,
        [("received".into(), String::new()), ("allocated".into(), "Aino".into()), ("handling".into(), "Aino".into())]
    );
    let (status, _) = console
        .post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "Lamppu vaihdettiin." }))
        .await?;
    assert_eq!(status, 200);
    let (_, read) = get_json(&app, &format!("requests/{id}.json?extensions=true&locale=en")).await?;
    assert_eq!(
        (read[0]["status"].clone(), read[0]["status_notes"].clone()),
        (json!("closed"), json!("Lamppu vaihdettiin."))
    );
    assert_eq!(read[0]["detailed_status"], "done");
    assert_eq!(read[0]["service_name"], "Streets and street lighting");

    // XML says the same.
    let (status, xml) = get(&app, &format!("requests/{id}.xml")).await?;
    assert_eq!(status, 200);
    let doc = roxmltree::Document::parse(&xml)?;
    let text = |name: &str| doc.descendants().find(|n| n.has_tag_name(name)).and_then(|n| n.text()).map(str::to_owned);
    assert_eq!(text("status").as_deref(), Some("closed"));
    assert_eq!(text("agency_responsible").as_deref(), Some("Aino"));

    // Lists with filters; a span over 90 days is refused.
    let (status, closed) = get_json(&app, "requests.json?status=closed&service_code=streets").await?;
    assert_eq!((status, closed.as_array().map(Vec::len)), (200, Some(1)));
    let (_, open) = get_json(&app, "requests.json?status=open").await?;
    assert_eq!(open, json!([]));
    let (status, refused) =
        get_json(&app, "requests.json?start_date=2026-01-01T00:00:00%2B02:00&end_date=2026-06-01T00:00:00%2B02:00")
            .await?;
    assert_eq!(status, 400, "{refused}");

    // A token leads to the id.
    let token: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM intake WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    let (status, found) = get_json(&app, &format!("tokens/{token}.json")).await?;
    assert_eq!((status, found[0]["service_request_id"].clone()), (200, json!(id)));

    // A revoked key is refused from then on.
    let admin = app.sign_in("hanna").await?;
    let (status, _) = admin.post(&format!("/api/v1/open311/clients/{client_id}/revoke"), json!({})).await?;
    assert_eq!(status, 204);
    let (status, _) = post(&app, "requests.json", &form).await?;
    assert_eq!(status, 403);
    app.teardown().await
}

#[tokio::test]
async fn a_request_by_address_finds_its_district_and_a_slow_router_gives_a_token() -> TestResult {
    let mut app = TestApp::spawn_with(crate::support::Options { routers: 0, ..Default::default() }).await?;
    app.load_helsinki_areas().await?;
    app.add_responder("aino", "Aino", &[Language::Sv], DutyStatus::OnDuty).await?;
    app.add_responder("hanna", "Hanna", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("hanna", Role::Admin).await?;
    let (key, _) = issue_key(&app, "Stadsappen").await?;
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "parks"),
        ("address_string", "Fleminggatan 12"),
        ("title", "Trasig bänk"),
        ("description", "Bänken i parken är trasig"),
        ("locale", "sv"),
    ];
    // No router runs: the answer is a token, and the token has no id yet.
    let (status, body) = post(&app, "requests.json", &form).await?;
    assert_eq!(status, 200, "{body}");
    let posted: Value = serde_json::from_str(&body)?;
    let token = posted[0]["token"].as_str().unwrap_or_default().to_owned();
    assert!(posted[0].get("service_request_id").is_none(), "{posted}");
    let (status, pending) = get_json(&app, &format!("tokens/{token}.json")).await?;
    assert_eq!((status, pending[0]["service_request_id"].clone()), (200, Value::Null));
    let (status, _) = get_json(&app, "tokens/not-a-token.json").await?;
    assert_eq!(status, 404);

    // A router comes; the request is filed with the district of the address.
    app.start_router().await?;
    let id = crate::support::eventually("the token's request id", Duration::from_secs(10), || async {
        let (_, found) = get_json(&app, &format!("tokens/{token}.json")).await?;
        Ok(found[0]["service_request_id"].as_str().map(str::to_owned))
    })
    .await?;
    let case: batline_core::store::cases::Case =
        sqlx::query_as("SELECT * FROM cases WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    assert_eq!((case.topic.as_deref(), case.language), (Some("parks"), Language::Sv));
    assert!(case.area.is_some() && case.location_label.as_deref().unwrap_or_default().contains("Fleminginkatu"));
    let (_, read) = get_json(&app, &format!("requests/{id}.json?extensions=true")).await?;
    assert_eq!(read[0]["title"], "Trasig bänk");
    assert_eq!(read[0]["address"], "Fleminggatan 12");
    app.teardown().await
}

/// The pinned `georeport` client (`scripts/test` installs it).
const GEOREPORT_VERSION: &str = "0.3.1";

/// Runs `tests/open311/client.py` with `args`; its output as JSON.
async fn client(args: &[&str]) -> TestResult<Value> {
    use anyhow::Context as _;
    let python = std::env::var_os("BATLINE_GEOREPORT_PYTHON").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(format!(".cache/batline/georeport-{GEOREPORT_VERSION}/bin/python"))
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/open311/client.py");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(&python).arg(script).args(args).kill_on_drop(true).output(),
    )
    .await
    .context("the Open311 client took over a minute")?
    .with_context(|| format!("running the Open311 client with {} (scripts/test installs it)", python.display()))?;
    anyhow::ensure!(out.status.success(), "the Open311 client failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[tokio::test]
async fn a_real_open311_client_files_a_request_and_sees_it_resolved() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    app.restart_router().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("hanna", "Hanna", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("hanna", Role::Admin).await?;
    let (key, _) = issue_key(&app, "Palautesovellus").await?;
    let base = format!("{}/open311/v2", app.gateway);

    let posted = client(&[&base, "post", &key, "snow", KALLIO.0, KALLIO.1, "Jalkakäytävä on auraamatta"]).await?;
    let id = posted[0]["service_request_id"].as_str().unwrap_or_default().to_owned();
    assert!(!id.is_empty(), "{posted}");
    let case: batline_core::store::cases::Case =
        sqlx::query_as("SELECT * FROM cases WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    assert_eq!(case.topic.as_deref(), Some("snow"));
    let aino = app.sign_in("aino").await?;
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "Aurattu aamulla." })).await?;
    assert_eq!(status, 200);

    let read = client(&[&base, "read", &id]).await?;
    assert!(read["service_codes"].as_array().is_some_and(|c| c.contains(&json!("snow"))), "{read}");
    assert_eq!(read["service_codes"], read["xml_service_codes"], "XML lists the same services");
    assert_eq!(read["definition"]["attributes"], json!([]));
    for form in ["request", "xml_request"] {
        let request = &read[form];
        assert_eq!(request["status"], "closed", "{form}: {request}");
        assert_eq!(request["agency_responsible"], "Aino", "{form}");
        assert_eq!(request["status_notes"], "Aurattu aamulla.", "{form}");
        assert_eq!(request["service_request_id"], json!(id), "{form}");
    }
    assert_eq!(read["closed"], json!([id]));
    assert_eq!(read["by_id"], json!([id]));
    app.teardown().await
}

/// An Open311 request's point gives its district before the owner is
/// chosen: the responder who knows that district and topic gets it.
#[tokio::test]
async fn an_open311_request_is_routed_by_its_point_and_service() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    app.restart_router().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    for (id, area, topic) in [(mikko.id, "Kallio", "streets"), (aino.id, "Vuosaari", "housing")] {
        sqlx::query("UPDATE responders SET areas = ARRAY[$2], topics = ARRAY[$3] WHERE id = $1")
            .bind(id)
            .bind(area)
            .bind(topic)
            .execute(&app.pool)
            .await?;
    }
    app.add_responder("hanna", "Hanna", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("hanna", Role::Admin).await?;
    let (key, _) = issue_key(&app, "Palautesovellus").await?;
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "streets"),
        ("lat", KALLIO.0),
        ("long", KALLIO.1),
        // Words that name no place: the point alone says where.
        ("description", "Lamppu ei pala"),
    ];
    // Sent twice with one Idempotency-Key, as an app retrying would: one request.
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = app
            .http
            .post(format!("{}/open311/v2/requests.json", app.gateway))
            .header("Idempotency-Key", "4b7d0c1e-retry")
            .form(&form)
            .send()
            .await?;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await?;
        answers.push(answer[0]["service_request_id"].clone());
    }
    assert_eq!(answers[0], answers[1], "the retry is the same request");
    let bad_key = app
        .http
        .post(format!("{}/open311/v2/requests.json", app.gateway))
        .header("Idempotency-Key", "two words")
        .form(&form)
        .send()
        .await?;
    assert_eq!(bad_key.status(), 400);
    let case: batline_core::store::cases::Case =
        sqlx::query_as("SELECT * FROM cases WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    assert_eq!((case.topic.as_deref(), case.area.as_deref()), (Some("streets"), Some("Kallio")));
    assert_eq!(case.owner_id, mikko.id, "the owner is chosen with the district and topic");
    app.teardown().await
}
