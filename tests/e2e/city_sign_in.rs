//! Staff sign in with the city's account (issue 23), against a real OpenID
//! Connect provider run locally: `tests/oidc/provider.py`, which is
//! oidc-provider-mock (installed by `scripts/test`) enforcing PKCE and
//! able to sign back-channel logout tokens with its own published key.
//!
//! In Chromium (`tests/browser/city_sign_in.mjs`) a responder and a lead
//! sign in and land on their own pages with the right role, someone in no
//! mapped group is refused, and back-channel logout ends a session. Over
//! HTTP: tokens for another audience, with a bad signature, expired, with
//! `alg: none`, or for someone without a mapped group or a staff `amr` are
//! refused; a `state` works once and only in the browser it was given to;
//! passwords can be switched off.

use std::{path::PathBuf, process::Stdio, time::Duration};

use anyhow::{Context, bail, ensure};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::domain::{DutyStatus, Language, Role};
use reqwest::{StatusCode, header, redirect::Policy};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::{
    browser,
    support::{Options, PASSWORD, TestApp, TestResult, eventually},
};

/// The version `scripts/test` installs.
const PROVIDER_VERSION: &str = "0.3.4";
const CLIENT_ID: &str = "batline-console";
const CLIENT_SECRET: &str = "console-secret";
const LEADS: &str = "GRP-Batline-Leads";
const RESPONDERS: &str = "GRP-Batline-Responders";
const STAFF_AMR: &str = "helsinkiad";

/// The provider, running until dropped.
struct Provider {
    url: String,
    http: reqwest::Client,
    _process: Child,
}

impl Provider {
    /// Starts `tests/oidc/provider.py`; its tokens live `token_seconds`.
    async fn start(token_seconds: u64) -> TestResult<Provider> {
        let python = std::env::var_os("BATLINE_OIDC_PROVIDER_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(format!(".cache/batline/oidc-provider-mock-{PROVIDER_VERSION}/bin/python"))
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.py");
        let mut process = Command::new(&python)
            .arg(script)
            .arg(token_seconds.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "starting the test OpenID Connect provider with {} (scripts/test installs it)",
                    python.display()
                )
            })?;
        let stdout = process.stdout.take().context("the provider's output")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .context("the provider did not start within 30 s")??
            .context("the provider exited before listening")?;
        let url = line.strip_prefix("listening ").context("the provider's first line")?.trim().to_owned();
        let http = reqwest::Client::builder().redirect(Policy::none()).build()?;
        Ok(Provider { url, http, _process: process })
    }

    /// Gives the person `sub` these claims.
    async fn set_user(&self, sub: &str, claims: Value) -> TestResult {
        let r = self.http.put(format!("{}/users/{sub}", self.url)).json(&claims).send().await?;
        ensure!(r.status() == StatusCode::NO_CONTENT, "setting {sub}'s claims: {}", r.status());
        Ok(())
    }

    /// Signs `sub` in on the provider's form at `authorization_url`; the
    /// address the provider sends the browser back to.
    async fn authorize(&self, authorization_url: &str, sub: &str) -> TestResult<String> {
        let r = self.http.post(authorization_url).form(&[("sub", sub)]).send().await?;
        ensure!(r.status().is_redirection(), "the provider's form answered {}", r.status());
        Ok(r.headers().get(header::LOCATION).context("no Location")?.to_str()?.to_owned())
    }

    /// An ID token the provider issues `sub` for the client `client_id`,
    /// through the whole code flow with PKCE, as an integration would get one.
    async fn id_token(&self, client_id: &str, sub: &str) -> TestResult<String> {
        let verifier = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes()) + "-pkce-verifier-long-enough";
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let redirect = "http://127.0.0.1:9/callback";
        let mut url = url::Url::parse(&format!("{}/oauth2/authorize", self.url))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", "openid profile email")
            .append_pair("state", "s")
            .append_pair("nonce", "n")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        let back = url::Url::parse(&self.authorize(url.as_str(), sub).await?)?;
        let code = back.query_pairs().find(|(k, _)| k == "code").context("no code")?.1.into_owned();
        let r = self
            .http
            .post(format!("{}/oauth2/token", self.url))
            .basic_auth(client_id, Some("any"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("code_verifier", &verifier),
            ])
            .send()
            .await?;
        ensure!(r.status().is_success(), "token request: {}", r.status());
        let body: Value = r.json().await?;
        Ok(body["id_token"].as_str().context("no id_token")?.to_owned())
    }

    /// A back-channel logout token for `sub`, signed with the provider's own key.
    async fn logout_token(&self, sub: &str) -> TestResult<String> {
        let r = self
            .http
            .post(format!("{}/_test/logout-token", self.url))
            .json(&json!({"aud": CLIENT_ID, "sub": sub}))
            .send()
            .await?;
        let body: Value = r.json().await?;
        Ok(body["logout_token"].as_str().context("no logout_token")?.to_owned())
    }
}

