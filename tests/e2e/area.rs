//! `/area`, "which area am I in" (issue 19): a typed address, a postal code
//! and a shared location each answered with the district at every level,
//! the nearest walk-in point and its hours, in the resident's language;
//! unknown or bad input answered with the form again, saying what to fix
//! and keeping what was typed. Helsinki's real data is loaded into the
//! test's database.

use batline_core::{opening_hours::OpeningHours, store};

use crate::support::{Options, TestApp, TestResult};

/// Helsinki's areas and two walk-in points, one in Kallio, one in Vuosaari.
async fn city() -> TestResult<TestApp> {
    // The browser test asks more than /open's 30 a minute from 127.0.0.1.
    let options = Options { env: vec![("BATLINE_OPEN_PER_MINUTE", "100000".to_owned())], ..Options::default() };
    let app = TestApp::spawn_with(options).await?;
    app.load_helsinki_areas().await?;
    let hours = OpeningHours::parse("mon-fri 08:00-18:00, sat 10:00-14:00")?;
    store::walk_in_points::insert(
        &app.pool,
        "Batcave Kallio",
        "Kallion asiointipiste",
        "Porthaninkatu 3",
        "Kallio",
        &hours,
    )
    .await?;
    store::walk_in_points::insert(
        &app.pool,
        "Batcave Vuosaari",
        "Vuosaaren asiointipiste",
        "Vuotie 45",
        "Vuosaari",
        &hours,
    )
    .await?;
    Ok(app)
}

async fn get(app: &TestApp, query: &[(&str, &str)]) -> TestResult<(u16, String)> {
    let response = app.http.get(format!("{}/area", app.gateway)).query(query).send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

async fn post(app: &TestApp, form: &[(&str, &str)]) -> TestResult<(u16, String)> {
    let response = app.http.post(format!("{}/area", app.gateway)).form(form).send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

#[tokio::test]
async fn an_address_a_postal_code_and_a_location_find_the_district() -> TestResult {
    let app = city().await?;

    let (status, html) = get(&app, &[("q", "fleminginkatu 12"), ("lang", "fi")]).await?;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html lang=\"fi\""));
    for expected in ["Kallio", "Torkkelinmäki", "Keskinen", "Haku: Fleminginkatu 12", "Kallion asiointipiste"] {
        assert!(html.contains(expected), "{expected} missing from the answer");
    }
    assert!(html.contains("Omassa kaupunginosassasi") && html.contains("ma–pe 8.00–18.00"));

    // Swedish names, in Swedish.
    let (status, html) = get(&app, &[("q", "Flemingsgatan 12"), ("lang", "sv")]).await?;
    assert_eq!(status, 200);
    assert!(html.contains("Berghäll") && html.contains("Torkelsbacken") && html.contains("Mellersta"));
    assert!(html.contains("mån–fre 8.00–18.00"));

    // A postal code: its district, and the note that it is approximate.
    let (status, html) = get(&app, &[("q", "00530"), ("lang", "en")]).await?;
    assert_eq!(status, 200);
    assert!(html.contains("Kallio") && html.contains("A postal code area can reach into several districts"));

    // A shared location in Vuosaari: the Vuosaari point is the nearest.
    let (status, html) = post(&app, &[("lat", "60.2096"), ("lon", "25.1436"), ("lang", "en")]).await?;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Vuosaari") && html.contains("From your location"));
    assert!(html.contains("Vuosaaren asiointipiste") && html.contains("In your own district"));
    assert!(!html.contains("Kallion asiointipiste"));

    // A location in a district with no point of its own: the nearest, with
    // its distance (Kamppi is closer to Kallio than to Vuosaari).
    let (status, html) = post(&app, &[("lat", "60.1690"), ("lon", "24.9320"), ("lang", "fi")]).await?;
    assert_eq!(status, 200);
    assert!(html.contains("Kamppi") && html.contains("Kallion asiointipiste") && html.contains("km linnuntietä"));
    app.teardown().await
}

#[tokio::test]
async fn unknown_or_bad_input_gets_the_form_saying_what_to_fix() -> TestResult {
    let app = city().await?;

    let (status, html) = get(&app, &[("q", "Xyzzykatu 7"), ("lang", "en")]).await?;
    assert_eq!(status, 422);
    assert!(html.contains("We could not find “Xyzzykatu 7”"), "{html}");
    assert!(html.contains("value=\"Xyzzykatu 7\"") && html.contains("aria-invalid=\"true\""));

    let (status, html) = get(&app, &[("q", "99999"), ("lang", "fi")]).await?;
    assert_eq!(status, 422);
    assert!(html.contains("99999 ei ole Helsingin postinumero"));

    let long = "Fleminginkatu 12 ".repeat(20);
    let (status, html) = get(&app, &[("q", &long), ("lang", "sv")]).await?;
    assert_eq!(status, 422);
    assert!(html.contains("högst 200 tecken"));

    let (status, html) = post(&app, &[("lat", "north"), ("lon", "24.9"), ("lang", "en")]).await?;
    assert_eq!(status, 400);
    assert!(html.contains("could not be read"));

    // Tampere is not Helsinki.
    let (status, html) = post(&app, &[("lat", "61.4978"), ("lon", "23.7610"), ("lang", "fi")]).await?;
    assert_eq!(status, 422);
    assert!(html.contains("Helsingin ulkopuolella"));

    // The empty form.
    let (status, html) = get(&app, &[("lang", "sv")]).await?;
    assert_eq!(status, 200);
    assert!(html.contains("Vilket område hör jag till?") && !html.contains("role=\"alert\""));
    app.teardown().await
}

#[tokio::test]
async fn the_area_page_is_accessible_in_three_languages() -> TestResult {
    let app = city().await?;
    let mut env = vec![("GATEWAY", app.gateway.clone())];
    if let Ok(dir) = std::env::var("SCREENSHOTS") {
        env.push(("SCREENSHOTS", dir));
    }
    crate::browser::run("area.mjs", &env).await?;
    app.teardown().await
}
