//! The administration pages in a real browser (tests/browser/admin.mjs),
//! checked afterwards against the database, and the canned-replies JSON API.

use batline_core::{
    domain::{DutyStatus, Language, Role},
    password,
    store::{self, responders::Responder},
};
use chrono::{Days, NaiveTime, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    browser,
    support::{PASSWORD, TestApp, TestResult},
};

/// The seeded English canned reply the browser archives.
const LOOKING_INTO_IT: &str = "7f0c1a52-0001-4a00-8000-000000000003";

async fn make(app: &TestApp, username: &str, role: Role) -> TestResult<Responder> {
    let r = app.add_responder(username, username, &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = $2 WHERE id = $1").bind(r.id).bind(role).execute(&app.pool).await?;
    Ok(r)
}

#[tokio::test]
async fn an_admin_runs_the_admin_pages_in_the_browser() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = make(&app, "hanna", Role::Admin).await?;
    let aino = make(&app, "aino", Role::Responder).await?;
    // Areas are chosen from the city's districts.
    app.load_helsinki_areas().await?;
    // Two days ahead (Helsinki): among the coming week's shifts whatever the
    // time of day, and never started, since the routers' clock stands still.
    let day = Utc::now()
        .with_timezone(&batline_core::roster::TZ)
        .date_naive()
        .checked_add_days(Days::new(2))
        .ok_or_else(|| anyhow::anyhow!("no day after today"))?;
    let new_password = "uusi salasana 4321";
    browser::run(
        "admin.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("ADMIN", "hanna".to_owned()),
            ("RESPONDER", "aino".to_owned()),
            ("NEW_USER", "kaisa".to_owned()),
            ("NEW_PASSWORD", new_password.to_owned()),
            ("ROSTER_DATE", day.format("%Y-%m-%d").to_string()),
        ],
    )
    .await?;

    // The walk-in point, with its hours as typed.
    let point = store::walk_in_points::by_name(&app.pool, "Batcave Vallila")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the walk-in point was not stored"))?;
    assert_eq!((point.address.as_str(), point.area.as_str()), ("Vallilan koulu, Vallilantie 1", "Vallila"));
    let hours = serde_json::to_value(&point.opening_hours)?;
    assert_eq!(hours["fri"], json!([["08:00", "16:00"]]));
    assert_eq!(hours["sat"], json!([["10:00", "14:00"]]));
    assert!(hours.get("sun").is_none(), "{hours}");
    assert_eq!(app.count("SELECT count(*) FROM walk_in_points").await?, 1, "the refused try stored nothing");

    // The responder as added and then edited.
    let kaisa = store::responders::by_username(&app.pool, "kaisa")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the responder was not added"))?;
    assert_eq!(kaisa.display_name, "Kaisa");
    assert_eq!(kaisa.languages, ["fi", "en"]);
    // As the boxes stand on the form: by name.
    assert_eq!(kaisa.areas, ["Kallio", "Vallila"]);
    // In the catalogue's order, as the boxes stand on the form.
    assert_eq!(kaisa.topics, ["streets", "parks"]);
    assert_eq!((kaisa.capacity, kaisa.role, kaisa.duty_status), (8, Role::Lead, DutyStatus::Off));
    assert_eq!(kaisa.phone, None, "emptying the phone field removed the phone");
    assert_eq!(kaisa.home_point_id, Some(point.id));
    assert!(password::verify(new_password, &kaisa.password_hash)?, "the password was reset");
    assert!(!password::verify("alkusalasana 2026", &kaisa.password_hash)?);
    assert_eq!(app.count("SELECT count(*) FROM responders WHERE is_backstop").await?, 1);
    let backstop = store::responders::backstop(&app.pool).await?.map(|r| r.id);
    assert_eq!(backstop, Some(app.backstop.id), "the refused edit left the backstop alone");
    let untouched = store::responders::by_username(&app.pool, "aino").await?.map(|r| r.display_name);
    assert_eq!(untouched.as_deref(), Some("aino"), "the refused add changed nobody");

    // The roster: one shift, Helsinki time, Kaisa leading and Aino on it.
    type Shift = (Option<String>, chrono::DateTime<Utc>, chrono::DateTime<Utc>, Uuid);
    let shifts: Vec<Shift> =
        sqlx::query_as("SELECT area, starts_at, ends_at, lead_id FROM shifts").fetch_all(&app.pool).await?;
    let local = |time: &str| -> TestResult<chrono::DateTime<Utc>> {
        let at = day.and_time(NaiveTime::parse_from_str(time, "%H:%M")?);
        batline_core::roster::TZ
            .from_local_datetime(&at)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| anyhow::anyhow!("{at} is not one Helsinki instant"))
    };
    assert_eq!(shifts, [(Some("Vallila".to_owned()), local("08:00")?, local("16:00")?, kaisa.id)]);
    let members: Vec<Uuid> = sqlx::query_scalar("SELECT responder_id FROM shift_members").fetch_all(&app.pool).await?;
    assert_eq!(members, [aino.id]);

    // The SLA policy version.
    let policies = store::sla::all(&app.pool).await?;
    let parks: Vec<_> = policies.iter().filter(|p| p.topic.as_deref() == Some("parks")).collect();
    assert_eq!(parks.len(), 1, "{policies:?}");
    let parks = parks[0];
    assert_eq!(parks.channel, Some(batline_core::domain::Channel::Sms));
    assert_eq!(parks.priority, None);
    assert_eq!((parks.version, parks.first_response_seconds, parks.resolution_seconds), (1, 30 * 60, 2880 * 60));
    assert_eq!(parks.warn_at_percent, 75);
    assert_eq!(parks.hours.as_ref().map(|h| h["mon"].clone()), Some(json!([["08:00", "16:00"]])));
    assert_eq!(parks.hours.as_ref().map(|h| h.get("sat").is_none()), Some(true));
    assert!(parks.valid_to.is_none());
    assert_eq!(parks.created_by, Some(admin.id));

    // Canned replies: the Swedish one added by the admin, the English one archived.
    let added: Vec<(String, String, bool, Option<Uuid>)> =
        sqlx::query_as("SELECT language, body, archived, created_by FROM canned_replies WHERE title = 'Parken städas'")
            .fetch_all(&app.pool)
            .await?;
    assert_eq!(
        added,
        [("sv".to_owned(), "Tack för tipset! Parken städas i morgon.".to_owned(), false, Some(admin.id))]
    );
    let archived: bool = sqlx::query_scalar("SELECT archived FROM canned_replies WHERE id = $1::uuid")
        .bind(LOOKING_INTO_IT)
        .fetch_one(&app.pool)
        .await?;
    assert!(archived);
    assert_eq!(app.count("SELECT count(*) FROM canned_replies WHERE title = 'Ei saa'").await?, 0);
    // The key the admin issued is stored only as its digest, and revoked.
    assert_eq!(
        app.count("SELECT count(*) FROM open311_clients WHERE name = 'Palautesovellus' AND revoked_at IS NOT NULL")
            .await?,
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM open311_clients WHERE name = 'Ei saa'").await?, 0);
    assert_eq!(app.count("SELECT count(*) FROM walk_in_points WHERE name = 'Batcave X'").await?, 0);
    app.teardown().await
}

