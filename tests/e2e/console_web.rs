//! The console web app in a real browser (tests/browser/console.mjs) and
//! the browser-facing guarantees that need no browser: CSRF, cookies,
//! security headers, idle timeouts, the live socket's Origin check.

use std::time::Duration;

use batline_core::domain::{CaseStatus, DutyStatus, Language};
use secrecy::ExposeSecret;

use crate::{
    browser,
    support::{BATLINE_NUMBER, PASSWORD, PUBLIC_URL, TestApp, TestResult, eventually},
};

const RESIDENT: &str = "+358405550101";

#[tokio::test]
async fn a_responders_day_in_the_browser() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::Off).await?;
    let twilio = app.config.twilio.clone().ok_or_else(|| anyhow::anyhow!("the test app has Twilio configured"))?;
    browser::run(
        "console.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("GATEWAY", app.gateway.clone()),
            ("PUBLIC_URL", PUBLIC_URL.to_owned()),
            ("TWILIO_ACCOUNT_SID", twilio.account_sid.clone()),
            ("TWILIO_AUTH_TOKEN", twilio.auth_token.expose_secret().to_owned()),
            ("BATLINE_NUMBER", BATLINE_NUMBER.to_owned()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("RESPONDER_A", "aino".to_owned()),
            ("RESPONDER_B", "mikko".to_owned()),
            ("RESPONDER_B_NAME", "Mikko".to_owned()),
            ("RESIDENT_PHONE", RESIDENT.to_owned()),
        ],
    )
    .await?;

    // What the clicks did, as the database and the resident's phone saw it.
    let case = app.cases_of(RESIDENT).await?.remove(0);
    assert_eq!(case.status, CaseStatus::Resolved);
    assert_eq!(case.owner_id, mikko.id, "the hand-off moved the case to Mikko");
    assert_eq!(case.resolution_summary.as_deref(), Some("Lamppu vaihdettiin."));
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case.id)
        .fetch_all(&app.pool)
        .await?;
    for kind in ["acknowledged", "replied", "handoff_offered", "handoff_accepted", "resolved"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} is on the timeline: {kinds:?}");
    }
    let acked_by: Option<uuid::Uuid> = sqlx::query_scalar(
        "SELECT actor_id FROM case_events WHERE case_id = $1 AND kind = 'acknowledged' ORDER BY id LIMIT 1",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(acked_by, Some(aino.id));
    eventually("the reply reaches the resident's phone", Duration::from_secs(10), || async {
        let sent = app.sandbox.sent();
        Ok(sent
            .iter()
            .any(|s| s.to == RESIDENT && s.body == "Aino, Helsingin kaupunki: Kiitos, välitin vian korjattavaksi.")
            .then_some(()))
    })
    .await?;
    app.teardown().await
}

/// A signed-in browser session without a browser: its cookie and the CSRF
/// token its pages carry.
struct WebSession {
    cookie: String,
    csrf: String,
}

fn browser_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default()
}

