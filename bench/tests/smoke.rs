//! A short, bounded run of `batline-bench sms`'s driver against the test app: the
//! benchmark's own machinery works and nothing under a burst goes unowned.
//! Its figures are printed, not asserted; speed is judged by `batline-bench sms`.

use std::time::Duration;

use batline_bench::sms::{BenchArgs, drive};
use batline_core::domain::{DutyStatus, Language};

use batline_test_kit::app::{PUBLIC_URL, TestApp, TestResult};

#[tokio::test]
async fn a_burst_of_signed_sms_all_reach_a_named_owner() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let args = BenchArgs { count: 200, rate: 0, concurrency: 16, gateway: None, drain_seconds: 60 };
    let report = drive(&app.pool, &app.phone, &app.gateway, PUBLIC_URL, &args).await?;
    println!("{report}");
    assert_eq!(report.accepted, 200);
    assert_eq!(report.owned, 200);
    app.wait_all_filed(Duration::from_secs(10)).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 200);
    app.teardown().await
}

#[tokio::test]
async fn concurrent_calls_are_all_answered_with_twiml() -> TestResult {
    use batline_bench::voice::{VoiceBenchArgs, drive};
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_phone(aino.id, "+358401110099").await?;
    let args = VoiceBenchArgs { calls: 60, concurrency: 12, gateway: None };
    let report = drive(&app.phone, &app.gateway, PUBLIC_URL, &args).await?;
    println!("{report}");
    assert_eq!(report.failed, 0);
    assert_eq!(report.dialled + report.call_back + report.held, 60);
    app.wait_all_filed(Duration::from_secs(20)).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases WHERE channel = 'voice'").await?, 60);
    app.teardown().await
}

#[tokio::test]
async fn idle_chat_sockets_are_held_and_replies_reach_them() -> TestResult {
    use batline_bench::chat::{ChatBenchArgs, Target, drive};

    use batline_test_kit::app::{Options, PASSWORD};
    let options =
        Options { env: vec![("BATLINE_CHAT_CONNECTIONS_PER_ADDRESS", "300".to_owned())], ..Default::default() };
    let app = TestApp::spawn_with(options).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let args = ChatBenchArgs { sockets: 200, replies: 40, conversations: 4 };
    let target = Target {
        gateway: app.gateway.clone(),
        console: app.console.clone(),
        pool: &app.pool,
        responders: vec!["aino".into(), "mikko".into()],
        password: PASSWORD.to_owned(),
        gateway_pid: None,
    };
    let report = drive(&target, &args).await?;
    println!("{report}");
    assert_eq!(report.sockets, 200);
    assert_eq!(report.replies, 40, "every timed reply reached its socket");
    assert_eq!(app.count("SELECT count(*) FROM cases WHERE channel = 'chat'").await?, 4);
    app.teardown().await
}

