//! Roster imports and the coverage check on real rows.

use batline_core::{
    domain::{DutyStatus, Language},
    roster,
};
use chrono::{Duration, SubsecRound, Utc};

use crate::database::{Database, TestResult};

/// The import's refusal, as its message, with nothing stored.
async fn refused(db: &Database, rows: &str) -> TestResult<String> {
    let shifts = roster::parse_csv(&format!("date,start,end,area,lead,members\n{rows}"))?;
    let message = match roster::import(&db.pool, &shifts).await {
        Ok(n) => format!("imported {n} shifts"),
        Err(e) => e.to_string(),
    };
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM shifts").fetch_one(&db.pool).await?;
    assert_eq!(stored, 0, "all rows or none: {message}");
    Ok(message)
}

#[tokio::test]
async fn an_import_naming_someone_unknown_stores_nothing_and_names_the_row() -> TestResult {
    let db = Database::fresh().await?;
    db.responder("linnea", &[Language::Sv], DutyStatus::Off, 5).await?;
    let shifts = roster::parse_csv(
        "date,start,end,area,lead,members\n\
         2026-12-07,08:00,16:00,Kallio,linnea,\n\
         2026-12-08,08:00,16:00,Kallio,linnea,nobody\n",
    )?;
    let refused = roster::import(&db.pool, &shifts).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("row 2") && message.contains("nobody"), "{message}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM shifts").fetch_one(&db.pool).await?;
    assert_eq!(stored, 0, "all rows or none");
    db.drop().await
}

#[tokio::test]
async fn coverage_gaps_are_the_stretches_without_a_running_shift() -> TestResult {
    let db = Database::fresh().await?;
    db.responder("linnea", &[Language::Sv, Language::Fi], DutyStatus::Off, 5).await?;
    // Whole seconds: PostgreSQL keeps microseconds, and the gap's edges are compared exactly.
    let now = Utc::now().trunc_subsecs(0);
    let shift = roster::PlannedShift {
        row: 1,
        area: Some("Kallio".into()),
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::hours(6),
        lead: "linnea".into(),
        members: vec![],
    };
    assert_eq!(roster::import(&db.pool, &[shift]).await?, 1);

    let gaps = roster::check(&db.pool, now, 1).await?;
    let kallio: Vec<_> = gaps.iter().filter(|g| g.kind == "area" && g.value == "Kallio").collect();
    assert_eq!(kallio.len(), 1, "{gaps:?}");
    assert_eq!(kallio[0].from, now + Duration::hours(6), "covered until the shift ends");
    assert_eq!(kallio[0].to, now + Duration::days(1));
    assert!(
        !gaps.iter().any(|g| g.kind == "language" && g.value == "sv" && g.from < now + Duration::hours(6)),
        "a Swedish speaker leads the running shift: {gaps:?}"
    );
    db.drop().await
}

#[tokio::test]
async fn absurd_dates_and_repeated_rows_are_refused_with_the_row_named() -> TestResult {
    let db = Database::fresh().await?;
    db.responder("linnea", &[Language::Fi], DutyStatus::Off, 5).await?;
    db.responder("mikko", &[Language::Fi], DutyStatus::Off, 5).await?;
    let tomorrow = (Utc::now() + Duration::days(1)).with_timezone(&roster::TZ).format("%Y-%m-%d");
    let fine = format!("{tomorrow},08:00,16:00,Vuosaari,linnea,mikko\n");

    let message = refused(&db, &format!("{fine}1900-01-01,08:00,16:00,Vuosaari,linnea,mikko\n")).await?;
    assert!(message.contains("row 2") && message.contains("1900-01-01"), "{message}");
    let message = refused(&db, &format!("{fine}9999-12-02,08:00,16:00,Vuosaari,linnea,mikko\n")).await?;
    assert!(message.contains("row 2") && message.contains("9999-12-02"), "{message}");
    let far = (Utc::now() + Duration::days(roster::WINDOW_DAYS + 2)).with_timezone(&roster::TZ).format("%Y-%m-%d");
    let message = refused(&db, &format!("{fine}{far},08:00,16:00,,linnea,\n")).await?;
    assert!(message.contains("row 2"), "{message}");

    let message = refused(&db, &format!("{fine}{tomorrow},22:00,06:00,,mikko,\n{fine}")).await?;
    assert!(message.contains("row 3") && message.contains("row 1"), "a repeated row: {message}");
    db.drop().await
}

#[tokio::test]
async fn only_roles_that_own_cases_may_lead_or_staff_a_shift() -> TestResult {
    let db = Database::fresh().await?;
    db.responder("linnea", &[Language::Fi], DutyStatus::Off, 5).await?;
    let veera = db.responder("veera", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    sqlx::query("UPDATE responders SET role = 'desk' WHERE id = $1").bind(veera.id).execute(&db.pool).await?;
    let tomorrow = (Utc::now() + Duration::days(1)).with_timezone(&roster::TZ).format("%Y-%m-%d");

    let message = refused(&db, &format!("{tomorrow},08:00,16:00,,linnea,\n{tomorrow},16:00,22:00,,veera,\n")).await?;
    assert!(message.contains("row 2") && message.contains("veera") && message.contains("lead"), "{message}");
    let message = refused(&db, &format!("{tomorrow},08:00,16:00,,linnea,veera\n")).await?;
    assert!(message.contains("row 1") && message.contains("veera") && message.contains("member"), "{message}");
    db.drop().await
}