async fn web_sign_in(app: &TestApp, username: &str) -> TestResult<WebSession> {
    let http = browser_client();
    let cookie = crate::roles::web_session(&http, &app.console, username).await?;
    let page = http.get(format!("{}/", app.console)).header("Cookie", &cookie).send().await?.text().await?;
    let csrf = page
        .split(r#"<meta name="csrf-token" content=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("the inbox carries no CSRF token"))?
        .to_owned();
    Ok(WebSession { cookie, csrf })
}

#[tokio::test]
async fn forms_need_the_sessions_csrf_token_and_a_same_site_origin() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text(RESIDENT, "Bussipysäkin katos on rikki").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let aino = web_sign_in(&app, "aino").await?;
    let http = browser_client();
    let url = format!("{}/cases/{}/note", app.console, case.id);
    let post = |form: Vec<(&'static str, String)>, origin: Option<&'static str>| {
        let mut request = http.post(&url).header("Cookie", &aino.cookie).form(&form);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request.send()
    };
    let text = ("text", "Soitin HSL:lle".to_owned());
    assert_eq!(post(vec![text.clone()], None).await?.status(), 403, "no token");
    assert_eq!(post(vec![text.clone(), ("_csrf", "forged".into())], None).await?.status(), 403, "a wrong token");
    let other = web_sign_in(&app, "aino").await?;
    assert_ne!(other.csrf, aino.csrf, "each session has its own token");
    assert_eq!(
        post(vec![text.clone(), ("_csrf", other.csrf.clone())], None).await?.status(),
        403,
        "another session's token"
    );
    let ok = vec![text.clone(), ("_csrf", aino.csrf.clone())];
    assert_eq!(post(ok.clone(), Some("https://evil.example")).await?.status(), 403, "a cross-site origin");
    let response = post(ok, None).await?;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.count("SELECT count(*) FROM case_events WHERE kind = 'note'").await?,
        1,
        "only the good post went through"
    );

    // Sign-in itself refuses a cross-site post (login CSRF).
    let cross = http
        .post(format!("{}/sign-in", app.console))
        .header("Origin", "https://evil.example")
        .form(&[("username", "aino"), ("password", PASSWORD)])
        .send()
        .await?;
    assert_eq!(cross.status(), 403);
    app.teardown().await
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_cookie_is_locked_down() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let http = browser_client();
    let response = http
        .post(format!("{}/sign-in", app.console))
        .form(&[("username", "aino"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await?;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/", "sign-in never sends the browser to another site");
    let set_cookie = response.headers()["set-cookie"].to_str()?.to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(flag), "{flag} in {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain http in tests: no Secure flag ({set_cookie})");

    let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
    let page = http.get(format!("{}/", app.console)).header("Cookie", &cookie).send().await?;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str()?.to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await?;
    assert!(!html.contains("<script>") && !html.contains(" onclick="), "no inline script on the page");
    for asset in ["/assets/hds.css?v=", "/assets/htmx.min.js?v=", "/assets/console.js?v="] {
        assert!(html.contains(asset), "the page links {asset}");
    }
    let css = http.get(format!("{}/assets/hds.css", app.console)).send().await?;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"].to_str()?.contains("immutable"));
    app.teardown().await
}

#[tokio::test]
async fn idle_and_expired_sessions_end() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let http = browser_client();
    let inbox = format!("{}/", app.console);

    let idle = web_sign_in(&app, "aino").await?;
    assert_eq!(http.get(&inbox).header("Cookie", &idle.cookie).send().await?.status(), 200);
    // Unused for longer than BATLINE_SESSION_IDLE_MINUTES (30 by default).
    sqlx::query("UPDATE console_sessions SET last_seen_at = now() - interval '31 minutes'").execute(&app.pool).await?;
    let response = http.get(&inbox).header("Cookie", &idle.cookie).send().await?;
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str()?.starts_with("/sign-in"));

    // Used a minute ago: still fine; past its absolute expiry: over, however busy.
    let busy = web_sign_in(&app, "aino").await?;
    sqlx::query("UPDATE console_sessions SET last_seen_at = now() - interval '1 minute'").execute(&app.pool).await?;
    assert_eq!(http.get(&inbox).header("Cookie", &busy.cookie).send().await?.status(), 200);
    sqlx::query("UPDATE console_sessions SET expires_at = now() - interval '1 second'").execute(&app.pool).await?;
    let ended = http.get(&inbox).header("Cookie", &busy.cookie).send().await?;
    assert_eq!(ended.status(), 303);
    let cleared = ended.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(
        cleared.starts_with("batline_session=;") && cleared.contains("Max-Age=0"),
        "the ended session's cookie is cleared: {cleared}"
    );

    // A browser that still sends an ended session's cookie can sign in again.
    let again = http
        .post(format!("{}/sign-in", app.console))
        .header("Cookie", &busy.cookie)
        .form(&[("username", "aino"), ("password", PASSWORD)])
        .send()
        .await?;
    assert_eq!(again.status(), 303, "signing in over a stale cookie");
    app.teardown().await
}

#[tokio::test]
async fn the_live_socket_refuses_other_sites_and_strangers() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let aino = web_sign_in(&app, "aino").await?;
    let http = browser_client();
    let handshake = |cookie: Option<&str>, origin: &str| {
        let mut request = http
            .get(format!("{}/live", app.console))
            .header("Connection", "Upgrade")
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Origin", origin.to_owned());
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie.to_owned());
        }
        request.send()
    };
    let host = app.console.trim_start_matches("http://").to_owned();
    let own = format!("http://{host}");
    assert_eq!(handshake(Some(&aino.cookie), "https://evil.example").await?.status(), 403);
    assert_eq!(handshake(None, &own).await?.status(), 303, "no session: sent to sign in");
    assert_eq!(handshake(Some(&aino.cookie), &own).await?.status(), 101);
    app.teardown().await
}

