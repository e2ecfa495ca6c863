//! Walk-in desks end to end: a desk registers a ticket, the router names an
//! owner preferring someone on site, the printable ticket carries the code,
//! the owner's name and a QR code of the tracking address, and desk staff
//! never read a case's conversation.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Options, PUBLIC_URL, TestApp, TestResult, eventually};

const TICKETS: &str = "/api/v1/walk-in/tickets";

async fn assigned_reason(app: &TestApp, case_id: &str) -> TestResult<Value> {
    Ok(sqlx::query_scalar(
        "SELECT data FROM case_events WHERE case_id = $1::uuid AND kind = 'assigned' ORDER BY id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_one(&app.pool)
    .await?)
}

fn str_of<'a>(v: &'a Value, key: &str) -> TestResult<&'a str> {
    v[key].as_str().ok_or_else(|| anyhow::anyhow!("no {key} in {v}"))
}

/// Reads the QR code in the page's inline SVG the way a phone camera would:
/// rasterises the SVG's modules and decodes the picture with `rqrr`.
fn decode_qr(html: &str) -> TestResult<String> {
    let svg_start = html.find("<svg").ok_or_else(|| anyhow::anyhow!("no <svg> in the page"))?;
    let svg = &html[svg_start..];
    let view_box = svg.split("viewBox=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    let dims: Vec<usize> = view_box.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    let [_, _, width, height] = dims[..] else { anyhow::bail!("viewBox {view_box:?}") };
    let path = svg.split(" d=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    const SCALE: usize = 4;
    let (w, h) = (width * SCALE, height * SCALE);
    let mut pixels = vec![255u8; w * h];
    // The renderer writes each dark module as `M{x} {y}h{w}v{h}H{x}V{y}`.
    for rect in path.split('M').filter(|s| !s.is_empty()) {
        let numbers: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        let [x, y, rw, rh, ..] = numbers[..] else { anyhow::bail!("unreadable path segment {rect:?}") };
        for py in y * SCALE..(y + rh) * SCALE {
            for px in x * SCALE..(x + rw) * SCALE {
                pixels[py * w + px] = 0;
            }
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = image.detect_grids();
    let grid = grids.first().ok_or_else(|| anyhow::anyhow!("no QR code found in the SVG"))?;
    let (_, content) = grid.decode().map_err(|e| anyhow::anyhow!("QR code does not decode: {e:?}"))?;
    Ok(content)
}

#[tokio::test]
async fn a_ticket_goes_to_the_responder_on_site_and_prints_code_owner_and_qr() -> TestResult {
    let app = TestApp::spawn().await?;
    let kallio = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_home_point(aino.id, kallio).await?;
    app.add_desk("veera", "Veera", kallio).await?;
    // Aino already has a case; Mikko, who works elsewhere, has none.
    app.text("+358401700001", "Katuvalo on rikki").await?;
    app.wait_for_cases("+358401700001", 1, Duration::from_secs(10)).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;

    let desk = app.sign_in("veera").await?;
    let (status, ticket) =
        desk.post(TICKETS, json!({ "about": "Leikkipuiston keinu on rikki", "language": "fi" })).await?;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["status"], "filed");
    assert_eq!(ticket["owner_name"], "Aino");
    assert_eq!(ticket["point_name"], "Batcave Kallio");
    let code = str_of(&ticket, "tracking_code")?;
    let case_id = str_of(&ticket, "case_id")?;

    // Aino was preferred over the less loaded Mikko because she is on site,
    // and the desk person, on duty at the very point, was never considered.
    let reason = assigned_reason(&app, case_id).await?;
    assert_eq!(reason["rule"], "eligible");
    assert_eq!(reason["decided_by"], "at_walk_in_point");
    let considered: Vec<&str> =
        reason["candidates"].as_array().into_iter().flatten().filter_map(|c| c["name"].as_str()).collect();
    assert!(considered.contains(&"Aino") && considered.contains(&"Mikko"), "{considered:?}");
    assert!(!considered.contains(&"Veera"), "{considered:?}");
    let case: (String, Option<String>, String) =
        sqlx::query_as("SELECT channel, area, language FROM cases WHERE id = $1::uuid")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(case, ("walk_in".to_owned(), Some("Kallio".to_owned()), "fi".to_owned()));
    // Where the case is: where the resident stood, the point's address.
    let place: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT location_label, location_by FROM cases WHERE id = $1::uuid")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(place, (Some("Batcave Kallio school".to_owned()), Some("walk_in_point".to_owned())));

    // The printable ticket: opened in a browser tab, without a session.
    let ticket_url = format!("{}{}", app.console, str_of(&ticket, "ticket_url")?);
    let page = app.http.get(&ticket_url).send().await?;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let html = page.text().await?;
    let tracking_url = format!("{PUBLIC_URL}/track/{code}");
    assert!(html.contains(code) && html.contains("Aino") && html.contains("Batcave Kallio"), "{html}");
    assert!(html.contains(&format!("href=\"{tracking_url}\"")), "{html}");
    assert!(html.contains("lang=\"fi\"") && html.contains("/assets/ticket.css?v="));
    let css = app.http.get(format!("{}/assets/ticket.css", app.console)).send().await?.text().await?;
    assert!(css.contains("@media print") && css.contains("size: A6"), "the ticket prints on an A6 slip");
    assert!(!html.contains("keinu"), "what the resident came about is not printed");
    assert_eq!(decode_qr(&html)?, tracking_url);
    assert_eq!(app.http.get(format!("{}/walk-in/tickets/{}", app.console, Uuid::new_v4())).send().await?.status(), 404);

    // No phone, no SMS: nothing queued, nothing failed.
    app.sandbox.wait_for_sms_to("+358401700001", 1, Duration::from_secs(10)).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let outbound = app
        .count(&format!("SELECT count(*) FROM messages WHERE case_id = '{case_id}' AND direction = 'outbound'"))
        .await?;
    assert_eq!(outbound, 0);
    assert_eq!(app.count("SELECT count(*) FROM case_events WHERE kind = 'delivery_failed'").await?, 0);
    assert_eq!(app.sandbox.sent().len(), 1, "only the texting resident's auto-reply");

    // Aino sees the visit in her case's conversation; the desk cannot.
    let (status, detail) = app.sign_in("aino").await?.get(&format!("/api/v1/cases/{case_id}")).await?;
    assert_eq!(status, 200);
    assert_eq!(detail["messages"][0]["channel"], "walk_in");
    assert_eq!(detail["messages"][0]["body"], "Leikkipuiston keinu on rikki");
    let (status, refused) = desk.get(&format!("/api/v1/cases/{case_id}")).await?;
    assert_eq!(status, 403, "{refused}");
    assert!(!refused.to_string().contains("keinu"));
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

#[tokio::test]
async fn with_a_phone_the_resident_gets_an_sms_receipt_and_a_second_visit_joins_the_case() -> TestResult {
    let app = TestApp::spawn().await?;
    let point = app.add_walk_in_point("Batcave Vuosaari", "Vuosaari").await?;
    let linnea = app.add_responder("linnea", "Linnea", &[Language::Sv, Language::Fi], DutyStatus::OnDuty).await?;
    app.set_home_point(linnea.id, point).await?;
    app.add_desk("veera", "Veera", point).await?;
    let desk = app.sign_in("veera").await?;

    let (status, ticket) = desk
        .post(
            TICKETS,
            json!({ "about": "Gatlyktan är trasig", "language": "sv", "phone": "+358 40 170 0002", "topic": "streets" }),
        )
        .await?;
    assert_eq!(status, 201, "{ticket}");
    let code = str_of(&ticket, "tracking_code")?;
    let sms = app.sandbox.wait_for_sms_to("+358401700002", 1, Duration::from_secs(10)).await?;
    assert_eq!(
        sms[0].body,
        format!(
            "Helsingfors stad: Tack för besöket (Batcave Vuosaari). Ditt ärende {code} sköts av Linnea, \
             som hör av sig till dig. Följ: {PUBLIC_URL}/track/{code}"
        )
    );
    let topic: Option<String> =
        sqlx::query_scalar("SELECT topic FROM cases WHERE tracking_code = $1").bind(code).fetch_one(&app.pool).await?;
    assert_eq!(topic.as_deref(), Some("streets"));

    // The same resident comes again while the case is open: it joins the case.
    let (status, again) = desk
        .post(TICKETS, json!({ "about": "Den är fortfarande trasig", "language": "sv", "phone": "+358401700002" }))
        .await?;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["case_id"], ticket["case_id"]);
    assert_eq!(again["tracking_code"], code);
    assert_eq!(app.cases_of("+358401700002").await?.len(), 1);
    app.sandbox.wait_for_sms_to("+358401700002", 2, Duration::from_secs(10)).await?;
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM case_events WHERE case_id = $1::uuid ORDER BY id")
        .bind(str_of(&ticket, "case_id")?)
        .fetch_all(&app.pool)
        .await?;
    assert_eq!(kinds[..4], ["opened", "auto_classified", "assigned", "resident_message"]);
    app.teardown().await
}

#[tokio::test]
async fn a_returning_resident_without_a_phone_is_found_by_code_and_continues_the_case() -> TestResult {
    let app = TestApp::spawn().await?;
    let kallio = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    let elsewhere = app.add_walk_in_point("Batcave Vuosaari", "Vuosaari").await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    app.set_home_point(aino.id, kallio).await?;
    app.add_desk("veera", "Veera", kallio).await?;
    let desk = app.sign_in("veera").await?;
    let (status, first) = desk.post(TICKETS, json!({ "about": "The bench is broken", "language": "en" })).await?;
    assert_eq!(status, 201, "{first}");
    let code = str_of(&first, "tracking_code")?;

    // Any desk finds the case by its code, typed loosely, and sees only the
    // public tracking information.
    let (status, found) = desk.get(&format!("/api/v1/walk-in/cases/{}", code.to_lowercase().replace('-', ""))).await?;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["tracking_code"], code);
    assert_eq!(found["status"], "open");
    assert_eq!(found["owner_name"], "Aino");
    assert_eq!(found["walk_in_point"]["name"], "Batcave Kallio");
    assert!(found.get("messages").is_none() && !found.to_string().contains("bench"));
    assert_eq!(desk.get("/api/v1/walk-in/cases/ZZZZ-ZZZZ").await?.0, 404);

    // The follow-up joins the open case, in its language.
    let (status, follow) =
        desk.post(TICKETS, json!({ "tracking_code": code, "about": "Still broken", "point_id": elsewhere })).await?;
    assert_eq!(status, 201, "{follow}");
    assert_eq!(follow["case_id"], first["case_id"]);
    let case_id = str_of(&first, "case_id")?;
    let inbound = app
        .count(&format!(
            "SELECT count(*) FROM messages WHERE case_id = '{case_id}' AND direction = 'inbound' AND channel = 'walk_in'"
        ))
        .await?;
    assert_eq!(inbound, 2);
    let follow_page =
        app.http.get(format!("{}{}", app.console, str_of(&follow, "ticket_url")?)).send().await?.text().await?;
    assert!(follow_page.contains("lang=\"en\"") && follow_page.contains(code));

    // Once resolved, coming back opens a new case with the previous owner,
    // even at a point where she does not work and someone else is idle.
    let aino_console = app.sign_in("aino").await?;
    let (status, _) =
        aino_console.post(&format!("/api/v1/cases/{case_id}/resolve"), json!({ "summary": "Fixed." })).await?;
    assert_eq!(status, 200);
    app.add_responder("mikko", "Mikko", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    let (status, reopened) =
        desk.post(TICKETS, json!({ "tracking_code": code, "about": "Broken again", "point_id": elsewhere })).await?;
    assert_eq!(status, 201, "{reopened}");
    assert_ne!(reopened["case_id"], first["case_id"]);
    assert_eq!(reopened["owner_name"], "Aino");
    let reason = assigned_reason(&app, str_of(&reopened, "case_id")?).await?;
    assert_eq!(reason["decided_by"], "previous_responder");
    app.teardown().await
}

#[tokio::test]
async fn desks_register_and_look_up_but_never_read_or_own_cases() -> TestResult {
    let app = TestApp::spawn().await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::Off).await?;
    app.add_desk("veera", "Veera", point).await?;
    let (desk, responder) = (app.sign_in("veera").await?, app.sign_in("aino").await?);
    let ticket = json!({ "about": "Roskis on täynnä", "language": "fi" });

    // Nobody who owns cases is on duty; the desk person on duty at the very
    // point still does not get it: the backstop does.
    let (status, filed) = desk.post(TICKETS, ticket.clone()).await?;
    assert_eq!(status, 201, "{filed}");
    assert_eq!(filed["owner_name"], "Pormestari");
    assert_eq!(assigned_reason(&app, str_of(&filed, "case_id")?).await?["rule"], "backstop");

    let case_id = str_of(&filed, "case_id")?;
    assert_eq!(desk.get(&format!("/api/v1/cases/{case_id}")).await?.0, 403);
    assert_eq!(desk.get(&format!("/api/v1/cases/{}", Uuid::new_v4())).await?.0, 403);
    let anonymous = app.http.get(format!("{}/api/v1/cases/{case_id}", app.console)).send().await?;
    assert_eq!(anonymous.status(), 401);
    let anonymous = app.http.post(format!("{}{TICKETS}", app.console)).json(&ticket).send().await?;
    assert_eq!(anonymous.status(), 401);
    let code = str_of(&filed, "tracking_code")?;
    assert_eq!(app.http.get(format!("{}/api/v1/walk-in/cases/{code}", app.console)).send().await?.status(), 401);

    // Responders work cases; registering tickets is not theirs to do.
    assert_eq!(responder.post(TICKETS, ticket.clone()).await?.0, 403);
    assert_eq!(responder.get(&format!("/api/v1/walk-in/cases/{code}")).await?.0, 403);
    // Nor can a case be handed to a desk person.
    let mayor = app.sign_in("backstop").await?;
    let (status, refused) =
        mayor.post(&format!("/api/v1/cases/{case_id}/reassign"), json!({ "to": "veera", "note": "please" })).await?;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 1);
    app.teardown().await
}

#[tokio::test]
async fn a_retried_registration_with_the_same_idempotency_key_is_one_case() -> TestResult {
    let app = TestApp::spawn().await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_desk("veera", "Veera", point).await?;
    let desk = app.sign_in("veera").await?;
    let key = ("Idempotency-Key", "6f1c2a0e-desk-retry");
    let body = json!({ "about": "Katu on jäinen", "language": "fi" });

    // Two copies at once (a double click), then a retry after a lost answer.
    let (a, b) = tokio::join!(
        desk.post_with_header(TICKETS, key, body.clone()),
        desk.post_with_header(TICKETS, key, body.clone())
    );
    let (a, b) = (a?, b?);
    let c = desk.post_with_header(TICKETS, key, body.clone()).await?;
    for (status, answer) in [&a, &b, &c] {
        assert_eq!(*status, 201, "{answer}");
        assert_eq!(answer["ticket_id"], a.1["ticket_id"]);
        assert_eq!(answer["case_id"], a.1["case_id"]);
    }
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 1);
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 1);
    assert_eq!(app.count("SELECT count(*) FROM walk_in_tickets").await?, 1);

    // The same key for a different visit is a client bug, said out loud.
    let (status, conflict) =
        desk.post_with_header(TICKETS, key, json!({ "about": "Toinen asia", "language": "fi" })).await?;
    assert_eq!(status, 409, "{conflict}");
    // Without a key, or with another one, each registration is a visit.
    assert_eq!(desk.post_with_header(TICKETS, ("Idempotency-Key", "another"), body.clone()).await?.0, 201);
    assert_eq!(desk.post(TICKETS, json!({ "about": "Kolmas asia", "language": "fi" })).await?.0, 201);
    assert_eq!(app.count("SELECT count(*) FROM walk_in_tickets").await?, 3);
    app.teardown().await
}

