//! The chat and the tracking page in headless Chromium (tests/browser/chat.mjs):
//! a resident writes, sees the owner, gets a reply sent through the console
//! API, reloads, answers the satisfaction question and opens the tracking
//! page; axe-core checks each page. A city page at an allowed origin then
//! opens the chat through `/chat/embed.js`. And a new chat refused over
//! the per-address bound tells the resident why (tests/browser/chat_refused.mjs).

use batline_core::domain::{DutyStatus, Language};

use crate::{
    browser,
    support::{BATLINE_NUMBER, Options, PASSWORD, TestApp, TestResult},
};

#[tokio::test]
async fn a_resident_chats_reloads_and_follows_the_case_in_a_browser() -> TestResult {
    // The city site allowed to embed the chat: the script serves it on a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let city = format!("http://localhost:{port}");
    let options = Options { env: vec![("BATLINE_CHAT_ORIGINS", city.clone())], ..Default::default() };
    let app = TestApp::spawn_with(options).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let env = [
        ("GATEWAY", app.gateway.clone()),
        ("CONSOLE", app.console.clone()),
        ("RESPONDER", "aino".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
        ("CITY_ORIGIN", city),
    ];
    browser::run("chat.mjs", &env).await?;
    app.teardown().await
}

#[tokio::test]
async fn a_refused_new_chat_tells_the_resident_to_try_later_or_call() -> TestResult {
    let env = vec![("BATLINE_CHAT_NEW_PER_HOUR", "1".to_owned()), ("BATLINE_CHAT_NEW_BURST", "1".to_owned())];
    let app = TestApp::spawn_with(Options { env, ..Default::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::Sv, Language::En], DutyStatus::OnDuty).await?;
    browser::run("chat_refused.mjs", &[("GATEWAY", app.gateway.clone()), ("LINE", BATLINE_NUMBER.to_owned())]).await?;
    assert_eq!(
        app.count("SELECT count(*) FROM cases WHERE channel = 'chat'").await?,
        1,
        "the refused chat opened none"
    );
    app.teardown().await
}

/// "Share my location": the point the browser gives becomes the case's
/// place and district, told to the resident in the chat.
#[tokio::test]
async fn a_resident_shares_their_location_in_the_chat() -> TestResult {
    let mut app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    // The routers read the map at start.
    app.restart_router().await?;
    app.add_responder("aino", "Aino", &[Language::En], DutyStatus::OnDuty).await?;
    // The /area test's point in Vuosaari.
    let (lat, lon) = ("60.2096", "25.1436");
    browser::run("chat_location.mjs", &[("GATEWAY", app.gateway.clone()), ("LAT", lat.into()), ("LON", lon.into())])
        .await?;
    let place: (Option<String>, Option<String>, Option<f64>, Option<String>) =
        sqlx::query_as("SELECT location_by, area, location_lat, location_label FROM cases WHERE channel = 'chat'")
            .fetch_one(&app.pool)
            .await?;
    assert_eq!((place.0.as_deref(), place.1.as_deref()), (Some("shared"), Some("Vuosaari")), "{place:?}");
    assert!(place.2.is_some_and(|l| (l - 60.2096).abs() < 1e-6), "{place:?}");
    assert!(place.3.is_some_and(|l| l.ends_with("Vuosaari")), "named by its sub-district and district");
    app.teardown().await
}
