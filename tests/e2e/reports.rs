//! The SLA report behind the mayor's dashboard: figures per dimension for a
//! period, as JSON and as the same rows in CSV; for leads, the mayor and
//! admins only.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use serde_json::{Value, json};

use crate::support::{TestApp, TestResult};

#[tokio::test]
async fn the_report_breaks_cases_down_and_exports_the_same_rows() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    for (phone, area) in [("+358401960001", "Kallio"), ("+358401960002", "Kallio"), ("+358401960003", "Vuosaari")] {
        app.text(phone, "Katuvalo on rikki").await?;
        let case = app.wait_for_cases(phone, 1, Duration::from_secs(10)).await?.remove(0);
        sqlx::query("UPDATE cases SET area = $2 WHERE id = $1").bind(case.id).bind(area).execute(&app.pool).await?;
    }
    // Aino answers and resolves one Kallio case; the resident gives it a 4.
    let kallio = app.cases_of("+358401960001").await?.remove(0);
    let aino = app.sign_in("aino").await?;
    assert_eq!(aino.post(&format!("/api/v1/cases/{}/replies", kallio.id), json!({ "body": "Hoidan." })).await?.0, 201);
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/resolve", kallio.id), json!({ "summary": "Korjattu." })).await?;
    assert_eq!(status, 200);
    app.text("+358401960001", "4").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;

    let mayor = app.sign_in("backstop").await?;
    let (status, report) = mayor.get("/api/v1/reports/sla?by=area").await?;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    let row = |group: &str| rows.iter().find(|r| r["group"] == group).cloned().unwrap_or(Value::Null);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["group"], "Kallio", "largest group first");
    let k = row("Kallio");
    assert_eq!((k["cases"].as_i64(), k["open"].as_i64()), (Some(2), Some(1)));
    assert!(k["time_to_owner_p50"].as_f64().is_some_and(|s| (0.0..5.0).contains(&s)), "{k}");
    assert!(k["first_response_p50"].as_f64().is_some(), "one case was answered");
    assert!(k["resolution_p50"].as_f64().is_some());
    assert_eq!(k["first_response_within_sla"].as_f64(), Some(1.0), "the one decided clock was met");
    assert_eq!((k["satisfaction_avg"].as_f64(), k["satisfaction_answers"].as_i64()), (Some(4.0), Some(1)));
    let v = row("Vuosaari");
    assert!(v["first_response_p50"].is_null() && v["first_response_within_sla"].is_null(), "{v}");

    let (_, by_channel) = mayor.get("/api/v1/reports/sla?by=channel").await?;
    assert_eq!(by_channel["rows"][0]["group"], "sms");
    assert_eq!(by_channel["rows"][0]["cases"], 3);
    for by in ["topic", "responder", "hour"] {
        let (status, r) = mayor.get(&format!("/api/v1/reports/sla?by={by}")).await?;
        assert_eq!(status, 200, "{by}: {r}");
        assert_eq!(
            r["rows"].as_array().map(|rows| rows.iter().map(|r| r["cases"].as_i64().unwrap_or(0)).sum::<i64>()),
            Some(3)
        );
    }

    // The CSV export has exactly the rows and columns shown.
    let csv = app
        .http
        .get(format!("{}/api/v1/reports/sla?by=area&format=csv", app.console))
        .bearer_auth(mayor_token(&app).await?)
        .send()
        .await?;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers().get("content-disposition").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(".csv")));
    let text = csv.text().await?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(header.len(), rows[0].as_object().map_or(0, |o| o.len()));
    assert_eq!(header[0], "group");
    assert_eq!(lines.count(), 2);

    // Roles and bad input.
    assert_eq!(aino.get("/api/v1/reports/sla").await?.0, 403);
    for bad in
        ["by=planet", "from=2026-11-30&to=2026-11-01", "from=yesterday", "from=2020-01-01&to=2026-01-01", "colour=red"]
    {
        let (status, body) = mayor.get(&format!("/api/v1/reports/sla?{bad}")).await?;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let (status, empty) = mayor.get("/api/v1/reports/sla?from=2020-01-01&to=2020-01-31").await?;
    assert_eq!((status, empty["rows"].as_array().map(Vec::len)), (200, Some(0)));
    app.teardown().await
}

async fn mayor_token(app: &TestApp) -> TestResult<String> {
    let r: Value = app
        .http
        .post(format!("{}/api/v1/sessions", app.console))
        .json(&json!({ "username": "backstop", "password": crate::support::PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    Ok(r["token"].as_str().unwrap_or_default().to_owned())
}