#[tokio::test]
async fn the_canned_replies_api_is_read_by_responders_and_changed_by_admins() -> TestResult {
    let app = TestApp::spawn().await?;
    make(&app, "hanna", Role::Admin).await?;
    make(&app, "aino", Role::Responder).await?;
    make(&app, "linnea", Role::Lead).await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_desk("veera", "Veera", point).await?;
    let (admin, aino, lead, desk) = (
        app.sign_in("hanna").await?,
        app.sign_in("aino").await?,
        app.sign_in("linnea").await?,
        app.sign_in("veera").await?,
    );
    const PATH: &str = "/api/v1/canned-replies";
    let anonymous = |method: reqwest::Method, path: &str| app.http.request(method, format!("{}{path}", app.console));

    // Reading: everyone who answers residents, not desk staff, not strangers.
    assert_eq!(anonymous(reqwest::Method::GET, PATH).send().await?.status(), 401);
    assert_eq!(desk.get(PATH).await?.0, 403);
    assert_eq!(lead.get(PATH).await?.0, 200);
    let (status, seeded) = aino.get(PATH).await?;
    assert_eq!(status, 200);
    let seeded = seeded.as_array().cloned().unwrap_or_default();
    assert_eq!(seeded.len(), 6, "{seeded:?}");
    assert!(seeded.iter().all(|r| r["language"].is_string() && r["title"].is_string() && r["body"].is_string()));

    // Adding: admins only.
    let new = json!({ "language": "en", "title": "  Thanks  ", "body": "Thank you for letting us know." });
    let no_token = anonymous(reqwest::Method::POST, PATH).json(&new).send().await?;
    assert_eq!(no_token.status(), 401);
    assert_eq!(aino.post(PATH, new.clone()).await?.0, 403);
    assert_eq!(lead.post(PATH, new.clone()).await?.0, 403);
    let (status, created) = admin.post(PATH, new.clone()).await?;
    assert_eq!(status, 201, "{created}");
    assert_eq!((created["title"].clone(), created["archived"].clone()), (json!("Thanks"), json!(false)));
    for (bad, why) in [
        (json!({ "language": "en", "title": "x".repeat(81), "body": "b" }), "title"),
        (json!({ "language": "en", "title": "t", "body": "b".repeat(1601) }), "text"),
        (json!({ "language": "en", "title": "   ", "body": "b" }), "title"),
        (json!({ "language": "en", "title": "t", "body": "  " }), "text"),
        (json!({ "language": "de", "title": "t", "body": "b" }), "language"),
        (json!({ "language": "en", "title": "t", "body": "b", "extra": 1 }), "extra"),
    ] {
        let (status, body) = admin.post(PATH, bad.clone()).await?;
        assert_eq!(status, 422, "{bad} → {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains(why)), "{bad} → {body}");
    }
    let just_fits = json!({ "language": "fi", "title": "ä".repeat(80), "body": "ö".repeat(1600) });
    assert_eq!(admin.post(PATH, just_fits).await?.0, 201, "limits count characters, not bytes");
    let (_, all) = aino.get(PATH).await?;
    assert_eq!(all.as_array().map(Vec::len), Some(8));

    // Archiving: admins only; once.
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let archive = format!("{PATH}/{id}/archive");
    assert_eq!(anonymous(reqwest::Method::POST, &archive).send().await?.status(), 401);
    assert_eq!(aino.post(&archive, Value::Null).await?.0, 403);
    assert_eq!(admin.post(&archive, Value::Null).await?.0, 204);
    assert_eq!(admin.post(&archive, Value::Null).await?.0, 404, "already archived");
    assert_eq!(admin.post(&format!("{PATH}/{}/archive", Uuid::new_v4()), Value::Null).await?.0, 404);
    let (_, all) = aino.get(PATH).await?;
    let ids: Vec<&str> =
        all.as_array().map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect()).unwrap_or_default();
    assert_eq!(ids.len(), 7);
    assert!(!ids.contains(&id.as_str()), "an archived reply is no longer offered");
    app.teardown().await
}

