//! The end-to-end harness. Each test gets the real services on random ports,
//! a fresh PostgreSQL database, a fresh RabbitMQ namespace and its own
//! Twilio sandbox, so tests run in parallel and leave nothing behind.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use crate::twilio_sandbox::{InboundCall, InboundSms, ResidentPhone, TwilioSandbox, new_sid};
use batline_core::{
    Config,
    bus::{self, Bus},
    clock::{Clock, ManualClock},
    db,
    domain::{DutyStatus, Language, Role},
    password,
    store::{self, cases::Case, responders::NewResponder, responders::Responder},
    twilio::client::RetryPolicy,
};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub type TestResult<T = ()> = anyhow::Result<T>;

/// RabbitMQ as the machine runs it.
pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// What Twilio would call: deliberately not the local address, as behind a proxy.
pub const PUBLIC_URL: &str = "https://batline.test.example";
pub const BATLINE_NUMBER: &str = "+358931000000";
/// Batline's Swedish-language phone line in tests.
pub const SWEDISH_LINE: &str = "+358931000001";
pub const PASSWORD: &str = "correct horse battery";

/// How the app under test is started.
pub struct Options {
    /// The AMQP URL the gateway and console use (a fault proxy, say).
    pub front_amqp_url: String,
    /// Routers to start with.
    pub routers: usize,
    /// More settings, as environment variables would give them.
    pub env: Vec<(&'static str, String)>,
    /// Console sign-ins a minute per address: generous by default, since
    /// every test signs in from 127.0.0.1 again and again.
    pub sign_in_per_minute: u32,
    /// Twilio webhooks a minute per source address: the production default
    /// unless a test wants to reach it.
    pub webhook_per_minute: u32,
    /// The gateway's SMTP listener, bound by the test so it knows the port
    /// before the app starts (email tests set `BATLINE_MAIL_FROM` and
    /// `BATLINE_SMTP_RELAY` in `env`).
    pub smtp_listener: Option<TcpListener>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            front_amqp_url: AMQP_URL.to_owned(),
            routers: 1,
            env: Vec::new(),
            sign_in_per_minute: 10_000,
            webhook_per_minute: 6000,
            smtp_listener: None,
        }
    }
}

pub struct TestApp {
    pub gateway: String,
    pub console: String,
    /// The gateway's operations listener: `/metrics`, `/healthz`, `/readyz`.
    pub gateway_ops: String,
    /// The console's operations listener.
    pub console_ops: String,
    pub pool: PgPool,
    pub sandbox: TwilioSandbox,
    pub phone: ResidentPhone,
    pub config: Arc<Config>,
    pub http: reqwest::Client,
    pub backstop: Responder,
    /// The routers' clock: acknowledgement deadlines pass only when a test moves it.
    pub clock: Arc<ManualClock>,
    shutdown: CancellationToken,
    routers: Vec<(CancellationToken, tokio::task::JoinHandle<batline_core::Result<()>>)>,
    database_url: String,
    pub namespace: String,
    cleaned: AtomicBool,
}