#[tokio::test]
async fn going_off_duty_shows_where_each_case_goes_first() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    for (phone, text) in [("+358405550301", "Puu kaatui pyörätielle"), ("+358405550302", "Katuvalo vilkkuu koko yön")]
    {
        app.text(phone, text).await?;
        app.wait_for_cases(phone, 1, Duration::from_secs(10)).await?;
    }
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let session = web_sign_in(&app, "aino").await?;
    let http = browser_client();
    let off = http
        .post(format!("{}/duty", app.console))
        .header("Cookie", &session.cookie)
        .form(&[("status", "off"), ("_csrf", session.csrf.as_str())])
        .send()
        .await?;
    assert_eq!(off.status(), 303);
    assert_eq!(off.headers()["location"], "/duty/off", "with open cases, going off asks first");
    let still: String = sqlx::query_scalar("SELECT duty_status FROM responders WHERE id = $1")
        .bind(aino.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(still, "on_duty", "nothing changes before the confirmation");
    let preview =
        http.get(format!("{}/duty/off", app.console)).header("Cookie", &session.cookie).send().await?.text().await?;
    assert_eq!(preview.matches("data-move=").count(), 2, "both cases are listed");
    assert_eq!(preview.matches("<td>Mikko</td>").count(), 2, "both would go to Mikko, the only one on duty");

    let confirmed = http
        .post(format!("{}/duty", app.console))
        .header("Cookie", &session.cookie)
        .form(&[("status", "off"), ("confirm", "1"), ("_csrf", session.csrf.as_str())])
        .send()
        .await?;
    assert_eq!(confirmed.status(), 303);
    eventually("both cases move to Mikko", Duration::from_secs(10), || async {
        let moved = app.count(&format!("SELECT count(*) FROM cases WHERE owner_id = '{}'", mikko.id)).await?;
        Ok((moved == 2).then_some(()))
    })
    .await?;
    app.teardown().await
}

