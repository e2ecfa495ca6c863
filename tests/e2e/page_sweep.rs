//! Every page in every language at a desktop's and a phone's width, through
//! axe-core, and none scrolling sideways at 320 px: the browser walk is
//! `tests/browser/sweep.mjs`; this sets the scene every page needs to show
//! something (a case, a walk-in point, the city's districts, each role).

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language, Role};

use crate::{
    browser,
    support::{Options, PASSWORD, TestApp, TestResult, eventually},
};

#[tokio::test]
async fn every_page_passes_axe_in_three_languages_and_fits_a_phone() -> TestResult {
    // Email on, so an email case's page (the resident's address, an
    // attachment, an automatic reply on the timeline) is swept too. The
    // relay is a closed port: the answer's failure shows on the timeline.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let smtp = listener.local_addr()?.port();
    let env = vec![
        ("BATLINE_MAIL_FROM", "palvelu@hel.test".to_owned()),
        ("BATLINE_SMTP_RELAY", "smtp://127.0.0.1:9".to_owned()),
    ];
    let app = TestApp::spawn_with(Options { env, smtp_listener: Some(listener), ..Options::default() }).await?;
    app.load_helsinki_areas().await?;
    let kallio = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    let everyone = [Language::Fi, Language::Sv, Language::En];
    let aino = app.add_responder("aino", "Aino Virtanen", &everyone, DutyStatus::OnDuty).await?;
    for (username, name, role) in
        [("liisa", "Liisa", Role::Lead), ("pormestari", "Pormestari", Role::Mayor), ("hanna", "Hanna", Role::Admin)]
    {
        app.add_responder(username, name, &everyone, DutyStatus::Off).await?;
        app.set_role(username, role).await?;
    }
    app.add_desk("veera", "Veera", kallio).await?;
    const RESIDENT: &str = "+358405550901";
    app.text(RESIDENT, "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    // A city app with a key, and its report: the Open311 keys page and an
    // Open311 case's page have something to show.
    let key = app.add_open311_client("Palautesovellus", aino.id).await?;
    let report = [
        ("api_key", key.as_str()),
        ("service_code", "parks"),
        ("address_string", "Fleminginkatu 12"),
        ("description", "Puiston penkki on rikki"),
        ("first_name", "Maija"),
        ("email", "maija@example.fi"),
    ];
    let posted = app.http.post(format!("{}/open311/v2/requests.json", app.gateway)).form(&report).send().await?;
    assert_eq!(posted.status(), 200);
    let open311_case: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM cases WHERE channel = 'open311'").fetch_one(&app.pool).await?;
    let email_case = email_case(smtp, &app).await?;
    let chat_case = chat_case_with_phone(&app).await?;
    let files = batline_core::store::email::attachments_for_cases(&app.pool, &[email_case]).await?;
    assert_eq!(files.iter().map(|f| f.file_name.as_str()).collect::<Vec<_>>(), ["penkki.jpg"]);
    browser::run_for(
        "sweep.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("GATEWAY", app.gateway.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("CASE_ID", case.id.to_string()),
            ("OPEN311_CASE_ID", open311_case.to_string()),
            ("EMAIL_CASE_ID", email_case.to_string()),
            ("CHAT_CASE_ID", chat_case.to_string()),
            ("TRACKING_CODE", case.tracking_code.clone()),
            ("RESPONDER_ID", aino.id.to_string()),
        ],
        // 25 pages × 3 languages × 3 widths: longer than one person's walk.
        Duration::from_secs(600),
    )
    .await?;
    app.teardown().await
}

/// A chat case whose resident confirmed a phone with the texted code, so
/// its page offers a choice of channel for the reply; the case's id.
async fn chat_case_with_phone(app: &TestApp) -> TestResult<uuid::Uuid> {
    const PHONE: &str = "+358405550902";
    let (mut chat, _) = crate::chat::ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, case) = chat.first_message("Roska-astia on kaatunut Hakaniemen torilla").await?;
    let code = case["code"].as_str().unwrap_or_default().to_owned();
    let ask = app.http.post(format!("{}/api/v1/chat/contact", app.gateway)).bearer_auth(&token);
    assert_eq!(ask.form(&[("phone", PHONE)]).send().await?.status(), 202);
    let texted = eventually("the code SMS", Duration::from_secs(10), || async {
        Ok(app.sandbox.sent().into_iter().find(|s| s.to == PHONE).map(|s| s.body))
    })
    .await?;
    let digits = texted.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap_or_default().to_owned();
    let confirm = app.http.post(format!("{}/api/v1/chat/contact/confirm", app.gateway)).bearer_auth(&token);
    assert_eq!(confirm.form(&[("code", digits.as_str())]).send().await?.status(), 200);
    crate::chat::case_id(app, &code).await
}

/// An email with a photo, then an out-of-office answering the line's
/// answer, straight to the SMTP listener on `port`; the case's id.
async fn email_case(port: u16, app: &TestApp) -> TestResult<uuid::Uuid> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build();
    let envelope = Envelope::new(Some("anna.virtanen@example.fi".parse()?), vec!["palvelu@hel.test".parse()?])?;
    let first = "From: Anna Virtanen <anna.virtanen@example.fi>\r\nTo: palvelu@hel.test\r\nSubject: Penkki rikki\r\n\
        Message-ID: <sweep1@example.fi>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPuiston penkki on rikki Fleminginkadulla. Kuva liitteenä.\r\n\
        --b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"penkki.jpg\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U\r\n--b--\r\n";
    transport.send_raw(&envelope, first.as_bytes()).await?;
    let case: uuid::Uuid = eventually("the email's case", Duration::from_secs(10), || async {
        Ok(sqlx::query_scalar("SELECT id FROM cases WHERE channel = 'email'").fetch_optional(&app.pool).await?)
    })
    .await?;
    let ours: String = eventually("the answer's Message-ID", Duration::from_secs(10), || async {
        Ok(sqlx::query_scalar(
            "SELECT provider_id FROM messages WHERE case_id = $1 AND direction = 'outbound' AND provider_id IS NOT NULL",
        )
        .bind(case)
        .fetch_optional(&app.pool)
        .await?)
    })
    .await?;
    let away = format!(
        "From: anna.virtanen@example.fi\r\nTo: palvelu@hel.test\r\nSubject: Automaattinen vastaus: Penkki rikki\r\n\
         Message-ID: <sweep2@example.fi>\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <{ours}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nOlen lomalla 14.12. asti.\r\n"
    );
    transport.send_raw(&envelope, away.as_bytes()).await?;
    Ok(case)
}
