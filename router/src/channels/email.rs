//! Filing emails. The resident is the holder of the sending address. An
//! email joins the case it answers: the thread its `In-Reply-To` and
//! `References` name (Batline's own Message-IDs and the resident's earlier
//! ones), else the case whose tracking code its subject carries, if that
//! case is the sender's own. Otherwise it is filed as a text is: into the
//! resident's open case, as an answer to "Was this solved?", or as a new
//! case whose first answer names the owner and the promise.
//!
//! The gateway has already set aside bounces and automatic replies (they
//! never reach a router), so everything here is a person writing.

use batline_core::{
    Result,
    domain::{CaseStatus, Language},
    language, satisfaction, store,
    tracking_code::TrackingCode,
};
use sqlx::PgConnection;

use crate::{
    filing::{self, Opening, Outcome},
    state::Router,
};

/// Files one email, inside the caller's transaction.
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &store::intake::Intake) -> Result<Outcome> {
    let stated = intake.raw.get("language").and_then(|l| l.as_str()).and_then(|l| l.get(..2)?.parse().ok());
    let detected = language::detect(&intake.body).or(stated);
    // Locks the resident: everything filed for one resident is serialised.
    let resident = store::residents::upsert_by_email(conn, &intake.sender, detected.unwrap_or_default()).await?;

    if let Some(case_id) = answered_case(conn, intake, resident.id).await?
        && let Some(case) = store::cases::lock(&mut *conn, case_id).await?
        && case.status == CaseStatus::Open
    {
        return filing::join(router, conn, &case, intake, serde_json::json!({})).await;
    }
    if let Some(case) = filing::open_case_of(conn, &resident).await? {
        return filing::join(router, conn, &case, intake, serde_json::json!({})).await;
    }
    if let Some(answer) = satisfaction::parse(&intake.body)
        && !resident.is_new
        && let Some(resolved) = filing::satisfaction::awaiting(router, conn, resident.id).await?
    {
        return filing::satisfaction::file(router, conn, intake, &resolved, answer).await;
    }
    let language: Language = detected.unwrap_or(resident.language);
    if language != resident.language {
        store::residents::set_language(conn, resident.id, language).await?;
    }
    let previous_owner = filing::previous_owner_of(router, conn, &resident).await?;
    let mut opening = Opening::new(resident.id, language, previous_owner);
    if let Some(subject) = intake.raw.get("subject").and_then(|s| s.as_str()).filter(|s| !s.trim().is_empty()) {
        opening.details = serde_json::json!({ "subject": subject });
    }
    filing::open_case(router, conn, intake, opening, filing::auto_reply(router, language)).await
}

/// The case this email answers, by its thread or by the tracking code in
/// its subject.
async fn answered_case(
    conn: &mut PgConnection,
    intake: &store::intake::Intake,
    resident_id: uuid::Uuid,
) -> Result<Option<uuid::Uuid>> {
    let ids: Vec<String> = ["in_reply_to", "references"]
        .iter()
        .filter_map(|field| intake.raw.get(*field)?.as_array())
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_owned))
        .collect();
    if !ids.is_empty()
        && let Some(case_id) = store::email::case_of_thread(&mut *conn, &ids).await?
    {
        return Ok(Some(case_id));
    }
    match intake.raw.get("subject").and_then(|s| s.as_str()).and_then(TrackingCode::in_subject) {
        Some(code) => store::email::case_of_resident_by_code(&mut *conn, resident_id, code.as_str()).await,
        None => Ok(None),
    }
}