#[tokio::test]
async fn bad_tickets_are_refused_with_a_clear_message() -> TestResult {
    let app = TestApp::spawn().await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_desk("veera", "Veera", point).await?;
    app.add_responder("lead", "Lead", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE username = 'lead'").execute(&app.pool).await?;
    let (desk, lead) = (app.sign_in("veera").await?, app.sign_in("lead").await?);

    let cases: &[(Value, u16, &str)] = &[
        (json!({ "about": "x", "language": "de" }), 422, "fi, sv or en"),
        (json!({ "about": "x" }), 422, "language is required"),
        // A Finnish number written as Finns write it (040 …) is taken, by the
        // one rule set of `batline_core::phone`; a country code starting
        // with 0 is not.
        (json!({ "about": "x", "language": "fi", "phone": "+0401234567" }), 422, "country code"),
        (json!({ "about": "x", "language": "fi", "phone": "+358 40 abc" }), 422, "country code"),
        (json!({ "about": "   ", "language": "fi" }), 422, "about is empty"),
        (json!({ "about": "x".repeat(2001), "language": "fi" }), 422, "the most is 2000"),
        (json!({ "about": "x", "language": "fi", "topic": "t".repeat(65) }), 422, "topic"),
        // Topics come from the service catalogue, not free text.
        (json!({ "about": "x", "language": "fi", "topic": "Puiston penkki" }), 422, "service catalogue"),
        (json!({ "about": "x", "language": "fi", "point_id": Uuid::new_v4() }), 422, "no walk-in point"),
        (json!({ "about": "x", "tracking_code": "ZZZZ-ZZZZ" }), 404, "tracking code"),
        (json!({ "about": "x", "tracking_code": "K7QD-4M2" }), 422, "not a tracking code"),
        (json!({ "about": "x", "language": "fi", "colour": "red" }), 422, "unknown field"),
    ];
    for (body, want, says) in cases {
        let (status, answer) = desk.post(TICKETS, body.clone()).await?;
        assert_eq!(status, *want, "{body} -> {answer}");
        let detail = answer["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(says), "{body} -> {detail:?} should say {says:?}");
    }
    // A lead has no home point: they must say where.
    let (status, answer) = lead.post(TICKETS, json!({ "about": "x", "language": "fi" })).await?;
    assert_eq!(status, 422);
    assert!(answer["detail"].as_str().unwrap_or_default().contains("point_id"));
    let (status, answer) = desk
        .post_with_header(TICKETS, ("Idempotency-Key", "has spaces"), json!({ "about": "x", "language": "fi" }))
        .await?;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 0, "nothing refused was stored");
    app.teardown().await
}

#[tokio::test]
async fn without_a_router_the_ticket_is_kept_and_the_page_waits_for_an_owner() -> TestResult {
    let mut app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_desk("veera", "Veera", point).await?;
    let desk = app.sign_in("veera").await?;
    let (status, pending) = desk.post(TICKETS, json!({ "about": "Silta on rikki", "language": "fi" })).await?;
    assert_eq!(status, 202, "{pending}");
    assert_eq!(pending["status"], "pending");
    assert!(pending.get("tracking_code").is_none());
    let url = format!("{}{}", app.console, str_of(&pending, "ticket_url")?);
    let waiting = app.http.get(&url).send().await?.text().await?;
    assert!(waiting.contains("http-equiv=\"refresh\"") && waiting.contains("nimetään"), "{waiting}");
    assert!(!waiting.contains("<svg"));

    app.start_router().await?;
    let html = eventually("the ticket to get an owner", Duration::from_secs(15), || async {
        let html = app.http.get(&url).send().await?.text().await?;
        Ok((!html.contains("http-equiv=\"refresh\"")).then_some(html))
    })
    .await?;
    let code: String = sqlx::query_scalar("SELECT tracking_code FROM cases").fetch_one(&app.pool).await?;
    assert!(html.contains(&code) && html.contains("Aino"));
    assert_eq!(decode_qr(&html)?, format!("{PUBLIC_URL}/track/{code}"));
    app.teardown().await
}
