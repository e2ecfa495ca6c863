//! How `batline up` treats the demo city on a line with a real Twilio
//! account: it seeds nothing, and it refuses to start while a demo sign-in
//! (whose password the README prints) still has the demo password. And
//! where it says its operations listeners are.

use std::{process::Stdio, time::Duration};

use batline_core::{bus, db, store};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};
use uuid::Uuid;

use crate::support::{AMQP_URL, TestResult};

/// A fresh database and bus namespace, and `batline up` configured for a
/// real Twilio account (never reached: nothing is sent).
struct Line {
    database_url: String,
    namespace: String,
}

impl Line {
    /// The configuration `batline up` reads, for calling the seed directly.
    fn config(&self) -> anyhow::Result<batline_core::Config> {
        let env = [
            ("DATABASE_URL", self.database_url.as_str()),
            ("AMQP_URL", AMQP_URL),
            ("BATLINE_BUS_NAMESPACE", self.namespace.as_str()),
            ("BATLINE_PUBLIC_URL", "https://batline.test.example"),
            ("BATLINE_CONSOLE_URL", "https://console.batline.test.example"),
            ("TWILIO_ACCOUNT_SID", "ACdeployment"),
            ("TWILIO_AUTH_TOKEN", "a-real-accounts-token"),
            ("TWILIO_FROM_NUMBER", "+358931000000"),
            ("TWILIO_API_BASE", "http://127.0.0.1:9"),
        ];
        Ok(batline_core::Config::from_lookup(|name| {
            env.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        })?)
    }

    fn new() -> Self {
        let id = Uuid::new_v4().simple().to_string();
        Line {
            database_url: format!("postgres://postgres@127.0.0.1:5432/batline_deploy_{id}"),
            namespace: format!("batline_deploy_{id}"),
        }
    }

    fn up(&self, extra: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_batline"));
        command
            .arg("up")
            .env_clear()
            .env("DATABASE_URL", &self.database_url)
            .env("AMQP_URL", AMQP_URL)
            .env("BATLINE_BUS_NAMESPACE", &self.namespace)
            .env("BATLINE_GATEWAY_ADDR", "127.0.0.1:0")
            .env("BATLINE_CONSOLE_ADDR", "127.0.0.1:0")
            .env("BATLINE_GATEWAY_OPS_ADDR", "127.0.0.1:0")
            .env("BATLINE_CONSOLE_OPS_ADDR", "127.0.0.1:0")
            .env("BATLINE_PUBLIC_URL", "https://batline.test.example")
            .env("BATLINE_CONSOLE_URL", "https://console.batline.test.example")
            .env("TWILIO_ACCOUNT_SID", "ACdeployment")
            .env("TWILIO_AUTH_TOKEN", "a-real-accounts-token")
            .env("TWILIO_FROM_NUMBER", "+358931000000")
            .env("TWILIO_API_BASE", "http://127.0.0.1:9")
            .env("RUST_LOG", "warn")
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    async fn teardown(self) -> TestResult {
        db::drop_database(&self.database_url).await?;
        bus::delete_namespace(AMQP_URL, &self.namespace).await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_real_line_refuses_to_start_while_a_demo_sign_in_has_the_demo_password() -> TestResult {
    let line = Line::new();
    let pool = db::connect_and_migrate(&line.database_url, 2).await?;
    // A database that ran the demo once (say, before the account was set up).
    batline::seed::demo_city_if_empty(&pool, &line.config()?).await?;

    let out = tokio::time::timeout(Duration::from_secs(60), line.up(&[]).output()).await??;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started with the demo's published password: {said}");
    assert!(
        said.contains("demo password") && said.contains("pormestari") && said.contains("hanna"),
        "names the mayor, who can read every case: {said}"
    );
    assert!(said.contains("batline responder password"), "says how to fix it: {said}");

    // Every demo sign-in given a new password: it starts.
    for username in batline::seed::demo_sign_ins_still_open(&pool).await? {
        let out = Command::new(env!("CARGO_BIN_EXE_batline"))
            .args(["responder", "password", "--username", username])
            .env("DATABASE_URL", &line.database_url)
            .env("BATLINE_RESPONDER_PASSWORD", "a much better password")
            .output()
            .await?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut up = line.up(&[]).stdout(Stdio::piped()).spawn()?;
    let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let running = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("Batline is running") {
                return Ok::<bool, std::io::Error>(true);
            }
        }
        Ok(false)
    })
    .await??;
    assert!(running, "batline up did not start once the demo passwords were changed");
    up.kill().await?;
    pool.close().await;
    line.teardown().await
}

#[tokio::test]
async fn a_real_line_seeds_no_demo_city_unless_asked() -> TestResult {
    let line = Line::new();
    let pool = db::connect_and_migrate(&line.database_url, 2).await?;

    // Nothing seeded, so no backstop: it stops and says how to add one.
    let out = tokio::time::timeout(Duration::from_secs(60), line.up(&[]).output()).await??;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("no backstop"), "{said}");
    assert_eq!(store::responders::count(&pool).await?, 0, "seeded a demo city into a real line");