/// Staff as the city's directory knows them.
fn staff(username: &str, groups: &[&str]) -> Value {
    json!({"preferred_username": username, "name": username, "groups": groups, "amr": [STAFF_AMR]})
}

/// The app with the provider configured.
async fn app_with(provider: &Provider, more: &[(&'static str, &str)]) -> TestResult<TestApp> {
    let mut env = vec![
        ("BATLINE_OIDC_ISSUER", provider.url.clone()),
        ("BATLINE_OIDC_CLIENT_ID", CLIENT_ID.to_owned()),
        ("BATLINE_OIDC_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("BATLINE_OIDC_ROLES", format!("lead={LEADS},responder={RESPONDERS}")),
        ("BATLINE_OIDC_REQUIRED_AMR", STAFF_AMR.to_owned()),
    ];
    env.extend(more.iter().map(|(k, v)| (*k, (*v).to_owned())));
    TestApp::spawn_with(Options { env, ..Options::default() }).await
}

/// The `name=value` of a `Set-Cookie` named `name` in `response`.
fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")) && pair.len() > name.len() + 1)
        .map(str::to_owned)
}

/// A browser without one, over HTTP: begins a sign-in at the console
/// (heading for `next`), signs `sub` in at the provider, and returns the
/// state cookie and the address the provider sends the browser back to.
async fn to_the_provider_and_back(
    app: &TestApp,
    provider: &Provider,
    sub: &str,
    next: &str,
) -> TestResult<(String, String)> {
    let browser = reqwest::Client::builder().redirect(Policy::none()).build()?;
    let r = browser.get(format!("{}/sign-in/city?next={next}", app.console)).send().await?;
    ensure!(r.status().is_redirection(), "beginning a sign-in: {}", r.status());
    let state_cookie = cookie(&r, "batline_oidc_state").context("no state cookie")?;
    let to_provider = r.headers().get(header::LOCATION).context("no Location")?.to_str()?.to_owned();
    let asked = url::Url::parse(&to_provider)?;
    let param = |name: &str| asked.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    ensure!(to_provider.starts_with(&provider.url), "sent to {to_provider}");
    ensure!(param("code_challenge_method").as_deref() == Some("S256"), "PKCE with S256: {to_provider}");
    ensure!(param("nonce").is_some_and(|n| n.len() >= 43), "a nonce: {to_provider}");
    ensure!(param("client_id").as_deref() == Some(CLIENT_ID));
    ensure!(param("redirect_uri") == Some(format!("{}/oidc/callback", app.console)));
    let back = provider.authorize(&to_provider, sub).await?;
    ensure!(back.starts_with(&format!("{}/oidc/callback?", app.console)), "sent back to {back}");
    Ok((state_cookie, back))
}

/// Finishes a sign-in at the callback `back` with `state_cookie`.
async fn callback(back: &str, state_cookie: Option<&str>) -> TestResult<reqwest::Response> {
    let browser = reqwest::Client::builder().redirect(Policy::none()).build()?;
    let mut request = browser.get(back).header(header::ACCEPT_LANGUAGE, "en");
    if let Some(state_cookie) = state_cookie {
        request = request.header(header::COOKIE, state_cookie);
    }
    Ok(request.send().await?)
}

/// GET `path` with a session cookie: its status.
async fn get_with(app: &TestApp, session: &str, path: &str) -> TestResult<StatusCode> {
    let browser = reqwest::Client::builder().redirect(Policy::none()).build()?;
    Ok(browser.get(format!("{}{path}", app.console)).header(header::COOKIE, session).send().await?.status())
}

/// `GET /api/v1/me` with a bearer token: status and body.
async fn me(app: &TestApp, token: &str) -> TestResult<(StatusCode, Value)> {
    let r = reqwest::Client::new().get(format!("{}/api/v1/me", app.console)).bearer_auth(token).send().await?;
    Ok((r.status(), r.json().await.unwrap_or(Value::Null)))
}

async fn role_of(app: &TestApp, username: &str) -> TestResult<Role> {
    let role: String = sqlx::query_scalar("SELECT role FROM responders WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await?;
    Ok(role.parse()?)
}

#[tokio::test]
async fn a_responder_and_a_lead_sign_in_with_the_city_account_in_the_browser() -> TestResult {
    let provider = Provider::start(3600).await?;
    let app = app_with(&provider, &[]).await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    // A responder in Batline whom the directory makes a lead.
    app.add_responder("eero", "Eero", &[Language::Fi], DutyStatus::OnDuty).await?;
    // In Batline, but in no group Batline maps.
    app.add_responder("ville", "Ville", &[Language::Fi], DutyStatus::Off).await?;
    provider.set_user("s-aino", staff("aino", &[RESPONDERS, "GRP-Everyone"])).await?;
    provider.set_user("s-eero", staff("eero", &["GRP-Everyone", LEADS])).await?;
    provider.set_user("s-ville", staff("ville", &["GRP-Library"])).await?;
    browser::run(
        "city_sign_in.mjs",
        &[("CONSOLE", app.console.clone()), ("PROVIDER", provider.url.clone()), ("CLIENT_ID", CLIENT_ID.to_owned())],
    )
    .await?;
    assert_eq!(role_of(&app, "eero").await?, Role::Lead, "the directory's groups make eero a lead");
    assert_eq!(role_of(&app, "aino").await?, Role::Responder);
    let linked = app.count("SELECT count(*) FROM responders WHERE oidc_subject IN ('s-aino', 's-eero')").await?;
    assert_eq!(linked, 2, "both linked to their subjects at their first sign-in");
    assert_eq!(app.count("SELECT count(*) FROM responders WHERE oidc_subject = 's-ville'").await?, 0);
    app.teardown().await
}

#[tokio::test]
async fn tokens_for_another_audience_badly_signed_expired_or_without_a_mapped_group_are_refused() -> TestResult {
    // Tokens live 2 s, so one can be seen to expire (the console allows 5 s of clock difference).
    let provider = Provider::start(2).await?;
    let app = app_with(&provider, &[]).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("ville", "Ville", &[Language::Fi], DutyStatus::Off).await?;
    app.add_responder("resi", "Resi", &[Language::Fi], DutyStatus::Off).await?;
    provider.set_user("s-aino", staff("aino", &[RESPONDERS])).await?;
    provider.set_user("s-ville", staff("ville", &["GRP-Library"])).await?;
    // A resident's account of the same provider: in the group, but not a staff account.
    provider.set_user("s-resi", json!({"preferred_username": "resi", "groups": [LEADS], "amr": ["suomi_fi"]})).await?;

    // The provider's token for this console is taken as a bearer token.
    let good = provider.id_token(CLIENT_ID, "s-aino").await?;
    let (status, body) = me(&app, &good).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "aino");
    assert_eq!(body["role"], "responder");

    let refused = |expected: StatusCode, reason: &'static str| {
        move |(status, body): (StatusCode, Value)| -> TestResult {
            let detail = body["detail"].as_str().unwrap_or_default().to_owned();
            ensure!(
                status == expected && detail.contains(reason),
                "expected {expected} for {reason}, got {status}: {body}"
            );
            Ok(())
        }
    };
    // Issued by the same provider with the same key, for another client.
    let other = provider.id_token("another-app", "s-aino").await?;
    refused(StatusCode::UNAUTHORIZED, "wrong_audience")(me(&app, &other).await?)?;

    // The right token with its signature spoilt, and with its claims
    // changed under the provider's signature (a responder making himself a lead).
    let parts: Vec<&str> = good.split('.').collect();
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2])?;
    signature[10] ^= 0x55;
    let spoilt = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(&signature));
    refused(StatusCode::UNAUTHORIZED, "bad_signature")(me(&app, &spoilt).await?)?;
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1])?)?;
    claims["groups"] = json!([LEADS]);
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    refused(StatusCode::UNAUTHORIZED, "bad_signature")(me(&app, &forged).await?)?;
    // No signature at all.
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    refused(StatusCode::UNAUTHORIZED, "algorithm")(me(&app, &none).await?)?;

    // Someone the provider knows, in no group Batline maps, or not on a staff account.
    let library = provider.id_token(CLIENT_ID, "s-ville").await?;
    refused(StatusCode::FORBIDDEN, "no_mapped_group")(me(&app, &library).await?)?;
    let resident = provider.id_token(CLIENT_ID, "s-resi").await?;
    refused(StatusCode::FORBIDDEN, "not_staff")(me(&app, &resident).await?)?;
    assert_eq!(role_of(&app, "resi").await?, Role::Responder, "a refused token changes nobody's role");

    // The good token, once it has expired (2 s, and the 5 s allowed for clocks).
    tokio::time::sleep(Duration::from_secs(9)).await;
    refused(StatusCode::UNAUTHORIZED, "expired")(me(&app, &good).await?)?;
    app.teardown().await
}

