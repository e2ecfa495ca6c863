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

/// The rule a refused write broke, as PostgreSQL names it.
fn broken_rule(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23514") => db.constraint().map(str::to_owned),
        _ => None,
    }
}

/// The rules of `cases`, `messages` and `responders` are tested by one
/// function each, called by one CHECK (migration `…170_table_rules_in_one_check`).
/// Every rule must still refuse the row that breaks it, as a check violation
/// named as its old constraint was. The rules listed here are compared with
/// those the functions name, so a rule added there without a case here fails.
#[tokio::test]
async fn every_table_rule_refuses_the_row_that_breaks_it_by_name() -> TestResult {
    let app = TestApp::spawn().await?;
    let (resident, case, responder) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let (inbound, outbound) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query("INSERT INTO residents (id, phone) VALUES ($1, '+358401500001')")
        .bind(resident)
        .execute(&app.pool)
        .await?;
    sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
         VALUES ($1, 'AAAA-BBBB', $2, $3, 'sms', 'fi', now(), now())",
    )
    .bind(case)
    .bind(resident)
    .bind(app.backstop.id)
    .execute(&app.pool)
    .await?;
    sqlx::query(
        "INSERT INTO messages (id, case_id, direction, channel, kind, body, delivery_status)
         VALUES ($1, $3, 'inbound', 'sms', 'resident', 'Hei', NULL), ($2, $3, 'outbound', 'sms', 'auto_reply', 'Kiitos', 'pending')",
    )
    .bind(inbound)
    .bind(outbound)
    .bind(case)
    .execute(&app.pool)
    .await?;
    sqlx::query(
        "INSERT INTO responders (id, username, display_name, password_hash) VALUES ($1, 'rules', 'Rules', 'x')",
    )
    .bind(responder)
    .execute(&app.pool)
    .await?;

    // Each: a rule, a write that breaks it and no rule its function tests
    // before it, and the row written.
    let cases = "UPDATE cases SET";
    let on_case = "WHERE id = $1";
    let breaks: Vec<(&str, String, Uuid)> = vec![
        ("cases_tracking_code_check", format!("{cases} tracking_code = 'IIII-LLLL' {on_case}"), case),
        ("cases_channel_check", format!("{cases} channel = 'fax' {on_case}"), case),
        ("cases_language_check", format!("{cases} language = 'de' {on_case}"), case),
        ("cases_status_check", format!("{cases} status = 'closed' {on_case}"), case),
        ("cases_check", format!("{cases} status = 'resolved', resolution_summary = 'x' {on_case}"), case),
        ("cases_check1", format!("{cases} status = 'resolved', resolved_at = now() {on_case}"), case),
        ("cases_check2", format!("{cases} satisfaction_score = 3 {on_case}"), case),
        (
            "cases_satisfaction_score_check",
            format!("{cases} satisfaction_score = 6, satisfaction_at = now() {on_case}"),
            case,
        ),
        ("cases_priority_check", format!("{cases} priority = 'whenever' {on_case}"), case),
        ("cases_reopened_count_check", format!("{cases} reopened_count = -1 {on_case}"), case),
        ("cases_location_by", format!("{cases} location_label = 'x', location_by = 'guess' {on_case}"), case),
        ("cases_location_label_length", format!("{cases} location_label = '', location_by = 'text' {on_case}"), case),
        (
            "cases_location_on_earth",
            format!(
                "{cases} location_label = 'x', location_by = 'text', location_lon = 200, location_lat = 0 {on_case}"
            ),
            case,
        ),
        ("cases_location_point_needs_label", format!("{cases} location_lon = 0, location_lat = 0 {on_case}"), case),
        (
            "cases_location_point_whole",
            format!("{cases} location_label = 'x', location_by = 'text', location_lon = 0 {on_case}"),
            case,
        ),
        ("cases_location_whole", format!("{cases} location_label = 'x' {on_case}"), case),
        ("cases_merged_is_closed", format!("{cases} merged_into = id {on_case}"), case),
        (
            "cases_not_merged_into_itself",
            format!(
                "{cases} status = 'resolved', resolved_at = now(), resolution_summary = 'x', merged_into = id {on_case}"
            ),
            case,
        ),
        ("messages_direction_check", "UPDATE messages SET direction = 'sideways' WHERE id = $1".into(), inbound),
        ("messages_channel_check", "UPDATE messages SET channel = 'fax' WHERE id = $1".into(), inbound),
        ("messages_kind_check", "UPDATE messages SET kind = 'shout' WHERE id = $1".into(), inbound),
        (
            "messages_delivery_status_check",
            "UPDATE messages SET delivery_status = 'lost' WHERE id = $1".into(),
            outbound,
        ),
        ("messages_check", "UPDATE messages SET delivery_status = 'sent' WHERE id = $1".into(), inbound),
        ("messages_check1", "UPDATE messages SET read_at = now() WHERE id = $1".into(), outbound),
        ("messages_check2", "UPDATE messages SET to_address = 'x' WHERE id = $1".into(), outbound),
        (
            "messages_recording_seconds_check",
            "UPDATE messages SET recording_seconds = -1 WHERE id = $1".into(),
            inbound,
        ),
        ("responders_username_safe", "UPDATE responders SET username = 'Bad Name' WHERE id = $1".into(), responder),
        (
            "responders_display_name_visible",
            "UPDATE responders SET display_name = 'Eve' || chr(8203) WHERE id = $1".into(),
            responder,
        ),
        (
            "responders_duty_status_check",
            "UPDATE responders SET duty_status = 'asleep' WHERE id = $1".into(),
            responder,
        ),
        ("responders_role_check", "UPDATE responders SET role = 'king' WHERE id = $1".into(), responder),
        ("responders_capacity_check", "UPDATE responders SET capacity = -1 WHERE id = $1".into(), responder),
        ("responders_open_cases_check", "UPDATE responders SET open_cases = -1 WHERE id = $1".into(), responder),
    ];

    for (rule, write, row) in &breaks {
        let refused = sqlx::query(write).bind(row).execute(&app.pool).await;
        assert_eq!(refused.err().as_ref().and_then(broken_rule).as_deref(), Some(*rule), "{write}");
    }
    // A new row is held to the same rules as a changed one.
    let bad_new = sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
         VALUES ($1, 'CCCC-DDDD', $2, $3, 'fax', 'fi', now(), now())",
    )
    .bind(Uuid::new_v4())
    .bind(resident)
    .bind(app.backstop.id)
    .execute(&app.pool)
    .await;
    assert_eq!(bad_new.err().as_ref().and_then(broken_rule).as_deref(), Some("cases_channel_check"));

    let mut named: Vec<String> = sqlx::query_scalar(
        "SELECT m[1] FROM pg_proc, regexp_matches(prosrc, 'rule_broken\\(''\\w+'', ''(\\w+)''\\)', 'g') AS m
         WHERE proname LIKE '%\\_rules\\_hold'",
    )
    .fetch_all(&app.pool)
    .await?;
    named.sort();
    let mut tested: Vec<String> = breaks.iter().map(|(rule, ..)| (*rule).to_owned()).collect();
    tested.sort();
    assert_eq!(tested, named, "every rule the functions test is broken once here");
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

