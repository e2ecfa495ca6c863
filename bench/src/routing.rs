//! `batline-bench routing`: the routing engine under a large city. Builds a
//! scratch database (its own, dropped afterwards) with many responders and
//! open cases, then measures
//!
//! - decision latency: `choose_owner` alone, in transactions rolled back;
//! - assignments per second: a batch of contacts filed by one router, then
//!   by three, each with its own bus connection, through a fresh namespace.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use batline_core::{
    Config,
    bus::{self, Bus, BusMessage},
    db,
    domain::{Channel, Language},
    outbox::Outbox,
    store::{self, intake::NewIntake, responders::Needs},
    tracking_code::TrackingCode,
};
use clap::Args;
use rand::seq::SliceRandom;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Options of `batline-bench routing`.
#[derive(Debug, Clone, Args)]
pub struct RoutingBenchArgs {
    /// Responders on duty.
    #[arg(long, default_value_t = 500)]
    pub responders: usize,
    /// Open cases already owned before the run.
    #[arg(long, default_value_t = 50_000)]
    pub open_cases: usize,
    /// Owner decisions timed for the latency figures.
    #[arg(long, default_value_t = 2_000)]
    pub decisions: usize,
    /// Contacts filed per router configuration.
    #[arg(long, default_value_t = 2_000)]
    pub contacts: usize,
}

/// `batline-bench routing` as a command.
pub async fn run(config: Config, args: RoutingBenchArgs) -> anyhow::Result<()> {
    let scratch = format!("batline_bench_routing_{}", Uuid::new_v4().simple());
    let mut url = url::Url::parse(&config.database_url)?;
    url.set_path(&format!("/{scratch}"));
    let database_url = url.to_string();
    println!(
        "batline-bench routing: {} responders, {} open cases, scratch database {scratch}",
        args.responders, args.open_cases
    );
    let result = measure(&config, &database_url, &args).await;
    db::drop_database(&database_url).await?;
    result
}

async fn measure(config: &Config, database_url: &str, args: &RoutingBenchArgs) -> anyhow::Result<()> {
    let pool = db::connect_and_migrate(database_url, 20).await?;
    let seeding = Instant::now();
    seed(&pool, args).await?;
    println!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let mut latencies = Vec::with_capacity(args.decisions);
    let languages = [Language::Fi, Language::Sv, Language::En];
    for i in 0..args.decisions {
        let needs = Needs {
            language: languages[i % 3],
            area: None,
            topic: None,
            previous_owner: None,
            at_point: None,
            prefer_present: false,
            presence_window: std::time::Duration::from_secs(180),
        };
        let mut tx = pool.begin().await?;
        let started = Instant::now();
        batline_core::assign::choose_owner(&mut tx, &needs, &[], chrono::Utc::now()).await?;
        latencies.push(started.elapsed());
        tx.rollback().await?;
    }
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
    println!(
        "decision latency        p50 {:.2} ms   p99 {:.2} ms  ({} decisions)",
        pct(0.5),
        pct(0.99),
        latencies.len()
    );

    let mut rates = Vec::new();
    for routers in [1usize, 3] {
        let rate = file_batch(config, database_url, &pool, routers, args.contacts).await?;
        println!("assignments with {routers} router{}  {rate:.0} /s", if routers == 1 { " " } else { "s" });
        rates.push(rate);
    }
    println!("speed-up 1 -> 3 routers  {:.2}x", rates[1] / rates[0]);
    pool.close().await;
    Ok(())
}

