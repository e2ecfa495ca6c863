//! Filing texts. The resident is the holder of the sending phone; the
//! language is the one the text is written in, when it can be told, or the
//! one Batline last spoke with them. A text joins the resident's open case;
//! with none open, it may be an answer to "Was this solved?" for a recently
//! resolved case, or else it opens a case.

use batline_core::{Result, language, satisfaction, store};
use sqlx::PgConnection;

use crate::{
    filing::{self, Opening, Outcome},
    state::Router,
};

/// Files one text, inside the caller's transaction.
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &store::intake::Intake) -> Result<Outcome> {
    let detected = language::detect(&intake.body);
    // Locks the resident for the rest of the transaction: everything filed
    // for one resident is serialised, whichever router files it.
    let resident = store::residents::upsert_by_phone(conn, &intake.sender, detected.unwrap_or_default()).await?;
    if let Some(case) = filing::open_case_of(conn, &resident).await? {
        return filing::join(router, conn, &case, intake, serde_json::json!({})).await;
    }
    if let Some(answer) = satisfaction::parse(&intake.body)
        && !resident.is_new
        && let Some(resolved) = filing::satisfaction::awaiting(router, conn, resident.id).await?
    {
        return filing::satisfaction::file(router, conn, intake, &resolved, answer).await;
    }
    let language = detected.unwrap_or(resident.language);
    if language != resident.language {
        store::residents::set_language(conn, resident.id, language).await?;
    }
    let previous_owner = filing::previous_owner_of(router, conn, &resident).await?;
    let opening = Opening::new(resident.id, language, previous_owner);
    filing::open_case(router, conn, intake, opening, filing::auto_reply(router, language)).await
}
