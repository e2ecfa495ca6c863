//! The PostgreSQL store: every SQL statement Batline runs lives below this
//! module, one function per query. Functions that must be atomic with others
//! take `&mut PgConnection`, which a caller gets from a transaction with
//! `&mut *tx`; single reads take any executor.

pub mod abuse_alerts;
pub mod areas;
pub mod breaches;
pub mod call_backs;
pub mod calls;
pub mod canned_replies;
pub mod case_facts;
pub mod cases;
pub mod chat;
pub mod contact_codes;
pub mod dead_letters;
pub mod email;
pub mod events;
pub mod handoffs;
pub mod history;
pub mod intake;
pub mod messages;
pub mod oidc;
pub mod open311;
pub mod outbox;
pub mod presence;
pub mod privacy;
pub mod residents;
pub mod responders;
pub mod search;
pub mod sessions;
pub mod shifts;
pub mod sla;
pub mod topics;
pub mod track_access;
pub mod walk_in_points;
pub mod walk_in_tickets;

/// True when `e` is a unique violation (SQLSTATE 23505) of `constraint`.
pub fn is_unique_violation(e: &sqlx::Error, constraint: &str) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().as_deref() == Some("23505") && db.constraint() == Some(constraint),
        _ => false,
    }
}