async fn seed(pool: &PgPool, args: &RoutingBenchArgs) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO responders (id, username, display_name, password_hash, languages, areas, duty_status, capacity)
         SELECT gen_random_uuid(), 'r' || i, 'Responder ' || i, 'x',
                CASE i % 3 WHEN 0 THEN '{fi,en}'::text[] WHEN 1 THEN '{fi,sv}'::text[] ELSE '{fi,sv,en}'::text[] END,
                ARRAY[(ARRAY['Kallio', 'Vuosaari', 'Kamppi', 'Pasila'])[1 + i % 4]], 'on_duty', $2
         FROM generate_series(1, $1) i",
    )
    .bind(args.responders as i64)
    // Room for the seeded load and the batches that follow.
    .bind(i32::try_from(args.open_cases / args.responders.max(1) * 2 + 100)?)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO responders (id, username, display_name, password_hash, is_backstop) VALUES ($1, 'backstop', 'Backstop', 'x', true)",
    )
    .bind(Uuid::new_v4())
    .execute(pool)
    .await?;
    let owners: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM responders WHERE NOT is_backstop").fetch_all(pool).await?;
    let mut rng = rand::thread_rng();
    for chunk in (0..args.open_cases).collect::<Vec<_>>().chunks(5_000) {
        let residents: Vec<Uuid> = chunk.iter().map(|_| Uuid::new_v4()).collect();
        let phones: Vec<String> = chunk.iter().map(|i| format!("+3585{i:08}")).collect();
        let codes: Vec<String> = chunk.iter().map(|_| TrackingCode::generate().to_string()).collect();
        let case_owners: Vec<Uuid> = chunk.iter().filter_map(|_| owners.choose(&mut rng).copied()).collect();
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO residents (id, phone) SELECT * FROM UNNEST($1::uuid[], $2::text[])")
            .bind(&residents)
            .bind(&phones)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at, owner_assigned_at)
             SELECT gen_random_uuid(), code, resident, owner, 'sms', 'fi', now(), now()
             FROM UNNEST($1::text[], $2::uuid[], $3::uuid[]) AS t(code, resident, owner)
             ON CONFLICT (tracking_code) DO NOTHING",
        )
        .bind(&codes)
        .bind(&residents)
        .bind(&case_owners)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// Files `contacts` new contacts with `routers` routers; returns filings per second.
async fn file_batch(
    config: &Config,
    database_url: &str,
    pool: &PgPool,
    routers: usize,
    contacts: usize,
) -> anyhow::Result<f64> {
    let namespace = format!("bench_routing_{}", Uuid::new_v4().simple());
    let mut router_config = config.clone();
    router_config.database_url = database_url.to_owned();
    router_config.bus_namespace = namespace.clone();
    let router_config = Arc::new(router_config);
    let shutdown = CancellationToken::new();

    let mut handles = Vec::new();
    for _ in 0..routers {
        let bus = Bus::start(&config.amqp_url, &namespace, shutdown.clone());
        bus.wait_connected(Duration::from_secs(15)).await?;
        handles.push(tokio::spawn(batline_router::run(router_config.clone(), pool.clone(), bus, shutdown.clone())));
    }
    let publisher = Bus::start(&config.amqp_url, &namespace, shutdown.clone());
    publisher.wait_connected(Duration::from_secs(15)).await?;
    let outbox = Outbox::new(pool.clone(), publisher);

    let run = Uuid::new_v4().simple().to_string();
    let mut ids = Vec::with_capacity(contacts);
    let mut tx = pool.begin().await?;
    for i in 0..contacts {
        let new = NewIntake {
            channel: Channel::Sms,
            provider_id: Some(format!("SM{run}{i}")),
            // A new number per contact and per batch: each opens a case.
            sender: format!("+35840{routers}{i:07}"),
            recipient: None,
            body: "Katuvalo on rikki".into(),
            raw: serde_json::json!({}),
        };
        if let Some(id) = store::intake::insert(&mut tx, &new).await? {
            ids.push(
                Outbox::enqueue(&mut tx, &BusMessage::IntakeArrived { intake_id: id, channel: Channel::Sms }).await?,
            );
        }
    }
    tx.commit().await?;
    let started = Instant::now();
    for chunk in ids.chunks(256) {
        outbox.publish_now(chunk).await?;
    }
    loop {
        if store::intake::unfiled_count(pool).await? == 0 {
            break;
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(300), "contacts still unfiled after 300 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = contacts as f64 / started.elapsed().as_secs_f64();
    shutdown.cancel();
    for handle in handles {
        let _ = handle.await;
    }
    bus::delete_namespace(&config.amqp_url, &namespace).await?;
    Ok(rate)
}
