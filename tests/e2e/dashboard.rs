//! The mayor's dashboard page: in the browser (tests/browser/dashboard.mjs)
//! and its downloads, which must hold exactly the table shown.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use chrono::Utc;

use crate::{
    browser,
    support::{PASSWORD, TestApp, TestResult},
};

#[tokio::test]
async fn the_dashboard_follows_the_period_and_breakdown_chosen() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mayor = app.add_responder("mayor", "Pormestari", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'mayor' WHERE id = $1").bind(mayor.id).execute(&app.pool).await?;
    // The districts the map draws.
    app.load_helsinki_areas().await?;
    // Three recent cases in Kallio, three from six weeks back in Vuosaari.
    for (i, (area, days_ago)) in
        [("Kallio", 2), ("Kallio", 3), ("Kallio", 3), ("Vuosaari", 40), ("Vuosaari", 42), ("Vuosaari", 45)]
            .iter()
            .enumerate()
    {
        let phone = format!("+35840555070{i}");
        app.text(&phone, "Katuvalo on rikki pihatiellä").await?;
        let case = app.wait_for_cases(&phone, 1, Duration::from_secs(10)).await?.remove(0);
        sqlx::query(
            "UPDATE cases SET area = $2, opened_at = opened_at - make_interval(days => $3),
                              owner_assigned_at = owner_assigned_at - make_interval(days => $3) WHERE id = $1",
        )
        .bind(case.id)
        .bind(area)
        .bind(days_ago)
        .execute(&app.pool)
        .await?;
    }
    let long_ago = (Utc::now() - chrono::Duration::days(60)).with_timezone(&batline_core::roster::TZ).date_naive();
    browser::run(
        "dashboard.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("MAYOR", "mayor".to_owned()),
            ("LONG_AGO", long_ago.to_string()),
        ],
    )
    .await?;

    // The downloads hold the rows the page shows.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&http, &app.console, "mayor").await?;
    let base = format!("{}/dashboard/export?from={long_ago}&by=area", app.console);
    let csv = http.get(format!("{base}&format=csv")).header("Cookie", &cookie).send().await?;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str()?.contains(".csv"));
    let csv = csv.text().await?;
    let mut lines = csv.lines();
    assert!(lines.next().unwrap_or_default().starts_with("group,cases,"));
    let mut rows: Vec<&str> = lines.collect();
    rows.sort();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("Kallio,3,") && rows[1].starts_with("Vuosaari,3,"), "{csv}");
    let json: serde_json::Value =
        http.get(format!("{base}&format=json")).header("Cookie", &cookie).send().await?.json().await?;
    let cases: Vec<i64> = json["rows"].as_array().into_iter().flatten().filter_map(|r| r["cases"].as_i64()).collect();
    assert_eq!(cases, [3, 3]);

    // Responders do not see it.
    let aino = crate::roles::web_session(&http, &app.console, "aino").await?;
    assert_eq!(http.get(format!("{}/dashboard", app.console)).header("Cookie", &aino).send().await?.status(), 403);
    assert_eq!(http.get(format!("{base}&format=csv")).header("Cookie", &aino).send().await?.status(), 403);
    app.teardown().await
}