impl TestApp {
    pub async fn spawn() -> TestResult<TestApp> {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestResult<TestApp> {
        batline_core::telemetry::init_for_tests();
        let id = Uuid::new_v4().simple().to_string();
        let database_url = format!("postgres://postgres@127.0.0.1:5432/batline_test_{id}");
        let namespace = format!("test_{id}");
        let account_sid = format!("AC{}", Uuid::new_v4().simple());
        let auth_token = Uuid::new_v4().simple().to_string();
        let shutdown = CancellationToken::new();

        let sandbox =
            TwilioSandbox::start(TcpListener::bind("127.0.0.1:0").await?, &account_sid, &auth_token, shutdown.clone())?;
        // Bound first, so the console knows its own address (the city's
        // identity provider sends browsers back to it).
        let (console_listener, console_ops_listener) = (free_listener().await?, free_listener().await?);
        let console_addr = console_listener.local_addr()?;
        let console_ops_addr = console_ops_listener.local_addr()?;
        let mut env = vec![
            ("BATLINE_CONSOLE_URL", format!("http://{console_addr}")),
            ("DATABASE_URL", database_url.clone()),
            ("AMQP_URL", AMQP_URL.to_owned()),
            ("BATLINE_BUS_NAMESPACE", namespace.clone()),
            ("BATLINE_PUBLIC_URL", PUBLIC_URL.to_owned()),
            ("TWILIO_ACCOUNT_SID", account_sid.clone()),
            ("TWILIO_AUTH_TOKEN", auth_token.clone()),
            ("TWILIO_API_BASE", sandbox.api_base()),
            ("TWILIO_FROM_NUMBER", BATLINE_NUMBER.to_owned()),
            ("BATLINE_VOICE_LINES", format!("{SWEDISH_LINE}=sv")),
            ("BATLINE_SIGN_IN_PER_MINUTE", options.sign_in_per_minute.to_string()),
            ("BATLINE_WEBHOOK_PER_MINUTE", options.webhook_per_minute.to_string()),
            // Every test's chats come from 127.0.0.1: generous unless a test
            // is about these limits and sets them in `options.env`.
            ("BATLINE_CHAT_NEW_PER_HOUR", "1000000".to_owned()),
            ("BATLINE_CHAT_NEW_BURST", "1000000".to_owned()),
            ("BATLINE_CHAT_NEW_ALARM_PER_MINUTE", "1000000".to_owned()),
        ];
        env.extend(options.env.iter().cloned());
        let config =
            Arc::new(Config::from_lookup(|name| env.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))?);
        let pool = db::connect_and_migrate(&database_url, 10).await?;
        let backstop = insert_responder(
            &pool,
            "backstop",
            "Pormestari",
            &[Language::Fi, Language::Sv, Language::En],
            DutyStatus::Off,
            true,
        )
        .await?;

        let front_bus = Bus::start(&options.front_amqp_url, &namespace, shutdown.clone());
        front_bus.wait_connected(Duration::from_secs(15)).await?;
        let fast_retry = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        };
        let gateway_state =
            batline_gateway::AppState::with_retry(config.clone(), pool.clone(), front_bus.clone(), fast_retry)?;
        let (gateway_listener, gateway_ops_listener) = (free_listener().await?, free_listener().await?);
        let gateway_addr: SocketAddr = gateway_listener.local_addr()?;
        let gateway_ops_addr = gateway_ops_listener.local_addr()?;
        tokio::spawn(batline_gateway::run_with_smtp(
            gateway_state,
            gateway_listener,
            gateway_ops_listener,
            options.smtp_listener,
            shutdown.clone(),
        ));
        tokio::spawn(batline_console::run(
            batline_console::AppState::new(config.clone(), pool.clone(), front_bus)?,
            console_listener,
            console_ops_listener,
            shutdown.clone(),
        ));