    // BATLINE_DEMO=true (staging, tests) seeds it.
    let mut up = line.up(&[("BATLINE_DEMO", "true")]).stdout(Stdio::piped()).spawn()?;
    let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let seeded = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("Demo sign-ins") {
                return Ok::<bool, std::io::Error>(true);
            }
        }
        Ok(false)
    })
    .await??;
    assert!(seeded, "BATLINE_DEMO=true did not seed the demo city");
    up.kill().await?;
    pool.close().await;
    line.teardown().await
}

/// The `http://` addresses in a line `batline up` printed.
fn urls(line: &str) -> Vec<String> {
    line.split_whitespace().filter(|w| w.starts_with("http://")).map(|w| w.trim_end_matches(',').to_owned()).collect()
}

#[tokio::test]
async fn batline_up_prints_its_operations_addresses_and_serves_them_there_only() -> TestResult {
    let line = Line::new();
    let mut up = line.up(&[("BATLINE_DEMO", "true")]).stdout(Stdio::piped()).spawn()?;
    let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    // Port 0 everywhere: the printed addresses are the only way to them.
    let (console, ops) = tokio::time::timeout(Duration::from_secs(60), async {
        let (mut console, mut ops) = (None, None);
        while let Some(line) = lines.next_line().await? {
            let line = line.trim_start();
            if line.starts_with("console ") {
                console = urls(line).into_iter().next();
            } else if line.starts_with("operations ") {
                ops = Some(urls(line));
            }
            if let (Some(console), Some(ops)) = (&console, &ops) {
                return Ok::<_, anyhow::Error>((console.clone(), ops.clone()));
            }
        }
        anyhow::bail!("batline up printed no console or operations address")
    })
    .await??;
    assert_eq!(ops.len(), 2, "the gateway's and the console's: {ops:?}");
    let http = reqwest::Client::new();
    for base in &ops {
        crate::support::eventually("the operations listener to say ready", Duration::from_secs(30), || async {
            let r = http.get(format!("{base}/readyz")).send().await?;
            Ok((r.status() == 200).then_some(()))
        })
        .await?;
        let metrics = http.get(format!("{base}/metrics")).send().await?;
        assert_eq!(metrics.status(), 200, "{base}/metrics");
        assert!(!base.ends_with(":0"), "the bound port is printed, not the setting's 0: {base}");
    }
    for path in batline_core::ops_server::PATHS {
        let r = http.get(format!("{console}{path}")).send().await?;
        assert_eq!(r.status(), 404, "the console's public address answers {path}");
    }
    up.kill().await?;
    let _ = up.wait().await;
    line.teardown().await
}

