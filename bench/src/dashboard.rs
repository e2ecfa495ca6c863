//! `batline-bench dashboard`: the mayor's dashboard under a year of a big
//! city. Creates a scratch database (dropped afterwards), bulk-loads cases
//! with their intake, SLA clocks, timeline events and hand-offs spread over
//! a year, times the first load of the in-memory figures, then times every
//! report the dashboard makes, over the whole year, several times each.

use std::{fmt, time::Instant};

use batline_core::{
    Config, db,
    figures::{Figures, Filter, Grouping},
};
use chrono::{Duration, Utc};
use clap::Args;
use sqlx::PgPool;
use uuid::Uuid;

/// Options of `batline-bench dashboard`.
#[derive(Debug, Clone, Args)]
pub struct DashboardBenchArgs {
    /// Cases to load, spread over the past year.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: i64,
    /// Responders owning them.
    #[arg(long, default_value_t = 300)]
    pub responders: i64,
    /// Times each query is run.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Leave the scratch database in place afterwards (to study plans with
    /// psql); drop it yourself.
    #[arg(long)]
    pub keep_database: bool,
    /// Time the queries against a database a `--keep-database` run left
    /// (its name), loading and dropping nothing.
    #[arg(long)]
    pub existing: Option<String>,
}

/// One query's timings.
#[derive(Debug, Clone)]
pub struct Timing {
    /// What the dashboard asks.
    pub query: String,
    /// Rows it answered with (groups, or breaches listed).
    pub rows: usize,
    /// Median run, milliseconds.
    pub p50_ms: f64,
    /// Slowest run, milliseconds.
    pub max_ms: f64,
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct DashboardBench {
    /// The scratch database (gone when [`run`] returns).
    pub database: String,
    /// Cases loaded.
    pub cases: i64,
    /// Case events loaded.
    pub events: i64,
    /// Seconds the load (with `VACUUM ANALYZE`) took.
    pub load_seconds: f64,
    /// Milliseconds the first report took to load every case into memory.
    pub first_load_ms: f64,
    /// Milliseconds a report's refresh takes when nothing changed.
    pub idle_refresh_ms: f64,
    /// Cases held in memory, and about how many bytes they take.
    pub held: (usize, usize),
    /// Each query's timings.
    pub timings: Vec<Timing>,
}

impl fmt::Display for DashboardBench {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "loaded {} cases and {} timeline events in {:.1} s (scratch database {})",
            self.cases, self.events, self.load_seconds, self.database
        )?;
        writeln!(
            f,
            "first load into memory: {:.0} ms; {} cases held in about {:.1} MB; a refresh with nothing changed: {:.1} ms",
            self.first_load_ms,
            self.held.0,
            self.held.1 as f64 / 1_048_576.0,
            self.idle_refresh_ms
        )?;
        writeln!(f, "{:<44} {:>7} {:>10} {:>10}", "query (one year)", "rows", "p50 ms", "max ms")?;
        for t in &self.timings {
            writeln!(f, "{:<44} {:>7} {:>10.1} {:>10.1}", t.query, t.rows, t.p50_ms, t.max_ms)?;
        }
        if let Some(heaviest) = self.timings.iter().max_by(|a, b| a.p50_ms.total_cmp(&b.p50_ms)) {
            writeln!(f, "heaviest: {}, p50 {:.1} ms", heaviest.query, heaviest.p50_ms)?;
        }
        Ok(())
    }
}

/// `batline-bench dashboard` as a command: prints the figures.
pub async fn run(config: Config, args: DashboardBenchArgs) -> anyhow::Result<()> {
    let report = measure(&config, &args).await?;
    print!("{report}");
    Ok(())
}

/// Loads, measures and drops the scratch database, also when measuring fails.
pub async fn measure(config: &Config, args: &DashboardBenchArgs) -> anyhow::Result<DashboardBench> {
    anyhow::ensure!(args.cases >= 1 && args.responders >= 2 && args.runs >= 1, "need cases, two responders, a run");
    let existing = args.existing.is_some();
    let scratch =
        args.existing.clone().unwrap_or_else(|| format!("batline_bench_dashboard_{}", Uuid::new_v4().simple()));
    let mut url = url::Url::parse(&config.database_url)?;
    url.set_path(&format!("/{scratch}"));
    let database_url = url.to_string();
    println!("batline-bench dashboard: {} cases over a year, scratch database {scratch}", args.cases);
    let result = async {
        let pool = db::connect_and_migrate(&database_url, 4).await?;
        let result = load_and_time(&pool, &scratch, args).await;
        pool.close().await;
        result
    }
    .await;
    if args.keep_database || existing {
        println!("kept the scratch database {scratch}");
    } else {
        db::drop_database(&database_url).await?;
    }
    result
}

async fn load_and_time(pool: &PgPool, scratch: &str, args: &DashboardBenchArgs) -> anyhow::Result<DashboardBench> {
    let now = Utc::now();
    let loading = Instant::now();
    if args.existing.is_none() {
        crate::store::year::load(pool, args.responders, args.cases, now).await?;
    }
    let load_seconds = loading.elapsed().as_secs_f64();
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(pool).await?;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM case_events").fetch_one(pool).await?;
    println!("loaded in {load_seconds:.1} s");

    let figures = Figures::new(pool.clone());
    let started = Instant::now();
    figures.refresh().await?;
    let first_load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    figures.refresh().await?;
    let idle_refresh_ms = started.elapsed().as_secs_f64() * 1000.0;
    let held = figures.held();
    println!("first load into memory {first_load_ms:.0} ms, {} cases", held.0);

    let year = Filter::period(now - Duration::days(366), now);
    let kallio = Filter { area: Some("Kallio".into()), ..year.clone() };
    let queries: Vec<(String, Filter, Option<Grouping>)> = vec![
        ("report by area".into(), year.clone(), Some(Grouping::Area)),
        ("report by topic".into(), year.clone(), Some(Grouping::Topic)),
        ("report by channel".into(), year.clone(), Some(Grouping::Channel)),
        ("report by responder".into(), year.clone(), Some(Grouping::Responder)),
        ("report by hour".into(), year.clone(), Some(Grouping::Hour)),
        ("weekly trends (by week)".into(), year.clone(), Some(Grouping::Week)),
        ("totals (all)".into(), year.clone(), Some(Grouping::All)),
        ("report by topic, area=Kallio".into(), kallio, Some(Grouping::Topic)),
        ("breaches (latest 500 and the total)".into(), year.clone(), None),
    ];
    let mut timings = Vec::new();
    for (name, filter, by) in &queries {
        let mut runs = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for _ in 0..args.runs {
            let started = Instant::now();
            rows = match by {
                Some(by) => figures.report(filter, *by, now).await?.len(),
                None => figures.breaches(filter, 500, now).await?.rows.len(),
            };
            runs.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        runs.sort_by(f64::total_cmp);
        let timing = Timing { query: name.clone(), rows, p50_ms: runs[runs.len() / 2], max_ms: runs[runs.len() - 1] };
        println!("{:<44} {:>7} rows  p50 {:>8.1} ms  max {:>8.1} ms", name, rows, timing.p50_ms, timing.max_ms);
        timings.push(timing);
    }
    Ok(DashboardBench {
        database: scratch.to_owned(),
        cases,
        events,
        load_seconds,
        first_load_ms,
        idle_refresh_ms,
        held,
        timings,
    })
}
