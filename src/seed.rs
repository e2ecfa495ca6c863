//! The demo city: a handful of responders in real Helsinki districts, one of
//! them the backstop. Seeded by `batline up` only into an empty database.

use batline_core::{
    Result,
    domain::{DutyStatus, Language},
    password,
    store::{self, responders::NewResponder},
};
use sqlx::PgPool;

/// The demo sign-ins' shared password, printed by `batline up`.
pub const DEMO_PASSWORD: &str = "batline-demo";

/// A demo responder: username, display name, languages, areas, duty, backstop.
type DemoResponder = (
    &'static str,
    &'static str,
    &'static [Language],
    &'static [&'static str],
    DutyStatus,
    bool,
);

const RESPONDERS: &[DemoResponder] = &[
    (
        "aino",
        "Aino",
        &[Language::Fi, Language::En],
        &["Kallio", "Sörnäinen"],
        DutyStatus::OnDuty,
        false,
    ),
    (
        "mikko",
        "Mikko",
        &[Language::Fi, Language::Sv],
        &["Vuosaari", "Mellunmäki"],
        DutyStatus::OnDuty,
        false,
    ),
    (
        "linnea",
        "Linnea",
        &[Language::Sv, Language::Fi, Language::En],
        &["Lauttasaari", "Munkkiniemi"],
        DutyStatus::OnDuty,
        false,
    ),
    (
        "james",
        "James",
        &[Language::En, Language::Fi],
        &["Kamppi", "Punavuori"],
        DutyStatus::Off,
        false,
    ),
    (
        "pormestari",
        "Pormestari Laine",
        &[Language::Fi, Language::Sv, Language::En],
        &[],
        DutyStatus::Off,
        true,
    ),
];

/// Seeds the demo city if there are no responders yet. Returns the
/// usernames created (empty when the database already had responders).
pub async fn demo_city_if_empty(pool: &PgPool) -> Result<Vec<&'static str>> {
    if store::responders::count(pool).await? > 0 {
        return Ok(Vec::new());
    }
    let hash = password::hash(DEMO_PASSWORD)?;
    let mut tx = pool.begin().await?;
    for (username, name, languages, areas, duty, backstop) in RESPONDERS {
        let new = NewResponder {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            password_hash: hash.clone(),
            phone: None,
            languages: languages.to_vec(),
            areas: areas.iter().map(|a| (*a).to_owned()).collect(),
            duty_status: *duty,
            is_backstop: *backstop,
        };
        store::responders::insert(&mut *tx, &new).await?;
    }
    tx.commit().await?;
    Ok(RESPONDERS.iter().map(|r| r.0).collect())
}
