//! Residents' personal data over time (GDPR).
//!
//! - Retention: personal data of a case resolved more than
//!   `BATLINE_REDACT_AFTER_DAYS` ago is redacted by the routers' sweep.
//! - Access: [`export`] gives everything held about one resident.
//! - Erasure: [`erase`] redacts all of one resident's cases now and forgets
//!   their number.
//!
//! Redaction replaces what the resident wrote or said and who they are
//! (phone number, message texts, recordings, raw webhooks, staff notes
//! about them) and keeps the rows, times and owners: the line's
//! accountability figures must not change when a person is forgotten.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{Result, store::privacy};

/// What one redaction or erasure changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Redacted {
    /// Cases redacted.
    pub cases: u64,
    /// Messages whose text and recording went.
    pub messages: u64,
    /// Intake rows whose sender, text and raw webhook went.
    pub intake: u64,
    /// Calls whose number went.
    pub calls: u64,
    /// Email attachments deleted.
    pub attachments: u64,
    /// Timeline events whose free text went.
    pub events: u64,
    /// Residents whose phone number and email address went.
    pub residents_forgotten: u64,
}

impl Redacted {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: Redacted) {
        self.cases += other.cases;
        self.messages += other.messages;
        self.intake += other.intake;
        self.calls += other.calls;
        self.attachments += other.attachments;
        self.events += other.events;
        self.residents_forgotten += other.residents_forgotten;
    }
}

/// Redacts one case (already locked by the caller) inside its transaction.
pub async fn redact_case(conn: &mut PgConnection, case_id: Uuid) -> Result<Redacted> {
    let counts = Redacted {
        cases: 1,
        messages: privacy::redact_messages(conn, case_id).await?,
        intake: privacy::redact_intake(conn, case_id).await?,
        calls: privacy::redact_calls(conn, case_id).await?,
        attachments: privacy::redact_attachments(conn, case_id).await?,
        events: privacy::redact_timeline(conn, case_id).await?,
        residents_forgotten: 0,
    };
    privacy::mark_case_redacted(conn, case_id).await?;
    Ok(counts)
}

/// Redacts up to `limit` cases resolved before `cutoff`; the resident's
/// number goes with their last case.
pub async fn redact_due(conn: &mut PgConnection, cutoff: DateTime<Utc>, limit: i64) -> Result<Redacted> {
    let mut total = Redacted::default();
    for case_id in privacy::claim_due(conn, cutoff, limit).await? {
        total.add(redact_case(conn, case_id).await?);
        if let Some(resident) = privacy::resident_of(&mut *conn, case_id).await? {
            // The addresses a chat resident tried to confirm go with any
            // redaction of theirs: a code is of no use after ten minutes.
            crate::store::contact_codes::forget_for_resident(conn, resident).await?;
            if privacy::forget_resident_if_all_redacted(conn, resident).await? {
                total.residents_forgotten += 1;
            }
        }
    }
    Ok(total)
}

/// Everything held about the resident with `phone`, or `None` if Batline
/// does not know the number.
pub async fn export(pool: &PgPool, phone: &str) -> Result<Option<serde_json::Value>> {
    let Some(resident) = privacy::resident_by_phone(pool, phone).await? else {
        return Ok(None);
    };
    Ok(Some(privacy::export(pool, resident).await?))
}

/// Redacts every case of the resident with `phone` now, open ones included
/// (they stay open with their owner, who sees the texts are gone), and
/// forgets the number. `None` if Batline does not know the number.
pub async fn erase(pool: &PgPool, phone: &str) -> Result<Option<Redacted>> {
    let mut tx = pool.begin().await?;
    let Some(resident) = privacy::resident_by_phone(&mut *tx, phone).await? else {
        return Ok(None);
    };
    let mut total = Redacted::default();
    for case_id in privacy::lock_cases_of(&mut tx, resident).await? {
        total.add(redact_case(&mut tx, case_id).await?);
    }
    crate::store::contact_codes::forget_for_resident(&mut tx, resident).await?;
    if privacy::forget_resident_if_all_redacted(&mut tx, resident).await? {
        total.residents_forgotten += 1;
    }
    tx.commit().await?;
    tracing::info!(cases = total.cases, "a resident's personal data was erased on request");
    Ok(Some(total))
}