#[tokio::test]
async fn a_sign_in_state_works_once_and_only_in_the_browser_it_was_given_to() -> TestResult {
    let provider = Provider::start(3600).await?;
    let app = app_with(&provider, &[]).await?;
    app.add_responder("eero", "Eero", &[Language::Fi], DutyStatus::OnDuty).await?;
    provider.set_user("s-eero", staff("eero", &[LEADS])).await?;

    // Another browser bringing the provider's answer (login CSRF) is refused,
    // and that uses the state up.
    let (_, back) = to_the_provider_and_back(&app, &provider, "s-eero", "/lead").await?;
    let r = callback(&back, None).await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie(&r, "batline_session").is_none());

    let (state_cookie, back) = to_the_provider_and_back(&app, &provider, "s-eero", "/lead").await?;
    let r = callback(&back, Some(&state_cookie)).await?;
    assert_eq!(r.status(), StatusCode::OK);
    let session = cookie(&r, "batline_session").context("signed in: a session cookie")?;
    let page = r.text().await?;
    assert!(page.contains(r#"http-equiv="refresh" content="0;url=/lead""#), "moves on to next: {page}");
    assert_eq!(get_with(&app, &session, "/lead").await?, StatusCode::OK, "a lead's page for a lead");

    // The same answer again (a replayed state, even from the same browser) is refused.
    let r = callback(&back, Some(&state_cookie)).await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie(&r, "batline_session").is_none());
    assert!(r.text().await?.contains("did not work"), "the sign-in page says so");
    assert_eq!(app.count("SELECT count(*) FROM console_sessions").await?, 1, "one session, not two");

    // The provider's refusal (the person pressed Deny) comes back as an error.
    let (state_cookie, back) = to_the_provider_and_back(&app, &provider, "s-eero", "/").await?;
    let state = url::Url::parse(&back)?.query_pairs().find(|(k, _)| k == "state").context("state")?.1.into_owned();
    let denied = format!("{}/oidc/callback?error=access_denied&state={state}", app.console);
    assert_eq!(callback(&denied, Some(&state_cookie)).await?.status(), StatusCode::UNAUTHORIZED);
    app.teardown().await
}