#[tokio::test]
async fn a_lead_sees_unacknowledged_cases_and_reassigns_from_the_lead_page() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text(RESIDENT, "Leikkipuiston keinu on rikki").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let lead = app.add_responder("liisa", "Liisa", &[Language::Fi], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE id = $1").bind(lead.id).execute(&app.pool).await?;
    let session = web_sign_in(&app, "liisa").await?;
    let http = browser_client();
    let page = http.get(format!("{}/lead", app.console)).header("Cookie", &session.cookie).send().await?.text().await?;
    assert!(page.contains(&format!(r#"data-attention="{}""#, case.tracking_code)), "the unacknowledged case is listed");
    assert!(page.contains(r#"data-responder="aino""#) && page.contains(r#"data-responder="mikko""#));

    let reassign = http
        .post(format!("{}/cases/{}/reassign", app.console, case.id))
        .header("Cookie", &session.cookie)
        .form(&[("to", "mikko"), ("note", "Aino on kokouksessa"), ("_csrf", session.csrf.as_str())])
        .send()
        .await?;
    assert_eq!(reassign.status(), 303);
    assert_eq!(app.cases_of(RESIDENT).await?[0].owner_id, mikko.id);
    app.teardown().await
}

/// Markup sent through any channel is shown as text: on the owner's case
/// page, on the lead's page, on the public tracking page and the printable
/// walk-in ticket.
#[tokio::test]
async fn script_tags_from_any_channel_are_shown_as_text() -> TestResult {
    const ATTACK: &str = r#"<script>window.__xss=1</script><img src=x onerror="alert(1)">"#;
    const ESCAPED: &str = "&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;";
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let point = app.add_walk_in_point("Kallio", "Kallio").await?;
    app.add_desk("veera", "Veera", point).await?;
    let lead = app.add_responder("liisa", "Liisa", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE id = $1").bind(lead.id).execute(&app.pool).await?;

    // SMS.
    app.text(RESIDENT, ATTACK).await?;
    let sms_case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    // Walk-in: what the resident said, typed in by the desk.
    let desk = app.sign_in("veera").await?;
    let (status, ticket) =
        desk.post("/api/v1/walk-in/tickets", serde_json::json!({ "about": ATTACK, "language": "fi" })).await?;
    assert!(status == 201 || status == 202, "{status} {ticket}");
    let ticket_id = ticket["ticket_id"].as_str().unwrap_or_default().to_owned();
    let walk_in_case: uuid::Uuid = eventually("the walk-in ticket is filed", Duration::from_secs(10), || async {
        Ok(sqlx::query_scalar(
            "SELECT i.case_id FROM walk_in_tickets t JOIN intake i ON i.id = t.intake_id WHERE t.id = $1::uuid",
        )
        .bind(&ticket_id)
        .fetch_one(&app.pool)
        .await?)
    })
    .await?;
    // A responder's own words reach the resident and the tracking page too.
    let aino_api = app.sign_in("aino").await?;
    let (status, _) = aino_api
        .post(&format!("/api/v1/cases/{}/resolve", sms_case.id), serde_json::json!({ "summary": ATTACK }))
        .await?;
    assert_eq!(status, 200);

    let aino = web_sign_in(&app, "aino").await?;
    let liisa = web_sign_in(&app, "liisa").await?;
    let http = browser_client();
    let pages = [
        (format!("{}/cases/{}", app.console, sms_case.id), Some(&aino.cookie)),
        (format!("{}/cases/{}", app.console, walk_in_case), Some(&aino.cookie)),
        (format!("{}/lead", app.console), Some(&liisa.cookie)),
        (format!("{}/track/{}", app.gateway, sms_case.tracking_code), None),
        (format!("{}/walk-in/tickets/{ticket_id}", app.console), None),
    ];
    for (url, cookie) in pages {
        let mut request = http.get(&url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie.as_str());
        }
        let response = request.send().await?;
        assert_eq!(response.status(), 200, "{url}");
        let html = response.text().await?;
        assert!(!html.contains("<script>window.__xss") && !html.contains("<img src=x"), "{url} shows markup as markup");
        if url.contains("/cases/") || url.contains("/track/") {
            assert!(html.contains(ESCAPED), "{url} shows the text, escaped");
        }
    }
    app.teardown().await
}

/// Password guessing is slowed to a crawl: sign-ins are limited per client
/// address, on the API and the browser form alike, answered 429 with
/// Retry-After.
#[tokio::test]
async fn sign_ins_are_limited_per_address() -> TestResult {
    use crate::support::Options;
    let app = TestApp::spawn_with(Options { sign_in_per_minute: 3, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let api = format!("{}/api/v1/sessions", app.console);
    for _ in 0..2 {
        let wrong =
            app.http.post(&api).json(&serde_json::json!({ "username": "aino", "password": "guess" })).send().await?;
        assert_eq!(wrong.status(), 401);
    }
    let http = browser_client();
    let form = http
        .post(format!("{}/sign-in", app.console))
        .form(&[("username", "aino"), ("password", "guess")])
        .send()
        .await?;
    assert_eq!(form.status(), 401, "the third attempt is still heard");
    let limited =
        app.http.post(&api).json(&serde_json::json!({ "username": "aino", "password": PASSWORD })).send().await?;
    assert_eq!(limited.status(), 429, "even the right password waits its turn");
    let retry: u64 = limited.headers()["retry-after"].to_str()?.parse()?;
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let page = http
        .post(format!("{}/sign-in", app.console))
        .header("Accept-Language", "en")
        .form(&[("username", "aino"), ("password", PASSWORD)])
        .send()
        .await?;
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await?.contains("Too many sign-in attempts"));
    app.teardown().await
}

/// Failed sign-ins lock out the pair of address and username, not the
/// account: after `BATLINE_SIGN_IN_LOCKOUT_AFTER` (here 3) wrong passwords
/// for aino from 127.0.0.1, aino is refused from there (429, Retry-After,
/// even with the right password, however the name is typed, on the API and
/// the form alike), while another account signs in from there and aino
/// signs in from another address (127.0.0.2, also loopback). A success
/// resets the count.
#[tokio::test]
async fn failed_sign_ins_lock_out_the_address_and_username_pair_only() -> TestResult {
    use crate::support::Options;
    let env = vec![("BATLINE_SIGN_IN_LOCKOUT_AFTER", "3".to_owned())];
    let app = TestApp::spawn_with(Options { env, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("eero", "Eero", &[Language::Fi], DutyStatus::OnDuty).await?;
    let api = format!("{}/api/v1/sessions", app.console);
    let sign_in = |http: &reqwest::Client, username: &str, password: &str| {
        http.post(&api).json(&serde_json::json!({ "username": username, "password": password })).send()
    };
    let elsewhere = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build()?;

    // From elsewhere: two failures, then a success, which resets the count.
    for _ in 0..2 {
        assert_eq!(sign_in(&elsewhere, "aino", "guess").await?.status(), 401);
    }
    assert_eq!(sign_in(&elsewhere, "aino", PASSWORD).await?.status(), 201);
    for _ in 0..2 {
        assert_eq!(sign_in(&elsewhere, "aino", "guess").await?.status(), 401, "counted afresh after a success");
    }

    for _ in 0..3 {
        assert_eq!(sign_in(&app.http, "aino", "guess").await?.status(), 401);
    }
    let locked = sign_in(&app.http, "aino", PASSWORD).await?;
    assert_eq!(locked.status(), 429, "the right password waits too");
    let retry: u64 = locked.headers()["retry-after"].to_str()?.parse()?;
    assert!((1..=31).contains(&retry), "the first wait is 30 s: {retry}");
    let body: serde_json::Value = locked.json().await?;
    assert_eq!(body["code"], "rate_limited");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("for this username from your address")), "{body}");
    assert_eq!(sign_in(&app.http, " AINO", PASSWORD).await?.status(), 429, "however the name is typed");
    let form = browser_client()
        .post(format!("{}/sign-in", app.console))
        .header("Accept-Language", "en")
        .form(&[("username", "aino"), ("password", PASSWORD)])
        .send()
        .await?;
    assert_eq!(form.status(), 429, "the form is held to it too");
    assert!(form.headers().contains_key("retry-after"));
    assert!(form.text().await?.contains("Too many failed sign-ins for this username from your address"));

    assert_eq!(sign_in(&app.http, "eero", PASSWORD).await?.status(), 201, "another account from the same address");
    assert_eq!(sign_in(&elsewhere, "aino", PASSWORD).await?.status(), 201, "aino from another address");
    app.teardown().await
}

/// A console socket that falls too far behind the events (here: a browser
/// that stops reading) loses some of them. It is told so with a `resync`
/// note, after which the page refetches everything, rather than left with
/// a silent gap; and it carries on with the events after that.
#[tokio::test]
async fn a_live_socket_that_falls_behind_is_told_to_resync_and_carries_on() -> TestResult {
    use batline_core::bus::{Bus, BusMessage};
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let cookie = web_sign_in(&app, "aino").await?.cookie;
    let host = app.console.trim_start_matches("http://").to_owned();
    // A small receive buffer, so a browser that stops reading stops the
    // console's writes after a few notes instead of megabytes of them.
    let open = |receive_buffer: Option<u32>| {
        let (host, cookie) = (host.clone(), cookie.clone());
        async move {
            let socket = tokio::net::TcpSocket::new_v4()?;
            if let Some(size) = receive_buffer {
                socket.set_recv_buffer_size(size)?;
            }
            let stream = socket.connect(host.parse()?).await?;
            let mut request = format!("ws://{host}/live").into_client_request()?;
            request.headers_mut().insert("Cookie", HeaderValue::from_str(&cookie)?);
            request.headers_mut().insert("Origin", HeaderValue::from_str(&format!("http://{host}"))?);
            let (ws, _) = tokio_tungstenite::client_async(request, stream).await?;
            TestResult::Ok(ws)
        }
    };
    let mut slow = open(Some(4096)).await?;

    let shutdown = tokio_util::sync::CancellationToken::new();
    let bus = Bus::start(crate::support::AMQP_URL, &app.namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(10)).await?;
    let event = |case_id: uuid::Uuid| BusMessage::CaseUpdated { case_id, owner_id: aino.id, kind: "note".into() };
    let case_of = |frame: &Message| -> Option<(String, Option<String>)> {
        let Message::Text(text) = frame else { return None };
        let note: serde_json::Value = serde_json::from_str(text).ok()?;
        Some((note["type"].as_str()?.to_owned(), note["case_id"].as_str().map(str::to_owned)))
    };
    // Reads `ws` until the note for `case_id`; returns the note types seen on the way.
    async fn read_until<S>(
        ws: &mut S,
        case_id: uuid::Uuid,
        case_of: impl Fn(&Message) -> Option<(String, Option<String>)>,
    ) -> TestResult<Vec<String>>
    where
        S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        let mut seen = Vec::new();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(30), ws.next())
                .await?
                .ok_or_else(|| anyhow::anyhow!("the live socket closed"))??;
            let Some((kind, case)) = case_of(&frame) else { continue };
            if case.as_deref() == Some(case_id.to_string().as_str()) {
                return Ok(seen);
            }
            seen.push(kind);
        }
    }

    // The socket is listening once one event is through.
    let first = uuid::Uuid::new_v4();
    bus.publish(&event(first)).await?;
    read_until(&mut slow, first, case_of).await?;

    // It stops reading while more events pass than the console's kernel
    // may buffer for it (the send buffer grows up to tcp_wmem's maximum;
    // a note is about 80 bytes), with a margin.
    let most_buffered: usize = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")?
        .split_whitespace()
        .last()
        .and_then(|max| max.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("tcp_wmem has no maximum"))?;
    let events = most_buffered / 80 * 13 / 10 + 1000;
    let last = uuid::Uuid::new_v4();
    let ids: Vec<uuid::Uuid> = (0..events).map(|_| uuid::Uuid::new_v4()).chain([last]).collect();
    for chunk in ids.chunks(200) {
        let events: Vec<BusMessage> = chunk.iter().map(|id| event(*id)).collect();
        futures_util::future::try_join_all(events.iter().map(|e| bus.publish(e))).await?;
    }

    let slow_seen = read_until(&mut slow, last, case_of).await?;
    let notes = slow_seen.iter().filter(|kind| *kind == "case").count();
    assert!(notes < events, "the socket fell behind ({notes} of {events} notes)");
    assert!(slow_seen.iter().any(|kind| kind == "resync"), "and was told so");

    // Caught up, it goes on as before.
    let after = uuid::Uuid::new_v4();
    bus.publish(&event(after)).await?;
    assert!(read_until(&mut slow, after, case_of).await?.is_empty());
    slow.close(None).await?;
    shutdown.cancel();
    app.teardown().await
}

/// After signing in the browser goes only to a path on the console, as a URL
/// parser reads it: a control character anywhere (a tab or newline that
/// browsers drop, a CR LF that would split the header), a backslash, `//`
/// or a path resolving to `//` all go to `/`, with the session made and no
/// error; a plain path is kept.
#[tokio::test]
async fn sign_in_sends_the_browser_only_to_a_path_on_the_console() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let http = browser_client();
    let console = url::Url::parse(&app.console)?;
    let mut hostile: Vec<String> =
        (0u8..0x20).chain([0x7f]).map(|c| format!("/{}/evil.example/phish", c as char)).collect();
    hostile.extend(
        ["/\r\nSet-Cookie: planted=1", "/\\evil.example", "\\/evil.example", "//evil.example/", "/..//evil.example/"]
            .map(String::from),
    );
    hostile.push("/\u{85}/evil.example".to_owned());
    for next in &hostile {
        let response = http
            .post(format!("{}/sign-in", app.console))
            .form(&[("username", "aino"), ("password", PASSWORD), ("next", next.as_str())])
            .send()
            .await?;
        assert_eq!(response.status(), 303, "{next:?}");
        let location = response.headers()["location"].to_str()?.to_owned();
        // Control characters other than tab, CR and LF are blanked where
        // text comes in (`plain_text`): what is left is a path on the
        // console with a space in it, never another origin. Tab, CR and LF,
        // which browsers drop from URLs, send the browser to `/`.
        let blanked = next.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
        let expected = if blanked { next.replace(|c: char| c.is_control(), "%20") } else { "/".to_owned() };
        assert_eq!(location, expected, "{next:?} -> {location:?}");
        assert_eq!(console.join(&location)?.origin(), console.origin(), "{next:?} -> {location:?}");
        let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(cookie.starts_with("batline_session="), "{next:?}: signed in all the same");
    }
    let response = http
        .post(format!("{}/sign-in", app.console))
        .form(&[("username", "aino"), ("password", PASSWORD), ("next", "/cases?status=open")])
        .send()
        .await?;
    let location = response.headers()["location"].to_str()?.to_owned();
    assert_eq!(location, "/cases?status=open");
    assert_eq!(console.join(&location)?.origin(), console.origin());
    app.teardown().await
}
