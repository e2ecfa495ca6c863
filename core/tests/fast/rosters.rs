//! Roster imports and the coverage check on real rows.

use batline_core::{
    domain::{DutyStatus, Language},
    roster,
};
use chrono::{Duration, SubsecRound, Utc};

use crate::database::{Database, TestResult};

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
    let message = format!("{:?}", refused.err());
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