#[tokio::test]
async fn back_channel_logout_ends_the_console_session_within_seconds() -> TestResult {
    let provider = Provider::start(3600).await?;
    let app = app_with(&provider, &[]).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    provider.set_user("s-aino", staff("aino", &[RESPONDERS])).await?;
    let (state_cookie, back) = to_the_provider_and_back(&app, &provider, "s-aino", "/").await?;
    let session = cookie(&callback(&back, Some(&state_cookie)).await?, "batline_session").context("signed in")?;
    assert_eq!(get_with(&app, &session, "/").await?, StatusCode::OK);
    // A password session of the same responder is not the provider's to end.
    let password = app.sign_in("aino").await?;

    let post = |token: String| {
        let url = format!("{}/oidc/back-channel-logout", app.console);
        async move { reqwest::Client::new().post(url).form(&[("logout_token", token)]).send().await }
    };
    // A logout token not signed by the provider ends nothing.
    let good = provider.logout_token("s-aino").await?;
    let parts: Vec<&str> = good.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1])?)?;
    claims["jti"] = json!("another");
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    let r = post(forged).await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"));
    // An ID token is not a logout token.
    let id_token = provider.id_token(CLIENT_ID, "s-aino").await?;
    assert_eq!(post(id_token).await?.status(), StatusCode::BAD_REQUEST);
    assert_eq!(get_with(&app, &session, "/").await?, StatusCode::OK, "still signed in");

    let r = post(good).await?;
    assert_eq!(r.status(), StatusCode::OK);
    let ended = eventually("the session to end", Duration::from_secs(5), || async {
        Ok((get_with(&app, &session, "/").await? == StatusCode::SEE_OTHER).then_some(()))
    })
    .await;
    ended?;
    let (status, _) = password.get("/api/v1/me").await?;
    assert_eq!(status, 200, "the password session goes on");
    app.teardown().await
}

