//! The chat and the tracking page in headless Chromium (tests/browser/chat.mjs):
//! a resident writes, sees the owner, gets a reply sent through the console
//! API, reloads, answers the satisfaction question and opens the tracking
//! page; axe-core checks each page.

use batline_core::domain::{DutyStatus, Language};

use crate::{
    browser,
    support::{PASSWORD, TestApp, TestResult},
};

#[tokio::test]
async fn a_resident_chats_reloads_and_follows_the_case_in_a_browser() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let env = [
        ("GATEWAY", app.gateway.clone()),
        ("CONSOLE", app.console.clone()),
        ("RESPONDER", "aino".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
    ];
    browser::run("chat.mjs", &env).await?;
    app.teardown().await
}