        let phone = sandbox.phone();
        let mut app = TestApp {
            gateway: format!("http://{gateway_addr}"),
            console: format!("http://{console_addr}"),
            gateway_ops: format!("http://{gateway_ops_addr}"),
            console_ops: format!("http://{console_ops_addr}"),
            pool,
            sandbox,
            phone,
            config,
            http: reqwest::Client::new(),
            backstop,
            clock: Arc::new(ManualClock::starting_now()),
            shutdown,
            routers: Vec::new(),
            database_url,
            namespace,
            cleaned: AtomicBool::new(false),
        };
        for _ in 0..options.routers {
            app.start_router().await?;
        }
        for ops in [app.gateway_ops.clone(), app.console_ops.clone()] {
            app.wait_ready(&ops).await?;
        }
        Ok(app)
    }

    /// Starts one more router with its own connection, as a separate process would have.
    pub async fn start_router(&mut self) -> TestResult<usize> {
        let token = self.shutdown.child_token();
        let bus = Bus::start(AMQP_URL, &self.namespace, token.clone());
        bus.wait_connected(Duration::from_secs(15)).await?;
        let clock: Arc<dyn Clock> = self.clock.clone();
        let handle = tokio::spawn(batline_router::run_with_clock(
            self.config.clone(),
            self.pool.clone(),
            bus,
            clock,
            token.clone(),
        ));
        self.routers.push((token, handle));
        Ok(self.routers.len() - 1)
    }

    /// Starts one more gateway process on its own ports and bus connection,
    /// as a second machine behind a load balancer would be; returns its
    /// public URL once its operations listener says it is ready.
    pub async fn start_gateway(&self) -> TestResult<String> {
        let token = self.shutdown.child_token();
        let bus = Bus::start(AMQP_URL, &self.namespace, token.clone());
        bus.wait_connected(Duration::from_secs(15)).await?;
        let state = batline_gateway::AppState::new(self.config.clone(), self.pool.clone(), bus)?;
        let (listener, ops) = (free_listener().await?, free_listener().await?);
        let url = format!("http://{}", listener.local_addr()?);
        let ops_url = format!("http://{}", ops.local_addr()?);
        tokio::spawn(batline_gateway::run(state, listener, ops, token));
        self.wait_ready(&ops_url).await?;
        Ok(url)
    }

    /// Stops the oldest router (cancelling it mid-work, as a crash would
    /// between messages) and starts a fresh one.
    pub async fn restart_router(&mut self) -> TestResult {
        if !self.routers.is_empty() {
            let (token, handle) = self.routers.remove(0);
            token.cancel();
            tokio::time::timeout(Duration::from_secs(15), handle).await???;
        }
        self.start_router().await?;
        Ok(())
    }

    /// A router's handle, on the app's clock, for calling its sweeps
    /// directly; its bus connection lives until `shutdown`.
    pub async fn router(&self, shutdown: &CancellationToken) -> TestResult<batline_router::Router> {
        let bus = Bus::start(AMQP_URL, &self.namespace, shutdown.clone());
        bus.wait_connected(Duration::from_secs(10)).await?;
        Ok(batline_router::Router {
            config: self.config.clone(),
            pool: self.pool.clone(),
            outbox: batline_core::outbox::Outbox::new(self.pool.clone(), bus),
            clock: self.clock.clone(),
            city: std::sync::Arc::new(batline_core::place::CityMap::load(&self.pool).await?),
        })
    }

    /// Waits until the operations listener at `ops` (`gateway_ops`,
    /// `console_ops`) answers `/readyz` with 200.
    pub async fn wait_ready(&self, ops: &str) -> TestResult {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = self.http.get(format!("{ops}/readyz")).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("{ops} did not become ready");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn add_responder(
        &self,
        username: &str,
        name: &str,
        languages: &[Language],
        duty: DutyStatus,
    ) -> TestResult<Responder> {
        insert_responder(&self.pool, username, name, languages, duty, false).await
    }

    /// A walk-in point (a Batcave) in `area`; returns its id.
    pub async fn add_walk_in_point(&self, name: &str, area: &str) -> TestResult<Uuid> {
        let hours = batline_core::opening_hours::OpeningHours::default();
        Ok(store::walk_in_points::insert(&self.pool, name, name, &format!("{name} school"), area, &hours).await?.id)
    }

    /// Loads Helsinki's districts, streets, places and postal codes
    /// (`data/areas/helsinki/`, built in) into this test's database: a few
    /// batched inserts, well under a second. The gateway reads them the
    /// first time a page needs them, so call this before.
    pub async fn load_helsinki_areas(&self) -> TestResult {
        batline_core::place::helsinki::load(&self.pool).await?;
        Ok(())
    }

    /// Gives the responder `username` the role `role` (lead, mayor, admin...).
    pub async fn set_role(&self, username: &str, role: batline_core::domain::Role) -> TestResult {
        sqlx::query("UPDATE responders SET role = $1 WHERE username = $2")
            .bind(role)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes `point` the responder's home walk-in point.
    pub async fn set_home_point(&self, responder_id: Uuid, point: Uuid) -> TestResult {
        sqlx::query("UPDATE responders SET home_point_id = $2 WHERE id = $1")
            .bind(responder_id)
            .bind(point)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A desk person working at `point` (on duty, so routing would see them
    /// if it ever considered desk staff).
    pub async fn add_desk(&self, username: &str, name: &str, point: Uuid) -> TestResult<Responder> {
        let desk =
            self.add_responder(username, name, &[Language::Fi, Language::Sv, Language::En], DutyStatus::OnDuty).await?;
        sqlx::query("UPDATE responders SET role = 'desk' WHERE id = $1").bind(desk.id).execute(&self.pool).await?;
        self.set_home_point(desk.id, point).await?;
        Ok(desk)
    }

    /// A resident texts Batline; returns the webhook's response.
    pub async fn text(&self, from: &str, body: &str) -> TestResult<reqwest::Response> {
        self.text_with_sid(&new_sid("SM"), from, body).await
    }

    pub async fn text_with_sid(&self, sid: &str, from: &str, body: &str) -> TestResult<reqwest::Response> {
        let inbound = InboundSms { message_sid: sid, from, to: BATLINE_NUMBER, body };
        Ok(self.phone.text(&self.gateway, PUBLIC_URL, &inbound).await?)
    }

    /// A resident calls Batline's number; returns the voice webhook's response.
    pub async fn call(&self, call_sid: &str, from: &str) -> TestResult<reqwest::Response> {
        let inbound = InboundCall { call_sid, from, to: BATLINE_NUMBER };
        Ok(self.phone.call(&self.gateway, PUBLIC_URL, &inbound).await?)
    }

    /// Plays one of Twilio's signed callbacks: `path_and_query` on the
    /// gateway, with `params` as Twilio would post them.
    pub async fn twilio(&self, path_and_query: &str, params: &[(&str, &str)]) -> TestResult<reqwest::Response> {
        let params: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Ok(self.phone.post_signed(&self.gateway, PUBLIC_URL, path_and_query, &params).await?)
    }

    /// Gives a responder a phone number Batline can ring.
    pub async fn set_phone(&self, responder_id: Uuid, phone: &str) -> TestResult {
        sqlx::query("UPDATE responders SET phone = $2 WHERE id = $1")
            .bind(responder_id)
            .bind(phone)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Posts a raw body to the SMS webhook with the given headers.
    pub async fn post_webhook(
        &self,
        body: Vec<u8>,
        content_type: &str,
        signature: Option<&str>,
    ) -> TestResult<reqwest::Response> {
        let mut req =
            self.http.post(format!("{}/twilio/sms", self.gateway)).header("content-type", content_type).body(body);
        if let Some(sig) = signature {
            req = req.header("X-Twilio-Signature", sig);
        }
        Ok(req.send().await?)
    }

    /// The cases of the resident with `phone`, oldest first.
    pub async fn cases_of(&self, phone: &str) -> TestResult<Vec<Case>> {
        Ok(sqlx::query_as(
            "SELECT c.* FROM cases c JOIN residents r ON r.id = c.resident_id WHERE r.phone = $1 ORDER BY c.opened_at",
        )
        .bind(phone)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Waits until the resident with `phone` has `count` cases.
    pub async fn wait_for_cases(&self, phone: &str, count: usize, timeout: Duration) -> TestResult<Vec<Case>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let cases = self.cases_of(phone).await?;
            if cases.len() >= count {
                return Ok(cases);
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("expected {count} cases for {phone} within {timeout:?}, found {}", cases.len());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until every stored contact has been filed.
    pub async fn wait_all_filed(&self, timeout: Duration) -> TestResult {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if store::intake::unfiled_count(&self.pool).await? == 0 {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("contacts still unfiled after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until responder `responder_id` owns no open case: after going
    /// off duty, once a router has handed them all on.
    pub async fn wait_handed_on(&self, responder_id: Uuid, timeout: Duration) -> TestResult {
        let open = format!("SELECT count(*) FROM cases WHERE owner_id = '{responder_id}' AND status = 'open'");
        eventually("the open cases to be handed on", timeout, || async {
            Ok((self.count(&open).await? == 0).then_some(()))
        })
        .await
    }

    /// Fails unless every responder's maintained open-case count is exact.
    pub async fn assert_open_counts_exact(&self) -> TestResult {
        let wrong = self
            .count(
                "SELECT count(*) FROM responders r
                 WHERE r.open_cases <> (SELECT count(*) FROM cases c WHERE c.owner_id = r.id AND c.status = 'open')",
            )
            .await?;
        anyhow::ensure!(wrong == 0, "{wrong} responders have a wrong open-case count");
        Ok(())
    }

    pub async fn count(&self, sql: &str) -> TestResult<i64> {
        Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
    }

    /// The data of case `case_id`'s timeline events of `kind`, oldest first.
    pub async fn events(&self, case_id: Uuid, kind: &str) -> TestResult<Vec<Value>> {
        Ok(sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = $2 ORDER BY id")
            .bind(case_id)
            .bind(kind)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A city app's Open311 API key, issued by `by`, as an admin would.
    pub async fn add_open311_client(&self, name: &str, by: Uuid) -> TestResult<String> {
        let key = batline_core::open311_keys::new_key();
        let digest = batline_core::open311_keys::digest(&key);
        let hint = batline_core::open311_keys::hint(&key);
        batline_core::store::open311::add_client(&self.pool, name, &digest, &hint, by).await?;
        Ok(key)
    }

    pub async fn sign_in(&self, username: &str) -> TestResult<Console> {
        let r = self
            .http
            .post(format!("{}/api/v1/sessions", self.console))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await?;
        anyhow::ensure!(r.status() == 201, "sign-in answered {}", r.status());
        let body: Value = r.json().await?;
        let token = body["token"].as_str().ok_or_else(|| anyhow::anyhow!("no token"))?.to_owned();
        Ok(Console { base: self.console.clone(), token, http: self.http.clone() })
    }

    /// Stops everything and removes the database and the namespace.
    pub async fn teardown(self) -> TestResult {
        self.shutdown.cancel();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.pool.close().await;
        cleanup(&self.database_url, &self.namespace).await;
        self.cleaned.store(true, Ordering::SeqCst);
        Ok(())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if self.cleaned.load(Ordering::SeqCst) {
            return;
        }
        // A failed test still leaves nothing behind.
        self.shutdown.cancel();
        let (url, ns) = (self.database_url.clone(), self.namespace.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(cleanup(&url, &ns));
            }
        })
        .join();
    }
}

/// A listener on a free loopback port.
async fn free_listener() -> TestResult<TcpListener> {
    Ok(TcpListener::bind("127.0.0.1:0").await?)
}

async fn cleanup(database_url: &str, namespace: &str) {
    if let Err(e) = db::drop_database(database_url).await {
        eprintln!("could not drop {database_url}: {e}");
    }
    if let Err(e) = bus::delete_namespace(AMQP_URL, namespace).await {
        eprintln!("could not delete namespace {namespace}: {e}");
    }
}

async fn insert_responder(
    pool: &PgPool,
    username: &str,
    name: &str,
    languages: &[Language],
    duty: DutyStatus,
    backstop: bool,
) -> TestResult<Responder> {
    let new = NewResponder {
        username: username.to_owned(),
        display_name: name.to_owned(),
        password_hash: password::hash(PASSWORD)?,
        phone: None,
        languages: languages.to_vec(),
        areas: vec!["Kallio".to_owned()],
        topics: Vec::new(),
        capacity: 10,
        duty_status: duty,
        is_backstop: backstop,
        role: if backstop { Role::Mayor } else { Role::Responder },
    };
    Ok(store::responders::insert(pool, &new).await?)
}

/// A signed-in console client.
pub struct Console {
    base: String,
    pub token: String,
    http: reqwest::Client,
}

impl Console {
    /// A GET whose body is not JSON (a CSV download): status, content type, body.
    pub async fn get_text(&self, path: &str) -> TestResult<(u16, String, String)> {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await?;
        let status = r.status().as_u16();
        let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Ok((status, content_type, r.text().await?))
    }

    pub async fn get(&self, path: &str) -> TestResult<(u16, Value)> {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    pub async fn put(&self, path: &str, body: Value) -> TestResult<(u16, Value)> {
        let r = self.http.put(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    pub async fn patch(&self, path: &str, body: Value) -> TestResult<(u16, Value)> {
        let r = self.http.patch(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    pub async fn post_text(&self, path: &str, content_type: &str, body: String) -> TestResult<(u16, Value)> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    /// POSTs JSON with one extra header (an `Idempotency-Key`, say).
    pub async fn post_with_header(&self, path: &str, header: (&str, &str), body: Value) -> TestResult<(u16, Value)> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(header.0, header.1)
            .json(&body)
            .send()
            .await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    pub async fn post(&self, path: &str, body: Value) -> TestResult<(u16, Value)> {
        let r = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }
}

/// Polls `check` until it yields `Some`, or fails after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> TestResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = TestResult<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
