//! Secrets never reach the logs: the Twilio auth token, responders'
//! passwords, session tokens and the CSRF tokens derived from them. The
//! console and the gateway run as real processes with debug logging in
//! JSON, the whole flow that handles those secrets runs through them, and
//! their output is searched.

use std::{process::Stdio, time::Duration};

use batline_core::domain::{DutyStatus, Language};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::support::{AMQP_URL, PASSWORD, PUBLIC_URL, TestApp, TestResult, eventually};

async fn free_port() -> TestResult<u16> {
    Ok(tokio::net::TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port())
}

/// The four listeners of a gateway and a console process.
struct Ports {
    gateway: u16,
    console: u16,
    gateway_ops: u16,
    console_ops: u16,
}

fn service(app: &TestApp, part: &str, ports: &Ports) -> TestResult<Child> {
    let twilio = app.config.twilio.clone().ok_or_else(|| anyhow::anyhow!("the test app has Twilio configured"))?;
    Ok(Command::new(env!("CARGO_BIN_EXE_batline"))
        .arg(part)
        .env("DATABASE_URL", &app.config.database_url)
        .env("AMQP_URL", AMQP_URL)
        .env("BATLINE_BUS_NAMESPACE", &app.namespace)
        .env("BATLINE_PUBLIC_URL", PUBLIC_URL)
        .env("BATLINE_GATEWAY_ADDR", format!("127.0.0.1:{}", ports.gateway))
        .env("BATLINE_CONSOLE_ADDR", format!("127.0.0.1:{}", ports.console))
        .env("BATLINE_GATEWAY_OPS_ADDR", format!("127.0.0.1:{}", ports.gateway_ops))
        .env("BATLINE_CONSOLE_OPS_ADDR", format!("127.0.0.1:{}", ports.console_ops))
        .env("BATLINE_ROUTER_METRICS_ADDR", "127.0.0.1:0")
        .env("TWILIO_ACCOUNT_SID", &twilio.account_sid)
        .env("TWILIO_AUTH_TOKEN", twilio.auth_token.expose_secret())
        .env("TWILIO_API_BASE", twilio.api_base.as_str())
        .env("TWILIO_FROM_NUMBER", &twilio.from_number)
        .env("BATLINE_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?)
}

#[tokio::test]
async fn secrets_never_appear_in_the_logs() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let ports = Ports {
        gateway: free_port().await?,
        console: free_port().await?,
        gateway_ops: free_port().await?,
        console_ops: free_port().await?,
    };
    let gateway = service(&app, "gateway", &ports)?;
    let console = service(&app, "console", &ports)?;
    let (gateway_url, console_url) =
        (format!("http://127.0.0.1:{}", ports.gateway), format!("http://127.0.0.1:{}", ports.console));
    for ops in [ports.gateway_ops, ports.console_ops] {
        eventually("the service is ready", Duration::from_secs(30), || async {
            let ready =
                app.http.get(format!("http://127.0.0.1:{ops}/readyz")).send().await.map(|r| r.status().is_success());
            Ok(ready.unwrap_or(false).then_some(()))
        })
        .await?;
    }

    // A signed webhook (the auth token signs it), a sign-in (password in,
    // session token out), a reply (the auth token goes to Twilio's REST API),
    // a wrong password, and a browser sign-in (a CSRF token on the page).
    const RESIDENT: &str = "+358405550501";
    app.phone
        .text(
            &gateway_url,
            PUBLIC_URL,
            &batline_test_kit::twilio_sandbox::InboundSms {
                message_sid: "SM00000000000000000000000000000501",
                from: RESIDENT,
                to: crate::support::BATLINE_NUMBER,
                body: "Puisto on täynnä roskia",
            },
        )
        .await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let signed_in: Value = app
        .http
        .post(format!("{console_url}/api/v1/sessions"))
        .json(&json!({ "username": "aino", "password": PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    let token = signed_in["token"].as_str().unwrap_or_default().to_owned();
    assert!(!token.is_empty());
    let reply = app
        .http
        .post(format!("{console_url}/api/v1/cases/{}/replies", case.id))
        .bearer_auth(&token)
        .json(&json!({ "body": "Siivoojat tulevat huomenna" }))
        .send()
        .await?;
    assert_eq!(reply.status(), 201);
    eventually("the reply is sent", Duration::from_secs(10), || async {
        Ok(app
            .sandbox
            .sent()
            .iter()
            .any(|s| s.body.ends_with(", Helsingin kaupunki: Siivoojat tulevat huomenna"))
            .then_some(()))
    })
    .await?;
    let wrong = app
        .http
        .post(format!("{console_url}/api/v1/sessions"))
        .json(&json!({ "username": "aino", "password": "a wrong password 123" }))
        .send()
        .await?;
    assert_eq!(wrong.status(), 401);
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&browser, &console_url, "aino").await?;
    let page = browser.get(format!("{console_url}/")).header("Cookie", &cookie).send().await?.text().await?;
    let csrf =
        page.split(r#"<meta name="csrf-token" content=""#).nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
    assert!(!csrf.is_empty());

    let mut output = String::new();
    for mut child in [gateway, console] {
        child.start_kill()?;
        let out = child.wait_with_output().await?;
        output.push_str(&String::from_utf8_lossy(&out.stdout));
        output.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(output.contains("signed in"), "the logs were captured (debug, JSON): {}", &output[..output.len().min(500)]);
    let twilio = app.config.twilio.clone().ok_or_else(|| anyhow::anyhow!("Twilio"))?;
    let session_cookie = cookie.trim_start_matches("batline_session=").to_owned();
    let secrets = [
        ("the Twilio auth token", twilio.auth_token.expose_secret().to_owned()),
        ("a password", PASSWORD.to_owned()),
        ("a wrong password", "a wrong password 123".to_owned()),
        ("an API session token", token),
        ("a browser session token", session_cookie),
        ("a CSRF token", csrf.to_owned()),
    ];
    for (what, secret) in secrets {
        assert!(!output.contains(&secret), "{what} appears in the logs");
    }
    app.teardown().await
}
