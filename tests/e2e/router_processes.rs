//! Three real `batline router` processes against one broker and one
//! database, through a burst of intake, one of them killed with SIGKILL in
//! the middle: nothing lost, nothing filed twice, nobody overfilled.

use std::{
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use batline_core::domain::{DutyStatus, Language};

use crate::support::{AMQP_URL, Options, PUBLIC_URL, TestApp, TestResult};

/// Kills the process when dropped, so a failing test leaves none behind.
struct RouterProcess(Child);

impl Drop for RouterProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_router(app: &TestApp) -> TestResult<RouterProcess> {
    let twilio = app.config.twilio()?;
    use secrecy::ExposeSecret;
    let child = Command::new(env!("CARGO_BIN_EXE_batline"))
        .arg("router")
        .env("DATABASE_URL", &app.config.database_url)
        .env("AMQP_URL", AMQP_URL)
        .env("BATLINE_BUS_NAMESPACE", &app.namespace)
        .env("BATLINE_PUBLIC_URL", PUBLIC_URL)
        // Three on one machine: each takes a free port for its metrics.
        .env("BATLINE_ROUTER_METRICS_ADDR", "127.0.0.1:0")
        .env("TWILIO_ACCOUNT_SID", &twilio.account_sid)
        .env("TWILIO_AUTH_TOKEN", twilio.auth_token.expose_secret())
        .env("TWILIO_FROM_NUMBER", &twilio.from_number)
        .env("TWILIO_API_BASE", twilio.api_base.as_str())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(RouterProcess(child))
}

#[tokio::test]
async fn three_router_processes_share_a_burst_and_survive_a_kill() -> TestResult {
    let app = TestApp::spawn_with(Options { routers: 0, ..Options::default() }).await?;
    for (user, capacity) in [("aino", 40), ("mikko", 40), ("linnea", 40)] {
        app.add_responder(user, user, &[Language::Fi], DutyStatus::OnDuty).await?;
        sqlx::query("UPDATE responders SET capacity = $1 WHERE username = $2")
            .bind(capacity)
            .bind(user)
            .execute(&app.pool)
            .await?;
    }
    let mut routers = vec![spawn_router(&app)?, spawn_router(&app)?, spawn_router(&app)?];
    // Warm-up: the routers are consuming once this is filed.
    app.text("+358402299999", "alku").await?;
    app.wait_for_cases("+358402299999", 1, Duration::from_secs(30)).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let app = Arc::new(app);

    // 60 residents, two texts each, all at once.
    let mut sends = Vec::new();
    for r in 0..60 {
        for m in 0..2 {
            let app = app.clone();
            sends.push(tokio::spawn(async move { app.text(&format!("+3584022{r:05}"), &format!("viesti {m}")).await }));
        }
    }
    // Mid-stream, one router dies without a word.
    crate::support::eventually("a sixth of the burst to be filed", Duration::from_secs(30), || async {
        Ok((app.count("SELECT count(*) FROM intake WHERE case_id IS NOT NULL").await? >= 20).then_some(()))
    })
    .await?;
    let mut victim = routers.remove(0);
    victim.0.kill()?;
    victim.0.wait()?;
    let filed_at_kill = app.count("SELECT count(*) FROM intake WHERE case_id IS NOT NULL").await?;
    for s in sends {
        assert_eq!(s.await??.status(), 200);
    }

    app.wait_all_filed(Duration::from_secs(60)).await?;
    assert!(filed_at_kill < 121, "the kill must come before the burst is filed ({filed_at_kill} were)");
    assert_eq!(app.count("SELECT count(*) FROM intake").await?, 121);
    assert_eq!(app.count("SELECT count(*) FROM cases").await?, 61, "one case per resident");
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'resident'").await?, 121, "every text filed once");
    assert_eq!(app.count("SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?, 61, "one auto-reply each");
    assert_eq!(app.count("SELECT count(*) FROM case_events WHERE kind = 'assigned'").await?, 61, "assigned once each");
    assert_eq!(app.count("SELECT count(*) FROM responders WHERE open_cases > capacity").await?, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM cases WHERE owner_id = (SELECT id FROM responders WHERE is_backstop)").await?,
        0
    );
    app.assert_open_counts_exact().await?;
    drop(routers);
    let app = Arc::try_unwrap(app).map_err(|_| anyhow::anyhow!("app still shared"))?;
    app.teardown().await
}