#[tokio::test]
async fn passwords_can_be_switched_off_and_a_first_sign_in_links_by_email() -> TestResult {
    let provider = Provider::start(3600).await?;
    let app = app_with(&provider, &[("BATLINE_PASSWORD_SIGN_IN", "false")]).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    batline_core::store::oidc::set_email(&app.pool, mikko.id, Some("Mikko.Virtanen@hel.fi")).await?;

    let http = reqwest::Client::builder().redirect(Policy::none()).build()?;
    let r = http
        .post(format!("{}/api/v1/sessions", app.console))
        .json(&json!({"username": "mikko", "password": PASSWORD}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await?["code"], "password_sign_in_off");
    let r = http
        .post(format!("{}/sign-in", app.console))
        .form(&[("username", "mikko"), ("password", PASSWORD)])
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(cookie(&r, "batline_session").is_none());
    let page =
        http.get(format!("{}/sign-in", app.console)).header("Accept-Language", "sv").send().await?.text().await?;
    assert!(page.contains("Logga in med stadens konto"), "the city's account is offered: {page}");
    assert!(!page.contains(r#"type="password""#), "no password field");

    // The directory's username is not Batline's, but the address is known.
    provider
        .set_user("s-mikko", json!({"preferred_username": "mvirtanen", "email": "mikko.virtanen@hel.fi", "groups": [RESPONDERS], "amr": [STAFF_AMR]}))
        .await?;
    let (state_cookie, back) = to_the_provider_and_back(&app, &provider, "s-mikko", "/").await?;
    let r = callback(&back, Some(&state_cookie)).await?;
    assert_eq!(r.status(), StatusCode::OK);
    let linked =
        app.count("SELECT count(*) FROM responders WHERE username = 'mikko' AND oidc_subject = 's-mikko'").await?;
    assert_eq!(linked, 1);

    // Another account of the provider claiming the same address cannot take mikko over.
    provider
        .set_user("s-impostor", json!({"preferred_username": "x", "email": "mikko.virtanen@hel.fi", "groups": [RESPONDERS], "amr": [STAFF_AMR]}))
        .await?;
    let (state_cookie, back) = to_the_provider_and_back(&app, &provider, "s-impostor", "/").await?;
    let r = callback(&back, Some(&state_cookie)).await?;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await?.contains("no access to Batline"));
    if app.count("SELECT count(*) FROM responders WHERE oidc_subject = 's-impostor'").await? != 0 {
        bail!("the impostor was linked");
    }
    app.teardown().await
}
