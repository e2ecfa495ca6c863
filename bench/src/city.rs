//! A realistic city for `batline-bench mixed`: many responders on duty
//! across the districts and topics, added to the running Batline's roster,
//! so assignment is not serialised on the demo's six rows. They are added
//! through the store as an admin's roster would, and cannot sign in (their
//! password is random and thrown away).

use batline_core::{
    domain::{DutyStatus, Language, Role},
    password,
    store::{self, responders::NewResponder},
};
use rand::RngCore;
use sqlx::PgPool;

/// What the city has once [`grow`] ran.
#[derive(Debug, Clone, Copy, Default)]
pub struct City {
    /// Responders on the roster.
    pub responders: i64,
    /// Districts they cover.
    pub districts: usize,
    /// Topics they cover.
    pub topics: usize,
}

/// Two entries of `list` seven apart, starting at `k` (one, if it has one).
fn two_of(list: &[String], k: usize) -> Vec<String> {
    if list.is_empty() {
        return Vec::new();
    }
    let mut two = vec![list[k % list.len()].clone(), list[(k + 7) % list.len()].clone()];
    two.dedup();
    two
}

/// Adds responders until the roster has `total`, each on duty with two
/// districts and two topics, Finnish speakers, a third of them Swedish and
/// a quarter English too.
pub async fn grow(pool: &PgPool, total: i64) -> anyhow::Result<City> {
    let districts: Vec<String> = store::areas::districts(pool).await?.into_iter().map(|d| d.code).collect();
    let topics: Vec<String> =
        store::topics::all(pool).await?.into_iter().filter(|t| t.offered()).map(|t| t.code).collect();
    let have = store::responders::count(pool).await?;
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let unused: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let password_hash = password::hash(&unused)?;
    let run: u32 = rand::random::<u32>() % 100_000;
    for i in 0..usize::try_from(total - have).unwrap_or(0) {
        let mut languages = vec![Language::Fi];
        if i % 3 == 0 {
            languages.push(Language::Sv);
        }
        if i % 4 == 0 {
            languages.push(Language::En);
        }
        let new = NewResponder {
            username: format!("bench{run}r{i:04}"),
            display_name: format!("Vastaaja {}", i + 1),
            password_hash: password_hash.clone(),
            phone: None,
            languages,
            areas: two_of(&districts, i),
            topics: two_of(&topics, i / 3),
            capacity: 10,
            duty_status: DutyStatus::OnDuty,
            is_backstop: false,
            role: Role::Responder,
        };
        store::responders::insert(pool, &new).await?;
    }
    Ok(City { responders: store::responders::count(pool).await?, districts: districts.len(), topics: topics.len() })
}
