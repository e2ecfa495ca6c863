//! Every console endpoint refuses the roles it should: 401 without a
//! session, 403 for a role (or a person) it is not for. Allowed roles must
//! get past the check (any answer but 401 and 403: a 404, 409 or 422 about
//! the request itself is fine). Add a row here with every new endpoint.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, TestResult};

/// The people the table speaks of. `other` is a plain responder who does
/// not own the case; the case's owner and the colleague it is offered to are
/// separate people, not among the roles tried.
const ROLES: [&str; 5] = ["other", "desk", "lead", "mayor", "admin"];

struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The roles that get past the check; all others must get 403.
    allowed: &'static [&'static str],
}

fn row(method: Method, path: impl Into<String>, body: Option<Value>, allowed: &'static [&'static str]) -> Row {
    Row { method, path: path.into(), body, allowed }
}

const EVERYONE: &[&str] = &["other", "desk", "lead", "mayor", "admin"];
const NOT_DESK: &[&str] = &["other", "lead", "mayor", "admin"];
const LEADS: &[&str] = &["lead", "mayor", "admin"];
const ADMIN: &[&str] = &["admin"];
const DESK_WORK: &[&str] = &["desk", "lead", "admin"];
const NOBODY: &[&str] = &[];

#[tokio::test]
async fn every_endpoint_refuses_the_roles_it_should() -> TestResult {
    let app = TestApp::spawn().await?;
    let owner = app.add_responder("owner", "Omistaja", &[Language::Fi], DutyStatus::OnDuty).await?;
    let target = app.add_responder("target", "Kohde", &[Language::Fi], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET capacity = 0 WHERE id = $1").bind(target.id).execute(&app.pool).await?;
    for (username, role) in [("other", "responder"), ("lead", "lead"), ("mayor", "mayor"), ("admin", "admin")] {
        let r = app.add_responder(username, username, &[Language::Fi], DutyStatus::Off).await?;
        sqlx::query("UPDATE responders SET role = $2 WHERE id = $1").bind(r.id).bind(role).execute(&app.pool).await?;
    }
    let point = app.add_walk_in_point("Kallio", "Kallio").await?;
    app.add_desk("desk", "Tiski", point).await?;

    // A case owned by `owner`, offered to `target`; and a resolved one.
    app.text("+358405550201", "Roskat ovat jääneet hakematta").await?;
    let case = app.wait_for_cases("+358405550201", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, owner.id);
    let owner_api = app.sign_in("owner").await?;
    let (status, offer) = owner_api
        .post(&format!("/api/v1/cases/{}/handoffs", case.id), json!({ "to": "target", "note": "sinulle" }))
        .await?;
    assert_eq!(status, 201, "{offer}");
    let offer_id = offer["id"].as_str().unwrap_or_default().to_owned();
    app.text("+358405550202", "Toinen asia, joka ratkaistaan heti").await?;
    let done = app.wait_for_cases("+358405550202", 1, Duration::from_secs(10)).await?.remove(0);
    let (status, _) =
        owner_api.post(&format!("/api/v1/cases/{}/resolve", done.id), json!({ "summary": "Hoidettu" })).await?;
    assert_eq!(status, 200);

    let c = case.id;
    let api = [
        row(Method::GET, "/api/v1/me", None, EVERYONE),
        row(Method::PUT, "/api/v1/me/duty", Some(json!({ "status": "off" })), EVERYONE),
        row(Method::GET, "/api/v1/handoffs", None, EVERYONE),
        row(Method::POST, format!("/api/v1/handoffs/{offer_id}/accept"), None, NOBODY),
        row(Method::POST, format!("/api/v1/handoffs/{offer_id}/decline"), Some(json!({})), NOBODY),
        row(Method::POST, format!("/api/v1/cases/{c}/handoffs"), Some(json!({ "to": "lead", "note": "x" })), NOBODY),
        row(Method::POST, format!("/api/v1/cases/{c}/reassign"), Some(json!({ "to": "owner", "note": "x" })), LEADS),
        row(Method::GET, "/api/v1/responders", None, LEADS),
        row(Method::POST, "/api/v1/responders", Some(json!({})), ADMIN),
        row(Method::PATCH, format!("/api/v1/responders/{}", owner.id), Some(json!({ "capacity": 0 })), ADMIN),
        row(Method::GET, "/api/v1/walk-in-points", None, EVERYONE),
        row(Method::POST, "/api/v1/walk-in-points", Some(json!({})), ADMIN),
        row(Method::POST, "/api/v1/walk-in/tickets", Some(json!({})), DESK_WORK),
        row(Method::GET, format!("/api/v1/walk-in/cases/{}", case.tracking_code), None, DESK_WORK),
        row(Method::POST, "/api/v1/roster/import", Some(json!({})), LEADS),
        row(Method::GET, "/api/v1/roster/coverage", None, LEADS),
        row(Method::GET, "/api/v1/sla-policies", None, LEADS),
        row(Method::POST, "/api/v1/sla-policies", Some(json!({})), ADMIN),
        row(Method::GET, "/api/v1/reports/sla", None, LEADS),
        row(Method::GET, "/api/v1/reports/trends", None, LEADS),
        row(Method::GET, "/api/v1/reports/breaches", None, LEADS),
        row(Method::GET, "/api/v1/reports/dashboard", None, LEADS),
        row(Method::GET, "/api/v1/dead-letters", None, LEADS),
        row(Method::POST, format!("/api/v1/dead-letters/{}/retry", uuid::Uuid::new_v4()), None, &["lead", "admin"]),
        row(Method::GET, "/api/v1/cases", None, NOT_DESK),
        row(Method::GET, format!("/api/v1/cases/{c}"), None, LEADS),
        row(Method::POST, format!("/api/v1/cases/{c}/acknowledge"), None, NOBODY),
        row(Method::POST, format!("/api/v1/cases/{c}/replies"), Some(json!({ "body": "x" })), NOBODY),
        row(Method::POST, format!("/api/v1/cases/{c}/notes"), Some(json!({ "text": "x" })), NOBODY),
        row(Method::POST, format!("/api/v1/cases/{c}/resolve"), Some(json!({ "summary": "x" })), NOBODY),
        row(Method::POST, format!("/api/v1/cases/{c}/call-backs"), None, NOBODY),
        row(Method::POST, format!("/api/v1/cases/{}/reopen", done.id), Some(json!({ "reason": "x" })), LEADS),
        row(Method::GET, "/api/v1/canned-replies", None, NOT_DESK),
        row(Method::POST, "/api/v1/canned-replies", Some(json!({})), ADMIN),
        row(Method::POST, format!("/api/v1/canned-replies/{}/archive", uuid::Uuid::nil()), None, ADMIN),
        row(Method::DELETE, "/api/v1/sessions", None, EVERYONE),
    ];

    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push((role, app.sign_in(role).await?.token));
    }
    let mut wrong = Vec::new();
    for r in &api {
        let url = format!("{}{}", app.console, r.path);
        let send = |token: Option<&str>| {
            let mut request = app.http.request(r.method.clone(), &url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &r.body {
                request = request.json(body);
            }
            request.send()
        };
        let anonymous = send(None).await?.status();
        if anonymous != StatusCode::UNAUTHORIZED {
            wrong.push(format!("{} {} without a session: {anonymous}, expected 401", r.method, r.path));
        }
        for (role, token) in &tokens {
            // Signing out ends the session being tested with; do it last, with a spare.
            let spare;
            let token = if r.method == Method::DELETE {
                spare = app.sign_in(role).await?.token;
                &spare
            } else {
                token
            };
            let status = send(Some(token)).await?.status();
            let allowed = r.allowed.iter().any(|a| a == role);
            let refused = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            if allowed && refused {
                wrong.push(format!("{} {} as {role}: {status}, expected to be let through", r.method, r.path));
            } else if !allowed && status != StatusCode::FORBIDDEN {
                wrong.push(format!("{} {} as {role}: {status}, expected 403", r.method, r.path));
            }
        }
    }

    // The browser pages check roles the same way, on the session cookie.
    let pages: [(String, &[&str]); 7] = [
        ("/dashboard".to_owned(), LEADS),
        ("/".to_owned(), EVERYONE),
        ("/admin".to_owned(), ADMIN),
        ("/admin/responders".to_owned(), ADMIN),
        ("/lead".to_owned(), LEADS),
        (format!("/cases/{c}"), LEADS),
        ("/duty/off".to_owned(), EVERYONE),
    ];
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    for (path, allowed) in pages {
        let url = format!("{}{path}", app.console);
        let anonymous = browser.get(&url).send().await?;
        let to_sign_in = anonymous.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
        if anonymous.status() != StatusCode::SEE_OTHER || !to_sign_in.starts_with("/sign-in?next=") {
            wrong.push(format!("GET {path} without a session: {}, expected a redirect to sign in", anonymous.status()));
        }
        for role in ROLES {
            let cookie = web_session(&browser, &app.console, role).await?;
            let status = browser.get(&url).header(header::COOKIE, cookie).send().await?.status();
            let allowed = allowed.contains(&role);
            if allowed && status == StatusCode::FORBIDDEN {
                wrong.push(format!("page {path} as {role}: 403, expected to be shown"));
            } else if !allowed && status != StatusCode::FORBIDDEN {
                wrong.push(format!("page {path} as {role}: {status}, expected 403"));
            }
        }
    }
    assert!(wrong.is_empty(), "role checks that are wrong:\n{}", wrong.join("\n"));
    app.teardown().await
}

/// Signs in through the browser form; returns the `Cookie` header value.
pub async fn web_session(browser: &reqwest::Client, console: &str, username: &str) -> TestResult<String> {
    let response = browser
        .post(format!("{console}/sign-in"))
        .form(&[("username", username), ("password", PASSWORD), ("next", "/")])
        .send()
        .await?;
    anyhow::ensure!(response.status() == StatusCode::SEE_OTHER, "signing in as {username}: {}", response.status());
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie for {username}"))?;
    Ok(cookie.to_owned())
}

/// Acting on a case checks the same rule as reading it: desk staff read no
/// conversations, so even a case that reached a desk account (a roster from
/// before rosters refused desk leads) cannot be acknowledged, answered,
/// noted or resolved from it blind.
#[tokio::test]
async fn desk_staff_cannot_act_on_a_case_even_one_they_own() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("owner", "Omistaja", &[Language::Fi], DutyStatus::OnDuty).await?;
    let point = app.add_walk_in_point("Vuosaari", "Vuosaari").await?;
    let desk = app.add_desk("veera", "Veera", point).await?;
    app.text("+358405550301", "Katuvalo on rikki").await?;
    let case = app.wait_for_cases("+358405550301", 1, Duration::from_secs(10)).await?.remove(0);
    sqlx::query("UPDATE cases SET owner_id = $2 WHERE id = $1").bind(case.id).bind(desk.id).execute(&app.pool).await?;

    let veera = app.sign_in("veera").await?;
    assert_eq!(veera.get(&format!("/api/v1/cases/{}", case.id)).await?.0, 403, "desk staff cannot read it");
    for (action, body) in [
        ("acknowledge", json!({})),
        ("replies", json!({ "body": "Hei, olen Veera" })),
        ("notes", json!({ "text": "sokkona" })),
        ("resolve", json!({ "summary": "Korjattu" })),
    ] {
        let (status, answer) = veera.post(&format!("/api/v1/cases/{}/{action}", case.id), body).await?;
        assert_eq!(status, 403, "{action}: {answer}");
    }
    let (acknowledged, status): (bool, String) =
        sqlx::query_as("SELECT acknowledged_at IS NOT NULL, status FROM cases WHERE id = $1")
            .bind(case.id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!((acknowledged, status.as_str()), (false, "open"), "nothing changed");
    let written = app.count("SELECT count(*) FROM messages WHERE author_id IS NOT NULL").await?;
    assert_eq!(written, 0, "nothing was sent to the resident in the desk's name");
    app.teardown().await
}