/// A count from the seeded database.
async fn count(pool: &sqlx::PgPool, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

/// A free port on the loopback, for a listener whose address the test must
/// know beforehand (`batline up` prints the gateway's public URL, not where
/// it listens).
async fn free_port() -> anyhow::Result<u16> {
    Ok(tokio::net::TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port())
}

#[tokio::test]
async fn the_demo_city_comes_with_an_admin_and_a_day_of_history_on_every_page() -> TestResult {
    let line = Line::new();
    // The gateway's port is picked free and then bound by `batline up`:
    // another test may take it in between, and then `up` stops at once
    // having printed nothing. Another free port then, a few times.
    let mut tries = 0;
    let (mut up, gateway, console, sign_ins) = loop {
        tries += 1;
        let gateway = format!("127.0.0.1:{}", free_port().await?);
        let mut up = line
            .up(&[("BATLINE_DEMO", "true"), ("BATLINE_GATEWAY_ADDR", gateway.as_str())])
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = up.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let (console, sign_ins) = tokio::time::timeout(Duration::from_secs(120), async {
            let (mut console, mut sign_ins) = (None, None);
            while let Some(line) = lines.next_line().await? {
                let line = line.trim_start();
                if line.starts_with("console ") {
                    console = urls(line).into_iter().next();
                } else if line.starts_with("Demo sign-ins") {
                    sign_ins = Some(line.to_owned());
                } else if line.starts_with("Stop with Ctrl-C") {
                    break;
                }
            }
            Ok::<_, anyhow::Error>((console, sign_ins))
        })
        .await??;
        match console {
            Some(console) => break (up, gateway, console, sign_ins),
            None if tries < 3 => {
                let _ = tokio::time::timeout(Duration::from_secs(10), up.wait()).await;
            }
            None => anyhow::bail!("no console address printed"),
        }
    };
    let sign_ins = sign_ins.ok_or_else(|| anyhow::anyhow!("no demo sign-ins printed"))?;
    assert!(sign_ins.contains("hanna"), "the admin is printed with the other sign-ins: {sign_ins}");

    let pool = db::connect(&line.database_url, 2).await?;
    let cases = count(&pool, "SELECT count(*) FROM cases").await?;
    assert!((40..=80).contains(&cases), "{cases} cases");

    // The admin, with the demo's password, so a real line refuses it too.
    assert_eq!(count(&pool, "SELECT count(*) FROM responders WHERE username = 'hanna' AND role = 'admin'").await?, 1);
    assert!(batline::seed::demo_sign_ins_still_open(&pool).await?.contains(&"hanna"));

    // Every channel, every language, every state.
    for (what, sql) in [
        ("channels", "SELECT count(DISTINCT channel) FROM cases"),
        ("languages", "SELECT count(DISTINCT language) FROM cases"),
    ] {
        assert_eq!(count(&pool, sql).await?, if what == "channels" { 5 } else { 3 }, "{what}");
    }
    for (state, sql) in [
        ("open, unacknowledged", "SELECT count(*) FROM cases WHERE status = 'open' AND acknowledged_at IS NULL"),
        (
            "open, acknowledged, not answered",
            "SELECT count(*) FROM cases WHERE status = 'open' AND acknowledged_at IS NOT NULL AND first_response_at IS NULL",
        ),
        ("open, replied", "SELECT count(*) FROM cases WHERE status = 'open' AND first_response_at IS NOT NULL"),
        ("handed off", "SELECT count(*) FROM handoffs WHERE status = 'accepted'"),
        ("resolved", "SELECT count(*) FROM cases WHERE status = 'resolved' AND resolution_summary <> ''"),
        ("reopened", "SELECT count(*) FROM cases WHERE status = 'open' AND reopened_count > 0"),
        ("answered 1-5", "SELECT count(*) FROM cases WHERE satisfaction_score BETWEEN 1 AND 5"),
        ("breached", "SELECT count(*) FROM sla_clocks WHERE breached_at IS NOT NULL"),
        ("breach on the timeline", "SELECT count(*) FROM case_events WHERE kind = 'sla_breached'"),
        ("walk-in tickets", "SELECT count(*) FROM walk_in_tickets"),
        ("calls", "SELECT count(*) FROM calls WHERE connected_at IS NOT NULL"),
        ("chat sessions", "SELECT count(*) FROM chat_sessions"),
    ] {
        assert!(count(&pool, sql).await? >= 1, "no case {state}");
    }

    // As Batline itself writes them: an owner who may own cases, the
    // routing reason, a timeline in time order, clocks that agree with
    // their case, every contact filed, every message delivered, counts exact,
    // and nobody's real number.
    for (invariant, sql) in [
        (
            "an owner who owns cases",
            "SELECT count(*) FROM cases c JOIN responders r ON r.id = c.owner_id WHERE r.role NOT IN ('responder', 'lead')",
        ),
        (
            "opened and assigned with a reason",
            "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
               AND e.kind = 'opened') OR NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
               AND e.kind = 'assigned' AND e.data ? 'rule' AND (e.data->>'owner_id')::uuid IS NOT NULL)",
        ),
        (
            "the last assignment names the owner",
            "SELECT count(*) FROM cases c WHERE (SELECT (e.data->>'owner_id')::uuid FROM case_events e
               WHERE e.case_id = c.id AND e.kind = 'assigned' ORDER BY e.id DESC LIMIT 1) <> c.owner_id",
        ),
        (
            "a timeline in time order",
            "SELECT count(*) FROM (SELECT at < lag(at) OVER (PARTITION BY case_id ORDER BY id) AS back
               FROM case_events) t WHERE back",
        ),
        (
            "nothing in the future",
            "SELECT (SELECT count(*) FROM case_events WHERE at > now()) + (SELECT count(*) FROM messages
               WHERE created_at > now()) + (SELECT count(*) FROM cases WHERE opened_at > now())",
        ),
        (
            "an owner from the opening on",
            "SELECT count(*) FROM cases WHERE owned_at < opened_at OR owner_assigned_at < opened_at",
        ),
        (
            "two clocks whose deadlines are on the case",
            "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM sla_clocks k WHERE k.case_id = c.id) <> 2
               OR c.first_response_due_at IS DISTINCT FROM (SELECT due_at FROM sla_clocks k
                  WHERE k.case_id = c.id AND k.target = 'first_response')",
        ),
        (
            "clocks met when the case says",
            "SELECT count(*) FROM sla_clocks k JOIN cases c ON c.id = k.case_id
             WHERE (k.target = 'first_response' AND k.met_at IS DISTINCT FROM c.first_response_at)
                OR (k.target = 'resolution' AND k.met_at IS DISTINCT FROM c.resolved_at)",
        ),
        (
            "a breach only past its deadline, and only where the answer was late",
            "SELECT count(*) FROM sla_clocks WHERE breached_at IS NOT NULL
               AND (breached_at < due_at OR met_at <= due_at)",
        ),
        (
            "a late first response breached",
            "SELECT count(*) FROM sla_clocks WHERE target = 'first_response' AND breached_at IS NULL
               AND coalesce(met_at, now()) > due_at + interval '1 minute'",
        ),
        ("every contact filed", "SELECT count(*) FROM intake WHERE case_id IS NULL"),
        (
            "a message for every contact",
            "SELECT count(*) FROM intake i WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.intake_id = i.id)",
        ),
        (
            "yesterday's messages delivered",
            "SELECT count(*) FROM messages WHERE direction = 'outbound' AND delivery_status <> 'delivered'
               AND created_at < now() - interval '5 minutes'",
        ),
        (
            "exact open counts",
            "SELECT count(*) FROM responders r
             WHERE r.open_cases <> (SELECT count(*) FROM cases c WHERE c.owner_id = r.id AND c.status = 'open')",
        ),
        (
            "made-up numbers",
            "SELECT count(*) FROM residents WHERE phone IS NOT NULL AND phone NOT LIKE '+358400000___'",
        ),
        (
            "an unanswered question only on a resolved case",
            "SELECT count(*) FROM cases WHERE satisfaction_score IS NOT NULL AND satisfaction_asked_at IS NULL",
        ),
    ] {
        assert_eq!(count(&pool, sql).await?, 0, "not every case has {invariant}");
    }

    // The figures of the day, on the first look: the mayor's dashboard and
    // the public page.
    let today = chrono::Utc::now().with_timezone(&batline_core::roster::TZ).date_naive();
    let period = format!("from={}&to={today}", today - chrono::Duration::days(1));
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{console}/api/v1/sessions"))
        .json(&serde_json::json!({ "username": "pormestari", "password": batline::seed::DEMO_PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    let token = session["token"].as_str().ok_or_else(|| anyhow::anyhow!("no session: {session}"))?;
    let report: serde_json::Value = http
        .get(format!("{console}/api/v1/reports/sla?{period}&by=channel"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    let rows = report["rows"].as_array().ok_or_else(|| anyhow::anyhow!("no rows: {report}"))?;
    let per_channel: Vec<i64> = rows.iter().filter_map(|r| r["cases"].as_i64()).filter(|n| *n > 0).collect();
    assert_eq!(per_channel.len(), 5, "{report}");
    assert_eq!(per_channel.iter().sum::<i64>(), cases, "{report}");
    assert!(rows.iter().any(|r| r["first_response_breaches"].as_i64() > Some(0)), "{report}");
    let breaches: serde_json::Value =
        http.get(format!("{console}/api/v1/reports/breaches?{period}")).bearer_auth(token).send().await?.json().await?;
    assert!(breaches["total"].as_i64() > Some(0), "{breaches}");
    // Everything the dashboard page shows, from the same figures.
    let dashboard: serde_json::Value = http
        .get(format!("{console}/api/v1/reports/dashboard?{period}"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(dashboard["summary"]["cases"].as_i64(), Some(cases), "{dashboard}");
    assert!(dashboard["summary"]["satisfaction_answers"].as_i64() > Some(0), "{dashboard}");
    assert!(dashboard["districts"].as_array().is_some_and(|d| d.len() >= 5), "{dashboard}");

    let open: serde_json::Value =
        http.get(format!("http://{gateway}/open/data.json?{period}")).send().await?.json().await?;
    assert_eq!(open["summary"]["cases"]["value"].as_f64(), Some(cases as f64), "{open}");
    assert!(open["summary"]["satisfaction_avg"]["value"].as_f64().is_some(), "{open}");
    let page = http.get(format!("http://{gateway}/open?{period}&lang=fi")).send().await?;
    assert_eq!(page.status(), 200);

    // Seeded once: another start changes nothing.
    let again = batline::seed::demo_city_if_empty(&pool, &line.config()?).await?;
    assert!(again.is_empty(), "seeded twice: {again:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM cases").await?, cases);

    up.kill().await?;
    let _ = up.wait().await;
    pool.close().await;
    line.teardown().await
}
