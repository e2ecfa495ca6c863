//! The never-unowned rule lives in the schema, not only in code: these
//! statements go straight to PostgreSQL, around the application.

use uuid::Uuid;

use crate::support::{TestApp, TestResult};

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

#[tokio::test]
async fn a_case_cannot_exist_without_an_owner() -> TestResult {
    let app = TestApp::spawn().await?;
    let resident = Uuid::new_v4();
    sqlx::query("INSERT INTO residents (id, phone) VALUES ($1, '+358401500000')")
        .bind(resident)
        .execute(&app.pool)
        .await?;

    let unowned = sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
         VALUES ($1, 'AAAA-BBBB', $2, NULL, 'sms', 'fi', now(), now())",
    )
    .bind(Uuid::new_v4())
    .bind(resident)
    .execute(&app.pool)
    .await;
    assert_eq!(unowned.err().as_ref().and_then(sqlstate).as_deref(), Some("23502"), "NOT NULL owner");

    let ghost_owner = sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
         VALUES ($1, 'AAAA-BBBB', $2, $3, 'sms', 'fi', now(), now())",
    )
    .bind(Uuid::new_v4())
    .bind(resident)
    .bind(Uuid::new_v4())
    .execute(&app.pool)
    .await;
    assert_eq!(ghost_owner.err().as_ref().and_then(sqlstate).as_deref(), Some("23503"), "owner must exist");

    let case = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
         VALUES ($1, 'AAAA-BBBB', $2, $3, 'sms', 'fi', now(), now())",
    )
    .bind(case)
    .bind(resident)
    .bind(app.backstop.id)
    .execute(&app.pool)
    .await?;

    let cleared = sqlx::query("UPDATE cases SET owner_id = NULL WHERE id = $1").bind(case).execute(&app.pool).await;
    assert_eq!(cleared.err().as_ref().and_then(sqlstate).as_deref(), Some("23502"));

    let removed = sqlx::query("DELETE FROM responders WHERE id = $1").bind(app.backstop.id).execute(&app.pool).await;
    assert_eq!(removed.err().as_ref().and_then(sqlstate).as_deref(), Some("23503"), "an owner cannot be deleted");

    let second_open = sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
         VALUES ($1, 'CCCC-DDDD', $2, $3, 'sms', 'fi', now(), now())",
    )
    .bind(Uuid::new_v4())
    .bind(resident)
    .bind(app.backstop.id)
    .execute(&app.pool)
    .await;
    assert_eq!(second_open.err().as_ref().and_then(sqlstate).as_deref(), Some("23505"), "one open case per resident");

    let bad_code =
        sqlx::query("UPDATE cases SET tracking_code = 'IIII-LLLL' WHERE id = $1").bind(case).execute(&app.pool).await;
    assert_eq!(bad_code.err().as_ref().and_then(sqlstate).as_deref(), Some("23514"), "Crockford alphabet only");

    let second_backstop =
        sqlx::query("INSERT INTO responders (id, username, display_name, password_hash, is_backstop) VALUES ($1, 'b2', 'B2', 'x', true)")
            .bind(Uuid::new_v4())
            .execute(&app.pool)
            .await;
    assert_eq!(second_backstop.err().as_ref().and_then(sqlstate).as_deref(), Some("23505"), "a single backstop");
    app.teardown().await
}

#[tokio::test]
async fn the_router_refuses_to_start_without_a_backstop() -> TestResult {
    let app = TestApp::spawn().await?;
    sqlx::query("UPDATE responders SET is_backstop = false").execute(&app.pool).await?;
    let err = batline_router::ensure_backstop(&app.pool).await.err();
    assert!(matches!(err, Some(batline_core::Error::NoBackstop)));
    assert!(err.is_some_and(|e| e.to_string().contains("batline responder add --backstop")));
    app.teardown().await
}
