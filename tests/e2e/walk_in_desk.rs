//! The walk-in desk's page, `/walk-in`, as a browser's forms use it (the
//! Chromium walk is `tests/browser/desk.mjs`): registering a visit, a
//! refused visit keeping what was typed, a double submit registering once,
//! looking cases up by code and by phone, today's visits, and who may use it.

use std::time::Duration;

use batline_core::domain::{Channel, DutyStatus, Language, Role};
use uuid::Uuid;

use crate::{
    browser,
    support::{PASSWORD, TestApp, TestResult, eventually},
};

fn browser_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default()
}

/// A signed-in browser session without a browser: its cookie and the CSRF
/// token the desk page carries.
struct Desk {
    http: reqwest::Client,
    console: String,
    cookie: String,
    csrf: String,
}

impl Desk {
    async fn sign_in(app: &TestApp, username: &str) -> TestResult<Self> {
        let http = browser_client();
        let cookie = crate::roles::web_session(&http, &app.console, username).await?;
        let mut desk = Desk { http, console: app.console.clone(), cookie, csrf: String::new() };
        let (_, page) = desk.get("/walk-in").await?;
        desk.csrf = page
            .split(r#"<meta name="csrf-token" content=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| anyhow::anyhow!("the desk page carries no CSRF token"))?
            .to_owned();
        Ok(desk)
    }

    async fn get(&self, path: &str) -> TestResult<(u16, String)> {
        let response = self.http.get(format!("{}{path}", self.console)).header("Cookie", &self.cookie).send().await?;
        Ok((response.status().as_u16(), response.text().await?))
    }

    /// Posts the visit form; the status and where it redirects, or the page.
    async fn register(&self, fields: &[(&str, &str)]) -> TestResult<(u16, String)> {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let response = self
            .http
            .post(format!("{}/walk-in/visits", self.console))
            .header("Cookie", &self.cookie)
            .form(&form)
            .send()
            .await?;
        let status = response.status().as_u16();
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok((status, location.unwrap_or(response.text().await?)))
    }
}

#[tokio::test]
async fn a_desk_registers_a_visit_sees_its_owner_and_finds_it_again() -> TestResult {
    let app = TestApp::spawn().await?;
    let kallio = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_walk_in_point("Batcave Vuosaari", "Vuosaari").await?;
    let aino = app.add_responder("aino", "Aino Virtanen", &[Language::Fi, Language::Sv], DutyStatus::OnDuty).await?;
    app.set_home_point(aino.id, kallio).await?;
    app.add_desk("veera", "Veera", kallio).await?;
    // Residents read the point's public name, never the city's own.
    sqlx::query(
        "UPDATE walk_in_points SET public_name = 'Kallion asiointipiste', address = 'Kallion koulu' WHERE id = $1",
    )
    .bind(kallio)
    .execute(&app.pool)
    .await?;
    let desk = Desk::sign_in(&app, "veera").await?;

    // The desk's landing is its page: the inbox sends it there.
    let (status, _) = desk.get("/").await?;
    assert_eq!(status, 303, "the inbox sends desk staff to the desk page");
    let (status, page) = desk.get("/walk-in").await?;
    assert_eq!(status, 200);
    assert!(page.contains("Asiointipiste: Batcave Kallio"), "the desk's home point is shown");
    assert!(page.contains("Tänään ei ole vielä käyntejä."), "no visits yet today");

    let key = Uuid::new_v4().to_string();
    let point = kallio.to_string();
    let visit = [
        ("about", "Leikkipuiston keinu on rikki"),
        ("language", "sv"),
        ("phone", "040 555 0102"),
        ("topic", "parks"),
        ("tracking_code", ""),
        ("point_id", point.as_str()),
        ("visit_key", key.as_str()),
    ];
    let (status, location) = desk.register(&visit).await?;
    assert_eq!(status, 303, "registered: {location}");
    assert!(location.starts_with(&format!("/walk-in?point={kallio}&ticket=")), "back to the desk page: {location}");

    // What the router filed: a walk-in case in Swedish with the phone, owned by Aino.
    let case = app.cases_of("+358405550102").await?.remove(0);
    assert_eq!((case.channel, case.language, case.owner_id), (Channel::WalkIn, Language::Sv, aino.id));
    let (status, page) = desk.get(&location).await?;
    assert_eq!(status, 200);
    assert!(page.contains("Käynti on kirjattu."), "the registered box is shown");
    assert!(page.contains("Aino Virtanen"), "it names the owner");
    assert!(page.contains(&case.tracking_code), "it shows the tracking code");
    let ticket_id = location.rsplit('=').next().unwrap_or_default();
    assert!(page.contains(&format!("/walk-in/tickets/{ticket_id}?print=1")), "it links the printable ticket");
    assert!(page.contains(&format!("data-visit=\"{ticket_id}\"")), "today's visits list it");

    // The resident's SMS receipt and printed ticket name the point as residents know it.
    eventually("the SMS receipt", Duration::from_secs(10), || async {
        Ok(app.sandbox.sent().into_iter().find(|s| s.to == "+358405550102"))
    })
    .await
    .and_then(|sms| {
        anyhow::ensure!(sms.body.contains("Kallion asiointipiste") && !sms.body.contains("Batcave"), "{}", sms.body);
        Ok(())
    })?;
    let ticket = reqwest::get(format!("{}/walk-in/tickets/{ticket_id}", app.console)).await?.text().await?;
    assert!(ticket.contains("Kallion asiointipiste") && !ticket.contains("Batcave"), "the printed ticket: {ticket}");

    // A double submit (the same form again) registers the visit once.
    let (status, again) = desk.register(&visit).await?;
    assert_eq!((status, again.as_str()), (303, location.as_str()));
    assert_eq!(app.count("SELECT count(*) FROM walk_in_tickets").await?, 1);

    // A refused visit says what to fix, in the desk's language, and keeps
    // everything typed; nothing is stored.
    let fresh = Uuid::new_v4().to_string();
    let (status, page) = desk
        .register(&[
            ("about", "Roska-astia on täynnä"),
            ("language", "fi"),
            ("phone", "12"),
            ("point_id", point.as_str()),
            ("visit_key", fresh.as_str()),
        ])
        .await?;
    assert_eq!(status, 422);
    assert!(page.contains("Puhelinnumeroa ei voi lukea."), "the refusal says what is wrong");
    assert!(page.contains("Roska-astia on täynnä"), "what was typed is kept");
    assert!(page.contains(r#"value="12""#), "the phone as typed is kept to correct");
    let (status, page) = desk
        .register(&[("about", "Lisää tietoa"), ("tracking_code", "ZZZZ-ZZZZ"), ("visit_key", fresh.as_str())])
        .await?;
    assert_eq!(status, 422);
    assert!(page.contains("Yhdelläkään asialla ei ole tätä seurantatunnusta."));
    let (status, page) = desk.register(&[("about", " "), ("language", "fi"), ("visit_key", fresh.as_str())]).await?;
    assert_eq!(status, 422);
    assert!(page.contains("Kirjoita, mitä asia koskee."));
    assert_eq!(app.count("SELECT count(*) FROM walk_in_tickets").await?, 1, "nothing refused was stored");

    // A returning resident's follow-up continues the same open case.
    let code = case.tracking_code.to_lowercase().replace('-', " ");
    let follow = Uuid::new_v4().to_string();
    let (status, _) = desk
        .register(&[("about", "Keinu on yhä rikki"), ("tracking_code", &code), ("visit_key", follow.as_str())])
        .await?;
    assert_eq!(status, 303);
    assert_eq!(app.cases_of("+358405550102").await?.len(), 1, "the follow-up continued the case");

    // Look-ups: by the code as typed loosely, by the phone in national form.
    let (_, page) = desk.get(&format!("/walk-in?find={}", code.replace(' ', "+"))).await?;
    assert!(page.contains(&format!("data-found=\"{}\"", case.tracking_code)), "found by code");
    assert!(page.contains("Avattu asiointipisteessä Batcave Kallio"));
    let (_, page) = desk.get("/walk-in?find=0405550102").await?;
    assert!(page.contains(&format!("data-found=\"{}\"", case.tracking_code)), "found by phone");
    let (_, page) = desk.get("/walk-in?find=ZZZZ-ZZZZ").await?;
    assert!(page.contains("Tällä tunnuksella tai numerolla ei löytynyt asioita."));
    let (_, page) = desk.get("/walk-in?find=hello").await?;
    assert!(page.contains("Tämä ei ole seurantatunnus"), "neither a code nor a phone says so");
    // Nothing a desk looks up shows the conversation.
    assert!(!page.contains("Leikkipuiston keinu on rikki"));

    // Another point's day is its own.
    let (_, page) = desk.get(&format!("/walk-in?point={}", Uuid::nil())).await?;
    assert!(page.contains("Asiointipiste: Batcave Kallio"), "an unknown point falls back to the desk's home point");
    app.teardown().await
}

#[tokio::test]
async fn only_desk_staff_leads_and_admins_use_the_desk_page() -> TestResult {
    let app = TestApp::spawn().await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let lead = app.add_responder("liisa", "Liisa", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = $2 WHERE id = $1")
        .bind(lead.id)
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;

    let responder = Desk::sign_in(&app, "aino").await?;
    assert_eq!(responder.get("/walk-in").await?.0, 403);
    let point_id = point.to_string();
    let (status, _) = responder.register(&[("about", "Keinu"), ("language", "fi"), ("point_id", &point_id)]).await?;
    assert_eq!(status, 403, "a responder cannot register visits");

    // A lead has no home point: the page shows the first point, and a
    // visit names its point.
    let lead = Desk::sign_in(&app, "liisa").await?;
    let (status, page) = lead.get("/walk-in").await?;
    assert_eq!(status, 200);
    assert!(page.contains("Batcave Kallio"));
    let (status, _) = lead.register(&[("about", "Keinu"), ("language", "fi"), ("point_id", &point_id)]).await?;
    assert_eq!(status, 303);
    app.teardown().await
}

#[tokio::test]
async fn a_desk_day_in_the_browser() -> TestResult {
    let app = TestApp::spawn().await?;
    let kallio = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    let aino = app
        .add_responder("aino", "Aino Virtanen", &[Language::Fi, Language::Sv, Language::En], DutyStatus::OnDuty)
        .await?;
    app.set_home_point(aino.id, kallio).await?;
    app.add_desk("veera", "Veera", kallio).await?;
    browser::run(
        "desk.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("DESK", "veera".to_owned()),
            ("OWNER_NAME", "Aino Virtanen".to_owned()),
        ],
    )
    .await?;
    // What the keyboard registered, as the router filed it.
    assert_eq!(app.count("SELECT count(*) FROM walk_in_tickets").await?, 1);
    let case = app.cases_of("+358405550199").await?.remove(0);
    assert_eq!((case.channel, case.language, case.owner_id), (Channel::WalkIn, Language::En, aino.id));
    app.teardown().await
}
