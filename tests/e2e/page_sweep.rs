//! Every page in every language at a desktop's and a phone's width, through
//! axe-core, and none scrolling sideways at 320 px: the browser walk is
//! `tests/browser/sweep.mjs`; this sets the scene every page needs to show
//! something (a case, a walk-in point, the city's districts, each role).

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language, Role};

use crate::{
    browser,
    support::{PASSWORD, TestApp, TestResult},
};

#[tokio::test]
async fn every_page_passes_axe_in_three_languages_and_fits_a_phone() -> TestResult {
    let app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    let kallio = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    let everyone = [Language::Fi, Language::Sv, Language::En];
    let aino = app.add_responder("aino", "Aino Virtanen", &everyone, DutyStatus::OnDuty).await?;
    for (username, name, role) in
        [("liisa", "Liisa", Role::Lead), ("pormestari", "Pormestari", Role::Mayor), ("hanna", "Hanna", Role::Admin)]
    {
        app.add_responder(username, name, &everyone, DutyStatus::Off).await?;
        app.set_role(username, role).await?;
    }
    app.add_desk("veera", "Veera", kallio).await?;
    const RESIDENT: &str = "+358405550901";
    app.text(RESIDENT, "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    // A city app with a key, and its report: the Open311 keys page and an
    // Open311 case's page have something to show.
    let key = batline_core::open311_keys::new_key();
    let digest = batline_core::open311_keys::digest(&key);
    let hint = batline_core::open311_keys::hint(&key);
    batline_core::store::open311::add_client(&app.pool, "Palautesovellus", &digest, &hint, aino.id).await?;
    let report = [
        ("api_key", key.as_str()),
        ("service_code", "parks"),
        ("address_string", "Fleminginkatu 12"),
        ("description", "Puiston penkki on rikki"),
        ("first_name", "Maija"),
        ("email", "maija@example.fi"),
    ];
    let posted = app.http.post(format!("{}/open311/v2/requests.json", app.gateway)).form(&report).send().await?;
    assert_eq!(posted.status(), 200);
    let open311_case: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM cases WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    browser::run_for(
        "sweep.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("GATEWAY", app.gateway.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("CASE_ID", case.id.to_string()),
            ("OPEN311_CASE_ID", open311_case.to_string()),
            ("TRACKING_CODE", case.tracking_code.clone()),
            ("RESPONDER_ID", aino.id.to_string()),
        ],
        // 24 pages × 3 languages × 3 widths: longer than one person's walk.
        Duration::from_secs(600),
    )
    .await?;
    app.teardown().await
}
