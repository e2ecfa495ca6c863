//! The demo city: a handful of responders in real Helsinki districts, one of
//! them the backstop, an admin, three Batcaves and a walk-in desk account at
//! one, and a day of history (`history`): cases in every state, on every
//! channel, so a first look finds full inboxes and a dashboard with figures.
//! Seeded by `batline up` only into an empty database, and only for a demo:
//! without a Twilio account (the offline sandbox) or with `BATLINE_DEMO`.
//! Its sign-ins share a password printed in the README, so a line with a
//! real Twilio account refuses to start while any of them still has it
//! ([`demo_sign_ins_still_open`]).

mod history;
mod stories;

use batline_core::{
    Config, Result,
    domain::{DutyStatus, Language, Role},
    opening_hours::OpeningHours,
    password,
    store::{self, responders::NewResponder},
};
use sqlx::PgPool;

/// The demo sign-ins' shared password, printed by `batline up`.
pub const DEMO_PASSWORD: &str = "batline-demo";

/// The demo walk-in desk account and where it works, printed by `batline up`.
pub const DEMO_DESK: (&str, &str) = ("veera", "Batcave Kallio");

struct Demo {
    username: &'static str,
    name: &'static str,
    languages: &'static [Language],
    areas: &'static [&'static str],
    topics: &'static [&'static str],
    duty: DutyStatus,
    backstop: bool,
    role: Role,
}

const RESPONDERS: &[Demo] = &[
    Demo {
        username: "aino",
        name: "Aino",
        languages: &[Language::Fi, Language::En],
        areas: &["Kallio", "Sörnäinen"],
        topics: &["streets", "parks"],
        duty: DutyStatus::OnDuty,
        role: Role::Responder,
        backstop: false,
    },
    Demo {
        username: "mikko",
        name: "Mikko",
        languages: &[Language::Fi, Language::Sv],
        areas: &["Vuosaari", "Mellunmäki"],
        topics: &["housing", "health"],
        duty: DutyStatus::OnDuty,
        role: Role::Responder,
        backstop: false,
    },
    Demo {
        username: "linnea",
        name: "Linnea",
        languages: &[Language::Sv, Language::Fi, Language::En],
        areas: &["Lauttasaari", "Munkkiniemi"],
        topics: &["schools", "parks"],
        duty: DutyStatus::OnDuty,
        role: Role::Lead,
        backstop: false,
    },
    Demo {
        username: "james",
        name: "James",
        languages: &[Language::En, Language::Fi],
        areas: &["Kamppi", "Punavuori"],
        topics: &["streets"],
        duty: DutyStatus::Off,
        role: Role::Responder,
        backstop: false,
    },
    Demo {
        username: "veera",
        name: "Veera",
        languages: &[Language::Fi, Language::Sv, Language::En],
        areas: &[],
        topics: &[],
        // Desk staff register walk-in tickets; they never own cases, so
        // their duty status does not matter to routing.
        duty: DutyStatus::Off,
        role: Role::Desk,
        backstop: false,
    },
    Demo {
        username: "hanna",
        name: "Hanna",
        languages: &[Language::Fi, Language::Sv, Language::En],
        areas: &[],
        topics: &[],
        // Admins manage the line (responders, SLA policies); they own no cases.
        duty: DutyStatus::Off,
        role: Role::Admin,
        backstop: false,
    },
    Demo {
        username: "pormestari",
        name: "Pormestari Laine",
        languages: &[Language::Fi, Language::Sv, Language::En],
        areas: &[],
        topics: &[],
        duty: DutyStatus::Off,
        role: Role::Mayor,
        backstop: true,
    },
];

/// Demo walk-in points: the city's own name, the name residents read,
/// address, area, and whose home point it is.
const BATCAVES: &[(&str, &str, &str, &str, &[&str])] = &[
    ("Batcave Kallio", "Kallion asiointipiste", "Kallion koulu, Helsinki", "Kallio", &["aino", "veera"]),
    ("Batcave Vuosaari", "Vuosaaren asiointipiste", "Vuosaaren koulu, Helsinki", "Vuosaari", &["mikko"]),
    ("Batcave Lauttasaari", "Lauttasaaren asiointipiste", "Lauttasaaren koulu, Helsinki", "Lauttasaari", &["linnea"]),
];

/// The demo sign-ins that still have the demo password. Only the demo's
/// own usernames are checked (an Argon2 verification each), so a city with
/// hundreds of responders starts as fast as before.
pub async fn demo_sign_ins_still_open(pool: &PgPool) -> Result<Vec<&'static str>> {
    let mut open = Vec::new();
    for demo in RESPONDERS {
        if let Some(responder) = store::responders::by_username(pool, demo.username).await?
            // A hash Argon2 cannot read is not the demo's.
            && password::verify(DEMO_PASSWORD, &responder.password_hash).unwrap_or(false)
        {
            open.push(demo.username);
        }
    }
    Ok(open)
}

/// Loads Helsinki's districts, streets and postal codes (built in, from
/// `data/areas/helsinki/`) if no areas are loaded yet. Returns whether it
/// loaded them. Apart from the demo city: a database seeded before areas
/// existed gets them too.
pub async fn helsinki_areas_if_empty(pool: &PgPool) -> Result<bool> {
    if store::areas::count(pool).await? > 0 {
        return Ok(false);
    }
    batline_core::place::helsinki::load(pool).await?;
    Ok(true)
}

/// The demo admin, printed by `batline up`.
pub const DEMO_ADMIN: &str = "hanna";

/// Seeds the demo city and its day of history if there are no responders
/// yet. Returns the usernames created (empty when the database already had
/// responders). `config` gives what the line's own messages say (the
/// tracking links, the promise) and its acknowledgement windows.
pub async fn demo_city_if_empty(pool: &PgPool, config: &Config) -> Result<Vec<&'static str>> {
    if store::responders::count(pool).await? > 0 {
        return Ok(Vec::new());
    }
    let hash = password::hash(DEMO_PASSWORD)?;
    let mut tx = pool.begin().await?;
    for (i, demo) in RESPONDERS.iter().enumerate() {
        let new = NewResponder {
            username: demo.username.to_owned(),
            display_name: demo.name.to_owned(),
            password_hash: hash.clone(),
            // Made-up numbers in the 050 range, so demo calls have a phone to ring.
            phone: Some(format!("+35850000{:04}", i + 1)),
            languages: demo.languages.to_vec(),
            areas: demo.areas.iter().map(|a| (*a).to_owned()).collect(),
            topics: demo.topics.iter().map(|t| (*t).to_owned()).collect(),
            capacity: 10,
            duty_status: demo.duty,
            is_backstop: demo.backstop,
            role: demo.role,
        };
        store::responders::insert(&mut *tx, &new).await?;
    }
    let weekdays = OpeningHours::parse("mon-fri 08:00-18:00, sat 10:00-14:00")?;
    for (name, public_name, address, area, home_of) in BATCAVES {
        let point = store::walk_in_points::insert(&mut *tx, name, public_name, address, area, &weekdays).await?;
        for username in *home_of {
            sqlx::query("UPDATE responders SET home_point_id = $1 WHERE username = $2")
                .bind(point.id)
                .bind(username)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    history::write_day(pool, config).await?;
    Ok(RESPONDERS.iter().map(|r| r.username).collect())
}
