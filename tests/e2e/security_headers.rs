//! Every page the gateway serves, and the console's printable walk-in
//! ticket, runs under a Content-Security-Policy without inline script, with
//! `nosniff`, a referrer policy and a framing rule: the chat may be framed
//! by the city's sites, nothing else at all. Data, errors and scripts carry
//! `nosniff` too.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use reqwest::{Response, header::HeaderMap};
use serde_json::json;

use crate::support::{Options, TestApp, TestResult};

const CITY: &str = "https://www.hel.fi";

/// The directive `name` of `csp`, without its name.
fn directive<'a>(csp: &'a str, name: &str) -> Option<&'a str> {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).filter(|rest| rest.is_empty() || rest.starts_with(' ')))
        .map(str::trim)
}

/// What every answer carries, whatever it is.
fn check_common(what: &str, headers: &HeaderMap) -> TestResult<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    anyhow::ensure!(header("x-content-type-options").as_deref() == Some("nosniff"), "{what}: no nosniff");
    anyhow::ensure!(header("referrer-policy").is_some(), "{what}: no Referrer-Policy");
    header("content-security-policy").ok_or_else(|| anyhow::anyhow!("{what}: no Content-Security-Policy"))
}

/// A page: no inline script allowed or present, and framed only as `frame_ancestors` says.
async fn check_page(what: &str, response: Response, frame_ancestors: &str) -> TestResult {
    anyhow::ensure!(response.status().is_success(), "{what}: {}", response.status());
    let headers = response.headers().clone();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    anyhow::ensure!(content_type.starts_with("text/html"), "{what} is {content_type}");
    let csp = check_common(what, &headers)?;
    let scripts = directive(&csp, "script-src").or_else(|| directive(&csp, "default-src")).unwrap_or("*");
    for loose in ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:", "http:"] {
        anyhow::ensure!(!scripts.split_whitespace().any(|s| s == loose), "{what}: scripts may be {loose}: {csp}");
    }
    anyhow::ensure!(directive(&csp, "frame-ancestors") == Some(frame_ancestors), "{what}: framing: {csp}");
    let denied = headers.get("x-frame-options").and_then(|v| v.to_str().ok());
    match frame_ancestors {
        "'none'" => anyhow::ensure!(denied == Some("DENY"), "{what}: X-Frame-Options {denied:?}"),
        _ => anyhow::ensure!(denied.is_none(), "{what} may be framed, but X-Frame-Options says {denied:?}"),
    }
    let html = response.text().await?;
    for tag in html.split("<script").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let data = tag.contains(r#"type="application/json""#);
        anyhow::ensure!(tag.contains(" src=") || data, "{what}: an inline script: <script{tag}>");
    }
    let handler = html.match_indices(" on").find(|(at, _)| {
        let name: String = html[at + 3..].chars().take_while(char::is_ascii_lowercase).collect();
        !name.is_empty() && html[at + 3 + name.len()..].starts_with('=')
    });
    anyhow::ensure!(handler.is_none(), "{what}: an inline event handler near {:?}", handler.map(|(at, _)| at));
    Ok(())
}

/// Anything else: nosniff and the rest, and never framed.
fn check_other(what: &str, response: &Response) -> TestResult {
    let csp = check_common(what, response.headers())?;
    anyhow::ensure!(directive(&csp, "frame-ancestors") == Some("'none'"), "{what}: framing: {csp}");
    Ok(())
}

#[tokio::test]
async fn every_page_runs_without_inline_script_and_only_the_chat_may_be_framed() -> TestResult {
    let app =
        TestApp::spawn_with(Options { env: vec![("BATLINE_CHAT_ORIGINS", CITY.to_owned())], ..Options::default() })
            .await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_desk("veera", "Veera", point).await?;
    app.text("+358401234500", "Katuvalo on rikki").await?;
    let code = app.wait_for_cases("+358401234500", 1, Duration::from_secs(10)).await?.remove(0).tracking_code;
    let (gateway, http) = (&app.gateway, &app.http);
    let get = |path: String| http.get(path).send();

    // The gateway's pages.
    check_page("/track", get(format!("{gateway}/track/{code}")).await?, "'none'").await?;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let asked = no_redirects.post(format!("{gateway}/track/{code}/contact")).form(&[("phone", "040 123 4500")]).send();
    let asked = asked.await?;
    assert_eq!(asked.status(), 303);
    check_other("the contact form's answer", &asked)?;
    let step = asked.headers()["location"].to_str()?.to_owned();
    check_page("the code form", get(format!("{gateway}{step}")).await?, "'none'").await?;
    check_page("/chat", get(format!("{gateway}/chat?lang=sv")).await?, &format!("'self' {CITY}")).await?;
    check_page("/open", get(format!("{gateway}/open")).await?, "'none'").await?;
    check_page("/open/detail", get(format!("{gateway}/open/detail")).await?, "'none'").await?;

    // Data, scripts, styles and errors.
    for path in [
        format!("/api/v1/track/{code}"),
        "/open/data.json".to_owned(),
        "/open/data.csv".to_owned(),
        "/open/schema.json".to_owned(),
        "/chat/embed.js".to_owned(),
        "/assets/chat.js".to_owned(),
        "/assets/hds.css".to_owned(),
        "/track/nonsense".to_owned(),
        "/track/K7QD-4M2X".to_owned(),
        "/no/such/page".to_owned(),
    ] {
        check_other(&path, &get(format!("{gateway}{path}")).await?)?;
    }
    let refused = app.post_webhook(b"Body=hi".to_vec(), "application/x-www-form-urlencoded", None).await?;
    assert_eq!(refused.status(), 403);
    check_other("a refused webhook", &refused)?;

    // The console's printable ticket, opened without a session.
    let desk = app.sign_in("veera").await?;
    let (status, ticket) =
        desk.post("/api/v1/walk-in/tickets", json!({ "about": "Keinu on rikki", "language": "fi" })).await?;
    assert!(status == 201 || status == 202, "{status} {ticket}");
    let ticket_url = ticket["ticket_url"].as_str().ok_or_else(|| anyhow::anyhow!("no ticket_url in {ticket}"))?;
    let page = get(format!("{}{ticket_url}", app.console)).await?;
    assert_eq!(page.headers()["referrer-policy"], "no-referrer", "the ticket keeps its address to itself");
    check_page("the walk-in ticket", page, "'none'").await?;
    for path in ["/assets/ticket.js", "/assets/ticket.css", "/api/v1/me", "/walk-in/tickets/nonsense"] {
        check_other(path, &get(format!("{}{path}", app.console)).await?)?;
    }
    check_page("the sign-in page", get(format!("{}/sign-in", app.console)).await?, "'none'").await?;
    app.teardown().await
}
