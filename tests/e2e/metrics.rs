//! `GET /metrics` on the gateway's, the console's and a lone router's
//! operations listeners: the exposition parses, and what the app just did
//! shows. The public servers answer none of `/metrics`, `/healthz` and
//! `/readyz`.
//!
//! Every test of this binary shares one process and so one recorder:
//! counters are compared with `>=`, never exactly.

use std::{collections::HashMap, time::Duration};

use batline_core::bus::Bus;
use batline_test_kit::twilio_sandbox::new_sid;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::support::{AMQP_URL, TestApp, TestResult};

const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4";

/// One sample: the metric name with its labels as written, and its value.
type Samples = HashMap<String, f64>;

/// Parses the text exposition strictly enough to catch a broken line: every
/// line is blank, a `#` comment, or `name{labels} value` / `name value`.
fn parse(text: &str) -> TestResult<Samples> {
    let mut samples = Samples::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').ok_or_else(|| anyhow::anyhow!("no value in {line:?}"))?;
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            v => v.parse().map_err(|e| anyhow::anyhow!("bad value in {line:?}: {e}"))?,
        };
        let name = series.split_once('{').map_or(series, |(name, _)| name);
        anyhow::ensure!(
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                && !name.starts_with(|c: char| c.is_ascii_digit()),
            "bad metric name in {line:?}"
        );
        if let Some((_, labels)) = series.split_once('{') {
            let labels = labels.strip_suffix('}').ok_or_else(|| anyhow::anyhow!("unclosed labels in {line:?}"))?;
            anyhow::ensure!(labels.is_empty() || labels.ends_with('"'), "unquoted label value in {line:?}");
            for pair in labels.split("\",").filter(|p| !p.is_empty()) {
                let (key, _) =
                    pair.split_once("=\"").ok_or_else(|| anyhow::anyhow!("bad label {pair:?} in {line:?}"))?;
                anyhow::ensure!(
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "bad label name {key:?} in {line:?}"
                );
            }
        }
        samples.insert(series.to_owned(), value);
    }
    Ok(samples)
}

async fn scrape(app: &TestApp, base: &str) -> TestResult<(String, Samples)> {
    let response = app.http.get(format!("{base}/metrics")).send().await?;
    anyhow::ensure!(response.status() == 200, "/metrics answered {}", response.status());
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    anyhow::ensure!(content_type.starts_with(PROMETHEUS_TEXT), "content type {content_type}");
    let text = response.text().await?;
    let samples = parse(&text)?;
    Ok((text, samples))
}

fn at_least(samples: &Samples, series: &str, min: f64) -> TestResult {
    let value = samples.get(series).copied().ok_or_else(|| anyhow::anyhow!("{series} is missing"))?;
    anyhow::ensure!(value >= min, "{series} is {value}, expected at least {min}");
    Ok(())
}

#[test]
fn the_parser_refuses_broken_lines() -> TestResult {
    let good =
        "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\",y=\"z\"} 3\nb 1.5\nc_bucket{le=\"+Inf\"} 2\n";
    let samples = parse(good)?;
    assert_eq!(samples.get("a_total{x=\"1\",y=\"z\"}"), Some(&3.0));
    assert_eq!(samples.get("b"), Some(&1.5));
    for bad in ["a_total", "a_total{x=\"1\" 3", "a_total x", "1a 2", "a{x} 1"] {
        assert!(parse(bad).is_err(), "{bad:?} parsed");
    }
    Ok(())
}