#[tokio::test]
async fn a_short_mixed_run_measures_the_floor_and_loses_nothing() -> TestResult {
    use batline_bench::mixed::{MixedBenchArgs, drive};
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let point = app.add_walk_in_point("Kallio", "Kallio").await?;
    app.add_desk("desk", "Tiski", point).await?;
    let args = MixedBenchArgs {
        floor_messages: 300,
        contacts: 60,
        half_seconds: 2,
        burst_rate: 30,
        burst_seconds: 2,
        concurrency: 8,
        burst_concurrency: 64,
        mix: "3,1,1,1".into(),
        gateway: None,
        console: None,
        desk: "desk".into(),
        desk_password: batline_test_kit::app::PASSWORD.into(),
        drain_seconds: 60,
        contact_floor: None,
        responders: 0,
    };
    let report = drive(&app.config, &app.pool, (&app.gateway, &app.console), &args).await?;
    println!("{report}");
    assert!(report.floor > 0.0);
    assert_eq!((report.sustained.accepted, report.sustained.owned), (60, 60), "every contact of the run is owned");
    // What the contacts cost is measured, never nothing: a filing is at
    // least one transaction, and Batline and PostgreSQL did some work.
    let cost = report.cost.as_ref().ok_or_else(|| anyhow::anyhow!("no cost measured"))?;
    assert_eq!(cost.contacts, 60);
    assert!(cost.transactions >= 60, "{cost:?}");
    assert!(cost.cpu.postgres > 0 && cost.cpu.machine > 0, "{cost:?}");
    // Where the server counts statements, a filing is several, and the
    // costliest of them are named (a case is always inserted).
    if let Some(statements) = cost.statements {
        assert!(statements >= 60 * 5, "{cost:?}");
        assert!(cost.costliest.iter().any(|s| s.query.contains("INSERT INTO cases")), "{:?}", cost.costliest);
    }
    // The probes beside the half load made commits and publishes, and
    // every contact over the tail target is named with what they saw.
    let watched = report.half_watched.summary();
    assert!(watched.commits.0 > 0 && watched.publishes.0 > 0, "{watched:?}");
    assert_eq!(report.half_watched.failed, 0);
    assert!(report.half.slowest.iter().all(|s| s.filed_at > s.received_at), "{:?}", report.half.slowest);
    let burst = report.burst.ok_or_else(|| anyhow::anyhow!("the burst ran"))?;
    assert_eq!(burst.accepted as i64, burst.owned, "nothing lost in the burst");
    for channel in ["sms", "voice", "chat", "walk_in"] {
        let n = app.count(&format!("SELECT count(*) FROM cases WHERE channel = '{channel}'")).await?;
        assert!(n > 0, "the mix reached {channel}");
    }
    app.teardown().await
}

#[tokio::test]
async fn a_realistic_city_grows_the_roster_across_districts_and_topics() -> TestResult {
    let app = TestApp::spawn().await?;
    app.load_helsinki_areas().await?;
    let city = batline_bench::city::grow(&app.pool, 40).await?;
    assert_eq!(city.responders, 40, "{city:?}");
    assert!(city.districts > 5 && city.topics > 3, "{city:?}");
    let spread = app
        .count(
            "SELECT count(DISTINCT a) FROM responders, unnest(areas) a
              WHERE duty_status = 'on_duty' AND cardinality(topics) > 0",
        )
        .await?;
    assert!(spread >= 10, "the added responders cover many districts: {spread}");
    // Grown again to the same size, it adds nobody.
    assert_eq!(batline_bench::city::grow(&app.pool, 40).await?.responders, 40);
    app.teardown().await
}

#[tokio::test]
async fn the_dashboard_benchmark_loads_times_and_drops_its_database() -> TestResult {
    use batline_bench::dashboard::{DashboardBenchArgs, measure};
    let config = batline_core::Config::from_lookup(|name| {
        (name == "DATABASE_URL").then(|| "postgres://postgres@127.0.0.1:5432/batline_bench_smoke".to_owned())
    })?;
    let args = DashboardBenchArgs { cases: 20_000, responders: 40, runs: 1, keep_database: false, existing: None };
    let report = measure(&config, &args).await?;
    println!("{report}");
    assert_eq!(report.cases, 20_000);
    assert!(report.events > 4 * 20_000, "opened, assigned, acknowledged, replied, resolved and more per case");
    assert_eq!(report.timings.len(), 9);
    for timing in &report.timings {
        assert!(timing.rows > 0, "{} answered nothing", timing.query);
    }
    let by_area = report.timings.iter().find(|t| t.query == "report by area").map(|t| t.rows);
    assert_eq!(by_area, Some(10), "ten districts");
    assert_eq!(report.held.0, 20_000, "every case is held in memory");
    let admin = batline_core::db::connect("postgres://postgres@127.0.0.1:5432/postgres", 1).await?;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(&report.database)
        .fetch_one(&admin)
        .await?;
    assert_eq!(left, 0, "the scratch database is dropped");
    Ok(())
}
