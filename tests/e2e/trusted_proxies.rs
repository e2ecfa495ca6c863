//! Behind the city's proxies every resident arrives from the proxy's
//! address. A proxy named in `BATLINE_TRUSTED_PROXIES` is believed about
//! whom it forwards for, so the per-address limits count residents, not the
//! proxy; a header from anyone else changes nothing, so a client cannot
//! slip a limit by writing `X-Forwarded-For` itself.

use crate::support::{Options, TestApp, TestResult};

/// `/open` answers this many requests a minute per address in these tests.
const PER_MINUTE: usize = 3;

/// How many `/open/data.json` requests pass before a 429, each claiming to
/// come through a proxy for `forwarded_for`.
async fn answered(app: &TestApp, forwarded_for: &str) -> TestResult<usize> {
    let mut answered = 0;
    for _ in 0..PER_MINUTE + 2 {
        let r = app
            .http
            .get(format!("{}/open/data.json", app.gateway))
            .header("x-forwarded-for", forwarded_for)
            .send()
            .await?;
        if r.status() == 429 {
            break;
        }
        assert_eq!(r.status(), 200);
        answered += 1;
    }
    Ok(answered)
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_resident_has_their_own_count() -> TestResult {
    let env = vec![
        ("BATLINE_OPEN_PER_MINUTE", PER_MINUTE.to_string()),
        // The test's requests come from loopback: it plays the proxy.
        ("BATLINE_TRUSTED_PROXIES", "127.0.0.0/8, ::1".to_owned()),
    ];
    let app = TestApp::spawn_with(Options { env, ..Options::default() }).await?;
    assert_eq!(answered(&app, "203.0.113.7").await?, PER_MINUTE, "the first resident reaches their limit");
    assert_eq!(answered(&app, "198.51.100.9").await?, PER_MINUTE, "the second has a count of their own");
    // A resident who writes the header themselves: the proxy appends the
    // address it saw, and that is the one counted.
    assert_eq!(answered(&app, "198.51.100.200, 203.0.113.7").await?, 0, "a forged first hop is not believed");
    app.teardown().await
}

#[tokio::test]
async fn without_trusted_proxies_the_header_changes_nothing() -> TestResult {
    let env = vec![("BATLINE_OPEN_PER_MINUTE", PER_MINUTE.to_string())];
    let app = TestApp::spawn_with(Options { env, ..Options::default() }).await?;
    assert_eq!(answered(&app, "203.0.113.7").await?, PER_MINUTE);
    assert_eq!(answered(&app, "198.51.100.9").await?, 0, "the peer is the client, whatever it claims");
    app.teardown().await
}