#[tokio::test]
async fn gateway_and_console_expose_what_happened() -> TestResult {
    let app = TestApp::spawn().await?;
    let texter = "+358401239001";
    let caller = "+358401239002";
    anyhow::ensure!(app.text(texter, "Katuvalo on rikki").await?.status() == 200, "text refused");
    anyhow::ensure!(app.call(&new_sid("CA"), caller).await?.status() == 200, "call refused");
    app.wait_for_cases(texter, 1, Duration::from_secs(10)).await?;
    app.wait_for_cases(caller, 1, Duration::from_secs(10)).await?;

    // A forged webhook: well-formed, wrongly signed.
    let forged = app
        .post_webhook(
            b"MessageSid=SMforged&From=%2B358401239003&Body=x".to_vec(),
            "application/x-www-form-urlencoded",
            Some("bm90LWEtc2lnbmF0dXJl"),
        )
        .await?;
    anyhow::ensure!(forged.status() == 403, "forged webhook answered {}", forged.status());

    let gateway = app.gateway_ops.clone();
    let (text, samples) = scrape(&app, &gateway).await?;
    at_least(&samples, "batline_intake_total{channel=\"sms\"}", 1.0)?;
    at_least(&samples, "batline_intake_total{channel=\"voice\"}", 1.0)?;
    at_least(&samples, "batline_webhooks_rejected_total{reason=\"bad_signature\"}", 1.0)?;
    // The router runs in this process too, so its numbers show here.
    at_least(&samples, "batline_cases_opened_total{channel=\"sms\"}", 1.0)?;
    at_least(&samples, "batline_time_to_owner_seconds_count{channel=\"sms\"}", 1.0)?;
    at_least(&samples, "batline_filing_groups_total{outcome=\"committed\"}", 1.0)?;
    at_least(&samples, "batline_grouped_filings_total{outcome=\"committed\"}", 1.0)?;
    at_least(&samples, "batline_time_to_owner_seconds_bucket{channel=\"sms\",le=\"+Inf\"}", 1.0)?;
    at_least(&samples, "batline_outbox_depth", 0.0)?;
    at_least(&samples, "batline_queue_messages{queue=\"intake\"}", 0.0)?;
    at_least(&samples, "batline_queue_messages{queue=\"dead-letters\"}", 0.0)?;
    anyhow::ensure!(samples.keys().any(|k| k.starts_with("batline_assignments_total{rule=")), "no assignments");
    anyhow::ensure!(text.contains("# HELP batline_intake_total "), "no help text:\n{text}");
    anyhow::ensure!(text.contains("# TYPE batline_time_to_owner_seconds histogram"), "not a histogram:\n{text}");

    at_least(&samples, "batline_http_requests_total{service=\"gateway\",status=\"403\"}", 1.0)?;

    let console = app.console_ops.clone();
    let (_, samples) = scrape(&app, &console).await?;
    at_least(&samples, "batline_outbox_depth", 0.0)?;
    // The text's webhook was answered 200 on the public server.
    at_least(&samples, "batline_http_requests_total{service=\"gateway\",status=\"200\"}", 1.0)?;
    app.teardown().await
}

#[tokio::test]
async fn the_router_alone_serves_metrics_and_health() -> TestResult {
    let app = TestApp::spawn().await?;
    let shutdown = CancellationToken::new();
    let bus = Bus::start(AMQP_URL, &app.namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(10)).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server =
        tokio::spawn(batline_core::ops_server::serve("router", listener, app.pool.clone(), bus, shutdown.clone()));

    let health = app.http.get(format!("{base}/healthz")).send().await?;
    anyhow::ensure!(health.status() == 200, "/healthz answered {}", health.status());
    let (_, samples) = scrape(&app, &base).await?;
    at_least(&samples, "batline_queue_messages{queue=\"routing\"}", 0.0)?;
    at_least(&samples, "batline_queue_messages{queue=\"outbound.sms\"}", 0.0)?;

    shutdown.cancel();
    server.await??;
    app.teardown().await
}

/// Live intake counts, rejected webhooks, queue depths and the stores' state
/// are the city's to monitor, not the internet's: the public gateway and
/// console answer 404 for every operations path, and leave them out of
/// their OpenAPI documents, while the operations listeners answer them.
#[tokio::test]
async fn operational_data_is_served_only_on_the_operations_listeners() -> TestResult {
    let app = TestApp::spawn().await?;
    for public in [&app.gateway, &app.console] {
        for path in batline_core::ops_server::PATHS {
            let r = app.http.get(format!("{public}{path}")).send().await?;
            anyhow::ensure!(r.status() == 404, "{public}{path} answered {} on the public server", r.status());
        }
        let document: serde_json::Value = app.http.get(format!("{public}/openapi.json")).send().await?.json().await?;
        let paths = document["paths"].as_object().ok_or_else(|| anyhow::anyhow!("no paths in {public}'s document"))?;
        for path in batline_core::ops_server::PATHS {
            anyhow::ensure!(!paths.contains_key(path), "{public}'s OpenAPI document still lists {path}");
        }
    }
    for ops in [&app.gateway_ops, &app.console_ops] {
        let health = app.http.get(format!("{ops}/healthz")).send().await?;
        anyhow::ensure!(health.status() == 200, "{ops}/healthz answered {}", health.status());
        let ready = app.http.get(format!("{ops}/readyz")).send().await?;
        anyhow::ensure!(ready.status() == 200, "{ops}/readyz answered {}", ready.status());
        let readiness: serde_json::Value = ready.json().await?;
        anyhow::ensure!(
            readiness == serde_json::json!({ "draining": false, "database": true, "bus": true }),
            "{readiness}"
        );
        let (_, samples) = scrape(&app, ops).await?;
        at_least(&samples, "batline_queue_messages{queue=\"intake\"}", 0.0)?;
    }
    app.teardown().await
}
