//! Staff search (`/search` and `GET /api/v1/search`): a tracking code or a
//! phone finds its case exactly; words find cases by their messages with
//! PostgreSQL's Finnish, Swedish and English stemming, ranked, the matching
//! words marked; each role finds only what it may read.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language, Role};

use crate::support::{TestApp, TestResult};

const KALLIO: &str = "+358405550301";
const PARK: &str = "+358405550302";
const LAMPS: &str = "+358405550303";
const SWEDISH: &str = "+358405550304";

async fn web_get(app: &TestApp, cookie: &str, path: &str) -> TestResult<(u16, String, Option<String>)> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let response = http.get(format!("{}{path}", app.console)).header("Cookie", cookie).send().await?;
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok((status, response.text().await?, location))
}

async fn set_duty(app: &TestApp, username: &str, duty: DutyStatus) -> TestResult {
    sqlx::query("UPDATE responders SET duty_status = $2 WHERE username = $1")
        .bind(username)
        .bind(duty)
        .execute(&app.pool)
        .await?;
    Ok(())
}

#[tokio::test]
async fn staff_find_cases_by_code_phone_and_stemmed_words_as_their_role_allows() -> TestResult {
    let app = TestApp::spawn().await?;
    let all = [Language::Fi, Language::Sv, Language::En];
    app.add_responder("aino", "Aino", &all, DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &all, DutyStatus::Off).await?;
    let lead = app.add_responder("liisa", "Liisa", &all, DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = $2 WHERE id = $1")
        .bind(lead.id)
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_desk("veera", "Veera", point).await?;

    // Aino's case, then Mikko's.
    app.text(KALLIO, "Katuvalot ovat rikki Fleminginkadulla").await?;
    let kallio = app.wait_for_cases(KALLIO, 1, Duration::from_secs(10)).await?.remove(0);
    set_duty(&app, "aino", DutyStatus::Off).await?;
    set_duty(&app, "mikko", DutyStatus::OnDuty).await?;
    app.text(PARK, "Puistossa on kaatunut puu").await?;
    app.text(LAMPS, "The street lamps near the school are broken").await?;
    app.text(SWEDISH, "Gatlamporna vid skolan är trasiga").await?;
    let park = app.wait_for_cases(PARK, 1, Duration::from_secs(10)).await?.remove(0);
    let lamps = app.wait_for_cases(LAMPS, 1, Duration::from_secs(10)).await?.remove(0);
    let swedish = app.wait_for_cases(SWEDISH, 1, Duration::from_secs(10)).await?.remove(0);

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let aino = crate::roles::web_session(&http, &app.console, "aino").await?;
    let liisa = crate::roles::web_session(&http, &app.console, "liisa").await?;
    let veera = crate::roles::web_session(&http, &app.console, "veera").await?;

    // Stemmed: "katuvalo" finds "Katuvalot", with the word marked.
    let (status, page, _) = web_get(&app, &aino, "/search?q=katuvalo").await?;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("data-result=\"{}\"", kallio.tracking_code)), "Aino finds her case by a word");
    assert!(page.contains("<mark>Katuvalot</mark>"), "the matching word is marked");
    // A responder finds only her own cases.
    let (_, page, _) = web_get(&app, &aino, "/search?q=puu").await?;
    assert!(!page.contains(&park.tracking_code), "Mikko's case is not Aino's to find");
    let (_, page, _) = web_get(&app, &aino, &format!("/search?q={}", park.tracking_code)).await?;
    assert!(!page.contains(&format!("data-result=\"{}\"", park.tracking_code)), "nor by its code");
    let (_, page, _) = web_get(&app, &aino, "/search?q=0405550301").await?;
    assert!(page.contains(&format!("data-result=\"{}\"", kallio.tracking_code)), "her case by its phone");

    // A lead finds every case, in every language, stemmed.
    let (_, page, _) = web_get(&app, &liisa, "/search?q=puu").await?;
    assert!(page.contains(&format!("data-result=\"{}\"", park.tracking_code)));
    let (_, page, _) = web_get(&app, &liisa, "/search?q=lamp").await?;
    assert!(page.contains(&format!("data-result=\"{}\"", lamps.tracking_code)), "English: lamp finds lamps");
    let (_, page, _) = web_get(&app, &liisa, "/search?q=gatlampa").await?;
    assert!(
        page.contains(&format!("data-result=\"{}\"", swedish.tracking_code)),
        "Swedish: gatlampa finds gatlamporna"
    );
    let (_, page, _) = web_get(&app, &liisa, "/search?q=ruokala").await?;
    assert!(page.contains("Ei osumia."), "nothing found says so");
    // What people wrote is searched, Batline's own texts are not: every
    // Finnish auto-reply promises an answer "minuutin sisällä" and names
    // its owner, so they would match every case.
    let (_, page, _) = web_get(&app, &liisa, "/search?q=minuutin").await?;
    assert!(page.contains("Ei osumia."), "auto-replies are not searched");
    let api = app.sign_in("aino").await?;
    let (status, _) = api
        .post(&format!("/api/v1/cases/{}/replies", kallio.id), serde_json::json!({ "body": "Sähkömies on tulossa." }))
        .await?;
    assert_eq!(status, 201);
    let (_, page, _) = web_get(&app, &liisa, "/search?q=sähkömies").await?;
    assert!(page.contains(&format!("data-result=\"{}\"", kallio.tracking_code)), "a responder's reply is searched");
    // Escaped, however it is typed.
    let (status, page, _) = web_get(&app, &liisa, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E").await?;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>alert(1)"), "the typed text is escaped");
    let long = "a".repeat(201);
    let (status, page, _) = web_get(&app, &liisa, &format!("/search?q={long}")).await?;
    assert_eq!(status, 422);
    assert!(page.contains("Haku on liian pitkä"));

    // Desk staff read no conversations: their search is the desk's look-up.
    let (status, _, location) = web_get(&app, &veera, "/search?q=katuvalo").await?;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/walk-in?find=katuvalo"));

    // The JSON API answers the same, as the role allows.
    let (status, found) = api.get("/api/v1/search?q=katuvalo").await?;
    assert_eq!(status, 200);
    assert_eq!(found["reading"], "words");
    assert_eq!(found["cases"][0]["tracking_code"], kallio.tracking_code.as_str());
    assert!(found["cases"][0]["snippet"].as_str().is_some_and(|s| s.contains('\u{E000}')));
    let desk = app.sign_in("veera").await?;
    let (status, found) = desk.get("/api/v1/search?q=katuvalo").await?;
    assert_eq!(status, 200);
    assert_eq!(found["cases"].as_array().map(Vec::len), Some(0), "desk staff find no words");
    let (status, found) = desk.get(&format!("/api/v1/search?q={}", park.tracking_code)).await?;
    assert_eq!(status, 200);
    assert_eq!(found["cases"][0]["snippet"], serde_json::Value::Null, "by code, without the words");
    assert_eq!(api.get("/api/v1/search?q=%20").await?.0, 422);
    app.teardown().await
}