/// `docs/schema.sql` is the schema the migrations build, as `pg_dump
/// --schema-only` prints it (tables, constraints, indexes, functions and
/// triggers), so nobody has to replay the migrations in their head to know
/// what the database looks like. This fails when a migration changes the
/// schema and the file was not regenerated; `BATLINE_BLESS=1 cargo test
/// --test e2e schema::` writes it anew.
#[tokio::test]
async fn docs_schema_sql_is_the_schema_the_migrations_build() -> TestResult {
    let database_url = format!("postgres://postgres@127.0.0.1:5432/batline_schema_{}", Uuid::new_v4().simple());
    let pool = batline_core::db::connect_and_migrate(&database_url, 2).await?;
    pool.close().await;
    let dumped = tokio::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "--exclude-table=_sqlx_migrations", &database_url])
        .output()
        .await;
    batline_core::db::drop_database(&database_url).await?;
    let dumped = dumped.map_err(|e| anyhow::anyhow!("running pg_dump (PostgreSQL's client tools): {e}"))?;
    anyhow::ensure!(dumped.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&dumped.stderr));
    let schema = normalised(&String::from_utf8(dumped.stdout)?);

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.sql");
    if std::env::var_os("BATLINE_BLESS").is_some() {
        std::fs::write(path, &schema)?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == schema,
        "docs/schema.sql is not the schema the migrations build; regenerate it with \
         `BATLINE_BLESS=1 cargo test --test e2e schema::` and commit it"
    );
    Ok(())
}

/// The dump without what changes from run to run or version to version:
/// comments, session settings, pg_dump's per-run `\restrict` keys, and
/// runs of blank lines; a header says where it comes from.
fn normalised(dump: &str) -> String {
    let mut out = String::from(
        "-- Batline's database schema as the migrations in migrations/ build it, generated by\n\
         -- `BATLINE_BLESS=1 cargo test --test e2e schema::` (pg_dump --schema-only); do not edit.\n",
    );
    let mut blank = false;
    for line in dump.lines() {
        let skipped = line.starts_with("--")
            || line.starts_with("SET ")
            || line.starts_with("SELECT pg_catalog.set_config")
            || line.starts_with("\\restrict")
            || line.starts_with("\\unrestrict");
        if skipped {
            continue;
        }
        if line.trim().is_empty() {
            blank = true;
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