/// The CSRF token a signed-in page carries in `<meta name="csrf-token">`.
fn csrf_of(page: &str) -> Option<String> {
    let start = page.find(r#"name="csrf-token" content=""#)? + r#"name="csrf-token" content=""#.len();
    page[start..].split('"').next().map(str::to_owned)
}

#[tokio::test]
async fn admin_pages_and_actions_are_for_admins_only() -> TestResult {
    let app = TestApp::spawn().await?;
    for (username, role) in
        [("other", Role::Responder), ("lead", Role::Lead), ("mayor", Role::Mayor), ("admin", Role::Admin)]
    {
        make(&app, username, role).await?;
    }
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_desk("desk", "Tiski", point).await?;
    let target = store::responders::by_username(&app.pool, "other")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no responder 'other'"))?;
    let t = target.id;
    let pages = [
        "/admin".to_owned(),
        "/admin/responders".to_owned(),
        format!("/admin/responders/{t}"),
        "/admin/walk-in-points".to_owned(),
        "/admin/roster".to_owned(),
        "/admin/sla-policies".to_owned(),
        "/admin/canned-replies".to_owned(),
    ];
    let actions: [(String, &[(&str, &str)]); 8] = [
        (
            "/admin/responders".to_owned(),
            &[
                ("username", "x1"),
                ("display_name", "X"),
                ("password", "pitkä salasana 1"),
                ("languages", "fi"),
                ("role", "admin"),
                ("duty_status", "off"),
                ("capacity", "1"),
            ],
        ),
        (
            format!("/admin/responders/{t}"),
            &[
                ("display_name", "Hijacked"),
                ("languages", "fi"),
                ("role", "admin"),
                ("duty_status", "off"),
                ("capacity", "1"),
            ],
        ),
        (format!("/admin/responders/{t}/password"), &[("password", "hijacked password")]),
        ("/admin/walk-in-points".to_owned(), &[("name", "Batcave X"), ("address", "X"), ("area", "X"), ("hours", "")]),
        ("/admin/roster".to_owned(), &[("csv", "date,start,end,area,lead,members\n2030-01-02,08:00,16:00,,other,\n")]),
        (
            "/admin/sla-policies".to_owned(),
            &[("first_response_minutes", "1"), ("resolution_minutes", "2"), ("warn_at_percent", "50")],
        ),
        ("/admin/canned-replies".to_owned(), &[("language", "fi"), ("title", "Ei saa"), ("body", "Ei saa")]),
        (format!("/admin/canned-replies/{LOOKING_INTO_IT}/archive"), &[]),
    ];
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let mut wrong = Vec::new();
    for path in &pages {
        let anonymous = browser.get(format!("{}{path}", app.console)).send().await?;
        let location = anonymous.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
        if anonymous.status() != 303 || !location.starts_with("/sign-in?next=%2Fadmin") {
            wrong.push(format!("GET {path} without a session: {} to {location:?}", anonymous.status()));
        }
    }
    for role in ["other", "desk", "lead", "mayor", "admin"] {
        let cookie = crate::roles::web_session(&browser, &app.console, role).await?;
        let get = |path: String| browser.get(format!("{}{path}", app.console)).header("cookie", cookie.clone()).send();
        for path in &pages {
            let status = get(path.clone()).await?.status();
            let expected = if role == "admin" { 200 } else { 403 };
            if status != expected {
                wrong.push(format!("GET {path} as {role}: {status}, expected {expected}"));
            }
        }
        if role == "admin" {
            continue;
        }
        // With a valid CSRF token, so it is the role check that refuses.
        let page = get("/admin".to_owned()).await?.text().await?;
        let csrf = csrf_of(&page).ok_or_else(|| anyhow::anyhow!("no CSRF token on the 403 page"))?;
        for (path, fields) in &actions {
            let mut form: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
            form.extend_from_slice(fields);
            let status = browser
                .post(format!("{}{path}", app.console))
                .header("cookie", cookie.clone())
                .form(&form)
                .send()
                .await?
                .status();
            if status != 403 {
                wrong.push(format!("POST {path} as {role}: {status}, expected 403"));
            }
        }
    }
    assert!(wrong.is_empty(), "role checks that are wrong:\n{}", wrong.join("\n"));

    // Nothing the refused posts asked for happened.
    let after = store::responders::get(&app.pool, t).await?.ok_or_else(|| anyhow::anyhow!("'other' is gone"))?;
    assert_eq!((after.display_name.as_str(), after.role), ("other", Role::Responder));
    assert!(password::verify(PASSWORD, &after.password_hash)?);
    for sql in [
        "SELECT count(*) FROM responders WHERE username = 'x1'",
        "SELECT count(*) FROM walk_in_points WHERE name = 'Batcave X'",
        "SELECT count(*) FROM shifts",
        "SELECT count(*) FROM sla_policies WHERE first_response_seconds = 60",
        "SELECT count(*) FROM canned_replies WHERE title = 'Ei saa' OR archived",
    ] {
        assert_eq!(app.count(sql).await?, 0, "{sql}");
    }
    app.teardown().await
}

/// Issue 17: `AINO`, `a\u{200b}ino` (a zero-width space) and `аino` (a
/// Cyrillic `а`) all read as aino, and a right-to-left override turns round
/// the display name residents read. Refused by the API, the admin page and
/// the database itself; `AINO` signs in as aino.
#[tokio::test]
async fn look_alike_usernames_and_hidden_display_names_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    make(&app, "hanna", Role::Admin).await?;
    let aino = make(&app, "aino", Role::Responder).await?;
    let admin = app.sign_in("hanna").await?;
    let new = |username: &str, display_name: &str| json!({ "username": username, "display_name": display_name, "password": "pitkä salasana 123", "languages": ["fi"] });
    let refusals = [
        ("AINO", "Aino", 409, "\"aino\" exists already"),
        ("a\u{200b}ino", "Aino", 422, "U+200B"),
        ("\u{430}ino", "Aino", 422, "U+0430"),
        ("ａｉｎｏ", "Aino", 422, "U+FF41"),
        ("ain0", "Aino", 409, "looks like another"),
        ("aino2", "Aino\u{202e}oniA", 422, "bidirectional control U+202E"),
        ("aino3", "Ai\u{200b}no", 422, "U+200B"),
    ];
    for (username, display_name, status, detail) in refusals {
        let (got, body) = admin.post("/api/v1/responders", new(username, display_name)).await?;
        assert_eq!(got, status, "{username:?} {display_name:?}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains(detail)), "{username:?}: {body}");
    }
    let (status, body) =
        admin.patch(&format!("/api/v1/responders/{}", aino.id), json!({ "display_name": "\u{202e}oniA" })).await?;
    assert_eq!(status, 422, "{body}");
    let (status, kaisa) = admin.post("/api/v1/responders", new(" Kaisa.K ", "Kaisa Korhonen")).await?;
    assert_eq!((status, kaisa["username"].as_str()), (201, Some("kaisa.k")), "kept folded: {kaisa}");

    // The admin page says the same.
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&browser, &app.console, "hanna").await?;
    let page = browser.get(format!("{}/admin/responders", app.console)).header("cookie", cookie.clone()).send().await?;
    let csrf = csrf_of(&page.text().await?).ok_or_else(|| anyhow::anyhow!("no CSRF token"))?;
    let form = [
        ("_csrf", csrf.as_str()),
        ("username", "\u{430}ino"),
        ("display_name", "Aino"),
        ("password", "pitkä salasana 1"),
        ("languages", "fi"),
        ("role", "responder"),
        ("duty_status", "off"),
        ("capacity", "5"),
    ];
    let refused = browser
        .post(format!("{}/admin/responders", app.console))
        .header("cookie", cookie.clone())
        .form(&form)
        .send()
        .await?;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await?.contains("U+0430"), "the page names the character");

    // Only aino, kaisa.k and hanna; and whoever types AINO is aino.
    assert_eq!(app.count("SELECT count(*) FROM responders WHERE username <> 'backstop'").await?, 3);
    let signed_in = app
        .http
        .post(format!("{}/api/v1/sessions", app.console))
        .json(&json!({ "username": "AINO", "password": PASSWORD }))
        .send()
        .await?;
    assert_eq!(signed_in.status(), 201);

    // The database holds the rules whatever door a row comes through.
    let mut raw = store::responders::NewResponder {
        username: "AINO".into(),
        display_name: "Aino".into(),
        password_hash: aino.password_hash.clone(),
        phone: None,
        languages: vec![Language::Fi],
        areas: vec![],
        topics: vec![],
        capacity: 5,
        duty_status: DutyStatus::Off,
        is_backstop: false,
        role: Role::Responder,
    };
    for username in ["AINO", "a\u{200b}ino", "\u{430}ino", "rnikko", "ain0"] {
        raw.username = username.into();
        if username == "rnikko" {
            make(&app, "mikko", Role::Responder).await?;
        }
        assert!(store::responders::insert(&app.pool, &raw).await.is_err(), "{username:?} stored");
    }
    raw.username = "aino4".into();
    raw.display_name = "Aino\u{202e}oniA".into();
    assert!(store::responders::insert(&app.pool, &raw).await.is_err(), "a bidi control stored");
    app.teardown().await
}
