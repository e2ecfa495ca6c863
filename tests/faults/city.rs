//! The city every scenario runs in: a backstop, four responders on duty, a
//! desk at a walk-in point, a city app with an Open311 key.

use batline_core::{
    domain::{DutyStatus, Language, Role},
    open311_keys, password,
    store::{self, responders::NewResponder},
};
use sqlx::PgPool;
use uuid::Uuid;

use super::driver;

/// Every sign-in's password.
pub const PASSWORD: &str = "fault-suite-password";

/// The city: a backstop, four responders on duty, a desk at a walk-in point,
/// a city app with an Open311 key.
pub async fn seed(pool: &PgPool) -> anyhow::Result<()> {
    let hash = password::hash(PASSWORD)?;
    let all = [Language::Fi, Language::Sv, Language::En];
    let people: [(&str, &str, Role, DutyStatus, bool); 6] = [
        ("backstop", "Pormestari", Role::Mayor, DutyStatus::Off, true),
        ("aino", "Aino", Role::Responder, DutyStatus::OnDuty, false),
        ("mikko", "Mikko", Role::Responder, DutyStatus::OnDuty, false),
        ("linnea", "Linnea", Role::Lead, DutyStatus::OnDuty, false),
        ("james", "James", Role::Responder, DutyStatus::OnDuty, false),
        ("veera", "Veera", Role::Desk, DutyStatus::OnDuty, false),
    ];
    for (username, name, role, duty, backstop) in people {
        let new = NewResponder {
            username: username.to_owned(),
            display_name: name.to_owned(),
            password_hash: hash.clone(),
            phone: None,
            languages: all.to_vec(),
            areas: vec!["Kallio".to_owned()],
            topics: Vec::new(),
            capacity: 60,
            duty_status: duty,
            is_backstop: backstop,
            role,
        };
        store::responders::insert(pool, &new).await?;
    }
    let hours = batline_core::opening_hours::OpeningHours::default();
    let point = store::walk_in_points::insert(
        pool,
        "Batcave Vikasieto",
        "Vikasiedon asiointipiste",
        "Koulukatu 1",
        "Kallio",
        &hours,
    )
    .await?;
    sqlx::query("UPDATE responders SET home_point_id = $1 WHERE username = 'veera'")
        .bind(point.id)
        .execute(pool)
        .await?;
    // The city app whose Open311 requests are in the stream.
    let key = driver::OPEN311_KEY;
    let by: Uuid = sqlx::query_scalar("SELECT id FROM responders WHERE username = 'backstop'").fetch_one(pool).await?;
    store::open311::add_client(pool, "Palautesovellus", &open311_keys::digest(key), &open311_keys::hint(key), by)
        .await?;
    Ok(())
}
